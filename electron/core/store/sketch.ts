// A mergeable quantile sketch of a rollup bucket's samples, so that percentiles over any window
// are of the samples (within ±1 %), not of 1-minute means. DDSketch (Masson, Rim, Lee, VLDB
// 2019) from Datadog's own library: values map to logarithmic bins of relative width 2α, a
// quantile is the bin holding the sample of that rank, and merging is adding bin counts, so
// minutes merge into hours and hours into weeks with no loss beyond α.
//
// On disk (the sketch column of a rollup chunk, rollup.ts) a sketch is its non-empty bins, not
// the library's protobuf (whose dense counts are 8-byte doubles):
//   per bucket  uvarint 0 (no sketch) or 1, then: uvarint zero count, positive bins, negative
//               bins; bins = uvarint n, then n × (key, uvarint count), the first key as a
//               zigzag delta from the previous sketch's first key, the next ones as uvarint
//               gaps (key − previous key − 1)
// Latencies of one series sit in a narrow band of keys from minute to minute, so the keys cost
// about a byte; the column is deflated with the rest of the chunk.
import { DDSketch } from '@datadog/sketches-js';
import { SKETCH_RELATIVE_ACCURACY } from '../../../shared/analysis.js';
import { ByteReader, ByteWriter } from './codec.js';

type Store = DDSketch['store'];

export class Sketch {
  private readonly dd = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });

  get count(): number {
    return this.dd.count;
  }

  add(value: number, weight = 1): void {
    if (Number.isFinite(value) && weight > 0) this.dd.accept(value, weight);
  }

  /** Add `other`'s samples to this one (`other` is left as it is). */
  merge(other: Sketch): void {
    if (other.count === 0) return;
    const wasEmpty = this.count === 0;
    this.dd.merge(other.dd);
    // The library's merge leaves out the negative store (DataDog/sketches-js#22); an empty
    // sketch copies everything, negatives included.
    if (!wasEmpty) this.dd.negativeStore.merge(other.dd.negativeStore);
  }

  /** The value at quantile q (0–1): within ±α of the sample of rank q·(n − 1); NaN if empty. */
  quantile(q: number): number {
    return this.dd.getValueAtQuantile(q);
  }

  /** A copy that can be merged into without touching this one. */
  clone(): Sketch {
    const c = new Sketch();
    c.merge(this);
    return c;
  }

  write(w: ByteWriter, prevKey: number): number {
    w.uvarint(Math.round(this.dd.zeroCount));
    const first = writeBins(w, this.dd.store, prevKey);
    writeBins(w, this.dd.negativeStore, first);
    return first;
  }

  static read(r: ByteReader, prevKey: number): { sketch: Sketch; first: number } {
    const s = new Sketch();
    const zero = r.uvarint();
    const pos = readBins(r, s.dd.store, prevKey);
    const neg = readBins(r, s.dd.negativeStore, pos.first);
    s.dd.zeroCount = zero;
    s.dd.count = zero + pos.count + neg.count;
    return { sketch: s, first: pos.first };
  }
}

/** A store's non-empty bins; returns the first key (or `prevKey` when there is none). */
function writeBins(w: ByteWriter, store: Store, prevKey: number): number {
  let n = 0;
  for (let k = store.minKey; k <= store.maxKey; k++) if (store.bins[k - store.offset]! > 0) n++;
  w.uvarint(n);
  let prev: number | null = null;
  let first = prevKey;
  for (let k = store.minKey; k <= store.maxKey && n > 0; k++) {
    const c = store.bins[k - store.offset]!;
    if (!(c > 0)) continue;
    if (prev === null) {
      w.svarint(k - prevKey);
      first = k;
    } else w.uvarint(k - prev - 1);
    // Counts are sums of weight-1 samples: whole numbers.
    w.uvarint(Math.round(c));
    prev = k;
  }
  return first;
}

function readBins(r: ByteReader, store: Store, prevKey: number): { first: number; count: number } {
  const n = r.uvarint();
  if (n > 1 << 20) throw new Error(`a sketch with ${n} bins`);
  let key = prevKey;
  let count = 0;
  let first = prevKey;
  for (let i = 0; i < n; i++) {
    key = i === 0 ? prevKey + r.svarint() : key + 1 + r.uvarint();
    if (i === 0) first = key;
    const c = r.uvarint();
    if (c > 0) store.add(key, c);
    count += c;
  }
  return { first, count };
}

/** Sketches of a run of buckets (undefined: that bucket has none) as one byte column. */
export function encodeSketches(sketches: readonly (Sketch | undefined)[]): Uint8Array {
  const w = new ByteWriter();
  let prev = 0;
  for (const s of sketches) {
    w.byte(s ? 1 : 0);
    if (s) prev = s.write(w, prev);
  }
  return w.done();
}

export function decodeSketches(bytes: Uint8Array, n: number): (Sketch | undefined)[] {
  const r = new ByteReader(bytes);
  const out: (Sketch | undefined)[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const tag = r.byte();
    if (tag === 0) {
      out.push(undefined);
      continue;
    }
    if (tag !== 1) throw new Error(`bad sketch tag ${tag}`);
    const { sketch, first } = Sketch.read(r, prev);
    prev = first;
    out.push(sketch);
  }
  if (r.rest().length !== 0) throw new Error('bytes left after the sketches');
  return out;
}

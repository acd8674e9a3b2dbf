// The WAL's line formats, written at ingest and read back byte by byte at start-up.
//   S<TAB>id<TAB>agentId<TAB>["name",{labels}]   a series: written before and again after the
//                                                first batch that uses it, so one damaged line
//                                                never hides a series' later samples
//   B<TAB>id,Δts,value;id,Δts,value;…           a batch; Δts from the previous sample (first: absolute)
//
// Replay applies every logged sample it does not hold yet, in whatever order it was logged:
// live ingest decided what to store (and acked it), the log records that decision, and
// replay does not decide again. A sample whose series is not defined yet (its definition
// line was damaged) waits for the next definition of that series.
import type { Sample } from '../../../shared/protocol.js';
import { MAX_SERIES_ID } from './series.js';
import type { Series, TimeSeriesStore } from './tsdb.js';

const S = 0x53;
const B = 0x42;
const TAB = 0x09;
const COMMA = 0x2c;
const SEMI = 0x3b;
const MINUS = 0x2d;
const DOT = 0x2e;

export function seriesLine(series: Series): string {
  return `S\t${series.id}\t${series.agentId}\t${JSON.stringify([series.name, series.labels])}`;
}

/** Room for one `;id,Δts,value`: ids and Δts are safe integers, a double's text ≤ 25 chars. */
const MAX_ENTRY_BYTES = 80;

/**
 * Builds a B line from stored samples, in order, as bytes: the text of String(number) for
 * each figure, written into one buffer rather than concatenated (a string per sample was a
 * third of the remote-write receiver's garbage).
 */
export class BatchLineBuilder {
  private buf = Buffer.allocUnsafe(1024);
  private length = 2;
  private prevTs = 0;

  constructor() {
    this.buf[0] = B;
    this.buf[1] = TAB;
  }

  add(series: Series, sample: Sample): void {
    if (this.length + MAX_ENTRY_BYTES > this.buf.length) {
      const grown = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const buf = this.buf;
    let at = this.length;
    if (at > 2) buf[at++] = SEMI;
    at = writeNumber(buf, series.id, at);
    buf[at++] = COMMA;
    at = writeNumber(buf, sample.ts - this.prevTs, at);
    buf[at++] = COMMA;
    this.length = writeNumber(buf, sample.value, at);
    this.prevTs = sample.ts;
  }

  /** The line's payload (a view of the builder's buffer: add nothing after taking it). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  line(): string {
    return this.buf.toString('latin1', 0, this.length);
  }
}

/** String(n) written into `buf` at `at` (ASCII); the end. Integers without making a string. */
function writeNumber(buf: Buffer, n: number, at: number): number {
  if (!Number.isSafeInteger(n)) {
    // A short ASCII string: copied here, as a call into Buffer.write costs more than this.
    const text = String(n);
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    return at;
  }
  if (n < 0) {
    buf[at++] = MINUS;
    n = -n;
  }
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  return at + digits;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A decimal number from bytes. Exact fast path: at most 15 significant digits and no
 * exponent, so the digits form an integer below 2^53 and one division by an exact power
 * of ten rounds correctly, giving the same double as parsing the text. Anything else
 * (17-digit doubles, exponents) is parsed from its text.
 */
function readNumber(buf: Buffer, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === DOT && fraction < 0) {
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || digits >= 15) return Number(buf.toString('latin1', start, end));
    mantissa = mantissa * 10 + d;
    if (mantissa > 0 || fraction >= 0) digits++;
    if (fraction >= 0) fraction++;
  }
  if (i === (negative ? start + 1 : start)) throw new Error('empty number');
  const value = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? -value : value;
}

/**
 * Replay state across lines: samples of series not defined yet (by series id, as ts/value
 * pairs), applied when a definition turns up.
 */
export class WalReplay {
  readonly orphans = new Map<number, number[]>();

  constructor(readonly head: TimeSeriesStore) {}

  /** Samples whose series was never defined anywhere in the log: lost with a damaged line. */
  orphanSamples(): number {
    let n = 0;
    for (const pairs of this.orphans.values()) n += pairs.length / 2;
    return n;
  }

  /** Apply one WAL payload (bytes [start, end) of buf) to the head. */
  apply = (buf: Buffer, start: number, end: number): void => applyWalLine(this, buf, start, end);
}

function applyWalLine(replay: WalReplay, buf: Buffer, start: number, end: number): void {
  const { head } = replay;
  const kind = buf[start];
  if (kind === S) {
    const [, idText, agentId, def] = buf.toString('utf8', start, end).split('\t') as [
      string,
      string,
      string,
      string,
    ];
    const id = Number(idText);
    if (
      !Number.isInteger(id) ||
      id < 0 ||
      id > MAX_SERIES_ID ||
      agentId === undefined ||
      def === undefined
    )
      throw new Error('bad series line');
    let series = head.seriesById(id);
    if (!series) {
      const [name, labels] = JSON.parse(def) as [string, Record<string, string>];
      series = head.define(id, agentId, name, labels);
    }
    const waiting = replay.orphans.get(id);
    if (waiting) {
      replay.orphans.delete(id);
      for (let i = 0; i < waiting.length; i += 2) series.insert(waiting[i]!, waiting[i + 1]!);
    }
    return;
  }
  if (kind !== B) throw new Error('unknown WAL line kind');
  let pos = start + 2;
  let ts = 0;
  while (pos < end) {
    let c1 = pos;
    while (c1 < end && buf[c1] !== COMMA) c1++;
    let c2 = c1 + 1;
    while (c2 < end && buf[c2] !== COMMA) c2++;
    let stop = c2 + 1;
    while (stop < end && buf[stop] !== SEMI) stop++;
    if (c2 >= end) throw new Error('truncated sample');
    const id = readNumber(buf, pos, c1);
    const series = head.seriesById(id);
    ts += readNumber(buf, c1 + 1, c2);
    const value = readNumber(buf, c2 + 1, stop);
    // Samples already held (a checkpoint covered them, or a resend) are skipped by insert.
    if (series) series.insert(ts, value);
    else {
      let waiting = replay.orphans.get(id);
      if (!waiting) replay.orphans.set(id, (waiting = []));
      waiting.push(ts, value);
    }
    pos = stop + 1;
  }
}

// The open chunk of a series, encoded as samples arrive: timestamps as delta-of-deltas and
// values as decimal-integer deltas (or XORed float bits), zigzag varints, in two growable byte
// arrays — the codec's columnar format (codec.ts) without deflate, written incrementally. A
// series' newest samples cost ~3 bytes each in memory instead of 12, and closing the chunk is
// a copy, not an encode (Prometheus' head chunks work the same way with Gorilla bits).
import { decodeChunk } from './codec.js';

const FLOAT_MODE = 255;
const MAX_EXPONENT = 15;
const MAX_MANTISSA = 2 ** 51;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The smallest exponent ≥ `from` at which `v` is an integer × 10^-e exactly, or FLOAT_MODE. */
function exponentFor(v: number, from: number): number {
  if (Object.is(v, -0) || !Number.isFinite(v)) return FLOAT_MODE;
  for (let e = from; e <= MAX_EXPONENT; e++) {
    const p = 10 ** e;
    const m = Math.round(v * p);
    if (Math.abs(m) < MAX_MANTISSA && m / p === v) return e;
  }
  return FLOAT_MODE;
}

class Bytes {
  buf: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  uvarint(n: number): void {
    // Exactly the bytes it needs: a full chunk should fit the arrays sized for it.
    if (this.length + 8 > this.buf.length) {
      let size = 1;
      for (let x = n; x >= 128; x = Math.floor(x / 128)) size++;
      this.ensure(size);
    }
    while (n >= 128) {
      this.buf[this.length++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  svarint(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  word(x: number): void {
    this.ensure(4);
    this.buf[this.length++] = x >>> 24;
    this.buf[this.length++] = (x >>> 16) & 255;
    this.buf[this.length++] = (x >>> 8) & 255;
    this.buf[this.length++] = x & 255;
  }
}

export class StreamChunk {
  rows = 0;
  firstTs = 0;
  lastTs = 0;
  private prevDelta = 0;
  private mode = 0;
  private prevMantissa = 0;
  private prevHi = 0;
  private prevLo = 0;
  // Sized for a full chunk of a typical gauge (~1 byte a timestamp, ~3 a value), allocated
  // once per series and reused from chunk to chunk: growing small arrays sample by sample
  // leaves the allocator fragmented.
  private ts = new Bytes(128);
  private values = new Bytes(384);

  /** Start a new chunk in the same arrays. */
  reset(): void {
    this.rows = 0;
    this.prevDelta = 0;
    this.prevMantissa = 0;
    this.prevHi = 0;
    this.prevLo = 0;
    this.ts.length = 0;
    this.values.length = 0;
  }

  append(ts: number, value: number): void {
    if (this.rows === 0) {
      this.firstTs = ts;
      this.mode = exponentFor(value, 0);
    } else {
      // Widen first: it decodes what is written, which must be whole rows.
      if (this.mode !== FLOAT_MODE) {
        const p = 10 ** this.mode;
        const m = Math.round(value * p);
        if (Math.abs(m) >= MAX_MANTISSA || m / p !== value || Object.is(value, -0))
          this.widen(value);
      }
      const delta = ts - this.lastTs;
      this.ts.svarint(delta - this.prevDelta);
      this.prevDelta = delta;
    }
    this.lastTs = ts;
    this.writeValue(value);
    this.rows++;
  }

  /** The chunk in the codec's format (decodeChunk reads it); the stream is left as it is. */
  bytes(): Uint8Array {
    const head: number[] = [0];
    const push = (n: number) => {
      while (n >= 128) {
        head.push((n % 128) | 128);
        n = Math.floor(n / 128);
      }
      head.push(n);
    };
    push(this.rows);
    push(this.firstTs);
    head.push(1, this.mode);
    const out = new Uint8Array(head.length + this.ts.length + this.values.length);
    out.set(head, 0);
    out.set(this.ts.buf.subarray(0, this.ts.length), head.length);
    out.set(this.values.buf.subarray(0, this.values.length), head.length + this.ts.length);
    return out;
  }

  /** Every sample, decoded (for reads and the rare duplicate check). */
  decode(): { ts: Float64Array; values: Float64Array } {
    if (this.rows === 0) return { ts: new Float64Array(0), values: new Float64Array(0) };
    return decodeChunk(this.bytes());
  }

  has(ts: number): boolean {
    if (this.rows === 0 || ts < this.firstTs || ts > this.lastTs) return false;
    if (ts === this.lastTs || ts === this.firstTs) return true;
    return this.decode().ts.includes(ts);
  }

  /** Bytes held (capacity), for the head's figures. */
  byteSize(): number {
    return this.ts.buf.length + this.values.buf.length;
  }

  private writeValue(value: number): void {
    if (this.mode === FLOAT_MODE) {
      f64[0] = value;
      const lo = u32[0]!;
      const hi = u32[1]!;
      this.values.word((hi ^ this.prevHi) >>> 0);
      this.values.word((lo ^ this.prevLo) >>> 0);
      this.prevHi = hi;
      this.prevLo = lo;
      return;
    }
    const m = Math.round(value * 10 ** this.mode);
    this.values.svarint(m - this.prevMantissa);
    this.prevMantissa = m;
  }

  /** A value needs more precision than the chunk's exponent: re-encode its values (rare). */
  private widen(value: number): void {
    const { values } = this.decode();
    let mode = exponentFor(value, this.mode + 1);
    if (mode !== FLOAT_MODE) {
      // Each earlier value must stay exact at the wider exponent too (a big one may not).
      const p = 10 ** mode;
      for (const v of values) {
        const m = Math.round(v * p);
        if (Math.abs(m) >= MAX_MANTISSA || m / p !== v || Object.is(v, -0)) mode = FLOAT_MODE;
      }
    }
    this.mode = mode;
    this.values.length = 0;
    this.prevMantissa = 0;
    this.prevHi = 0;
    this.prevLo = 0;
    for (const v of values) this.writeValue(v);
  }
}

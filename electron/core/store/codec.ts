// The chunk codec: a run of samples of one series — timestamps and one or more value columns
// (one for raw samples; min/max/sum/count/last for rollup buckets) — compressed.
//
//   byte 0      flags: bit 0 = payload deflated
//   varint      row count n
//   varint      first timestamp (integer ms)
//   byte        column count c
//   c bytes     per column: its decimal exponent 0–15 (values are integers × 10^-e), or 255
//               (float XOR)
//   payload     (deflate-raw when that is smaller)
//                 n-1 zigzag varints: the first delta, then delta-of-delta of timestamps
//                 per column, decimal: n zigzag varints: m0, then m[i] - m[i-1] (v = m / 10^e)
//                 per column, float:   8 bytes of v0, then 8 bytes per value of (bits XOR
//                                      previous bits), high byte first
//
// Timestamps: a steady interval with jitter gives small delta-of-deltas (Gorilla's idea;
// Prometheus and M3 use it). Values: gauges reported at a fixed precision (47.25 %, 120.5 ms,
// integer counts) are small integers at the right decimal exponent, and their deltas are
// smaller still (VictoriaMetrics' idea); anything else is XORed with its predecessor, which
// leaves runs of zero bytes for slowly changing floats. deflate then takes the redundancy
// left in the byte streams. All of it is exact: a decoded chunk equals what was encoded,
// bit for bit (−0, huge and tiny values included).
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const FLAG_DEFLATED = 1;
const FLOAT_COLUMN = 255;
const MAX_EXPONENT = 15;
/** Decimal mantissas stay well inside the exactly representable integers, deltas too. */
const MAX_MANTISSA = 2 ** 51;
/** Smaller payloads are not worth a deflate. */
const DEFLATE_MIN = 48;

/** A growable byte buffer with varints (also used by the sketch encoding, sketch.ts). */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  /** Start over, keeping the buffer (the encoder reuses two writers: no allocation per chunk). */
  reset(): this {
    this.length = 0;
    return this;
  }

  /** A view of what was written (valid until the next reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned varint of an integer up to 2^53 (arithmetic, not 32-bit shifts). */
  uvarint(n: number): void {
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.length++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.length++] = n;
  }

  svarint(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class ByteReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('chunk truncated');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    // Most varints of a chunk (small deltas) are one byte.
    const b = this.buf[this.pos];
    if (b !== undefined && b < 128) {
      this.pos++;
      return b;
    }
    return this.longUvarint();
  }

  private longUvarint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 127) * scale;
      if (b < 128) return n;
      scale *= 128;
      if (scale > 2 ** 56) throw new Error('varint too long');
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  rest(): Uint8Array {
    return this.buf.subarray(this.pos);
  }
}

/** The smallest exponent e ≤ 15 at which every value is an integer × 10^-e exactly, or -1. */
function decimalExponent(values: ArrayLike<number>, n: number): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Object.is(v, -0) || !Number.isFinite(v)) return -1;
    for (;;) {
      const p = 10 ** e;
      const m = Math.round(v * p);
      if (Math.abs(m) < MAX_MANTISSA && m / p === v) break;
      if (++e > MAX_EXPONENT) return -1;
    }
  }
  // Values checked at a smaller exponent are checked again at the final one.
  const p = 10 ** e;
  for (let i = 0; i < n; i++) {
    const m = Math.round(values[i]! * p);
    if (Math.abs(m) >= MAX_MANTISSA || m / p !== values[i]) return -1;
  }
  return e;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function writeFloats(body: ByteWriter, values: ArrayLike<number>, n: number): void {
  const bytes = new Uint8Array(8);
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    f64[0] = values[i]!;
    const l = u32[0]!;
    const h = u32[1]!;
    // Big-endian, high word first: the zero bytes of a small XOR come first and in runs.
    const xh = (h ^ hi) >>> 0;
    const xl = (l ^ lo) >>> 0;
    bytes[0] = xh >>> 24;
    bytes[1] = (xh >>> 16) & 255;
    bytes[2] = (xh >>> 8) & 255;
    bytes[3] = xh & 255;
    bytes[4] = xl >>> 24;
    bytes[5] = (xl >>> 16) & 255;
    bytes[6] = (xl >>> 8) & 255;
    bytes[7] = xl & 255;
    body.bytes(bytes);
    hi = h;
    lo = l;
  }
}

function readFloats(body: ByteReader, out: Float64Array, n: number): void {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const xh = ((body.byte() << 24) | (body.byte() << 16) | (body.byte() << 8) | body.byte()) >>> 0;
    const xl = ((body.byte() << 24) | (body.byte() << 16) | (body.byte() << 8) | body.byte()) >>> 0;
    hi = (hi ^ xh) >>> 0;
    lo = (lo ^ xl) >>> 0;
    u32[0] = lo;
    u32[1] = hi;
    out[i] = f64[0]!;
  }
}

/**
 * Encode n rows: timestamps (integer ms, non-decreasing in practice; any order works) and
 * any number of value columns of the same length.
 */
const scratchHead = new ByteWriter();
const scratchBody = new ByteWriter();

export function encodeColumns(
  ts: ArrayLike<number>,
  columns: readonly ArrayLike<number>[],
  n: number,
  /** False on the ingest path (fast); block files are deflated. */
  deflate = true,
  /**
   * Added to every timestamp: `ts` may be offsets from this base (an open chunk's arrays),
   * which deltas do not see; only the first timestamp is stored whole.
   */
  tsBase = 0,
): Uint8Array {
  if (n < 1) throw new Error('a chunk holds at least one sample');
  if (columns.length < 1 || columns.length > 16) throw new Error('1 to 16 value columns');
  const head = scratchHead.reset();
  const body = scratchBody.reset();
  let prevDelta = 0;
  for (let i = 1; i < n; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    body.svarint(delta - prevDelta);
    prevDelta = delta;
  }
  const modes: number[] = [];
  for (const values of columns) {
    const exponent = decimalExponent(values, n);
    modes.push(exponent >= 0 ? exponent : FLOAT_COLUMN);
    if (exponent < 0) {
      writeFloats(body, values, n);
      continue;
    }
    const p = 10 ** exponent;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const m = Math.round(values[i]! * p);
      body.svarint(m - prev);
      prev = m;
    }
  }
  let payload = body.view();
  let flags = 0;
  if (deflate && payload.length >= DEFLATE_MIN) {
    const packed = deflateRawSync(payload);
    if (packed.length < payload.length) {
      payload = packed;
      flags |= FLAG_DEFLATED;
    }
  }
  head.byte(flags);
  head.uvarint(n);
  head.uvarint(tsBase + ts[0]!);
  head.byte(columns.length);
  for (const m of modes) head.byte(m);
  head.bytes(payload);
  return head.done();
}

export interface DecodedColumns {
  ts: Float64Array;
  columns: Float64Array[];
}

export function decodeColumns(buf: Uint8Array): DecodedColumns {
  const out: DecodedColumns = { ts: new Float64Array(0), columns: [] };
  decode(buf, (n, count) => {
    out.ts = new Float64Array(n);
    out.columns = Array.from({ length: count }, () => new Float64Array(n));
    return out;
  });
  return out;
}

/**
 * Arrays a chunk is decoded into, reused from chunk to chunk: a reader of many chunks (the
 * forecasting input reads tens of thousands) allocates no typed arrays per chunk.
 */
export class ColumnScratch implements DecodedColumns {
  ts = new Float64Array(256);
  columns: Float64Array[] = [];

  /** Room for n rows of `count` columns (the arrays may be longer than n). */
  reserve(n: number, count: number): this {
    if (this.ts.length < n) this.ts = new Float64Array(Math.max(n, this.ts.length * 2));
    for (let c = 0; c < count; c++)
      if ((this.columns[c]?.length ?? 0) < this.ts.length)
        this.columns[c] = new Float64Array(this.ts.length);
    return this;
  }
}

/**
 * Decode into `into`: rows 0 … n-1 of `into.ts` and of its first c columns are the chunk's.
 * Returns n and c. Valid until the next decode into the same scratch.
 */
export function decodeColumnsInto(
  buf: Uint8Array,
  into: ColumnScratch,
): { rows: number; count: number } {
  let rows = 0;
  let count = 0;
  decode(buf, (n, c) => {
    rows = n;
    count = c;
    return into.reserve(n, c);
  });
  return { rows, count };
}

/** Parse a chunk and decode it into the arrays `target(rows, columns)` gives. */
function decode(buf: Uint8Array, target: (n: number, count: number) => DecodedColumns): void {
  const r = new ByteReader(buf);
  const flags = r.byte();
  if (flags > FLAG_DEFLATED) throw new Error(`unknown chunk flags ${flags}`);
  const n = r.uvarint();
  if (n < 1 || n > 1 << 24) throw new Error(`bad chunk length ${n}`);
  const first = r.uvarint();
  const count = r.byte();
  if (count < 1 || count > 16) throw new Error(`bad column count ${count}`);
  const modes: number[] = [];
  for (let c = 0; c < count; c++) {
    const m = r.byte();
    if (m > MAX_EXPONENT && m !== FLOAT_COLUMN) throw new Error(`bad column mode ${m}`);
    modes.push(m);
  }
  const rest = r.rest();
  const body = new ByteReader(flags & FLAG_DEFLATED ? inflateRawSync(rest) : rest);
  const { ts, columns } = target(n, count);
  ts[0] = first;
  let delta = 0;
  for (let i = 1; i < n; i++) {
    delta += body.svarint();
    ts[i] = ts[i - 1]! + delta;
  }
  modes.forEach((mode, c) => {
    const values = columns[c]!;
    if (mode === FLOAT_COLUMN) readFloats(body, values, n);
    else {
      const p = 10 ** mode;
      let m = 0;
      for (let i = 0; i < n; i++) {
        m += body.svarint();
        values[i] = m / p;
      }
    }
  });
}

/** One value column: raw samples. */
export function encodeChunk(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  n: number,
): Uint8Array {
  return encodeColumns(ts, [values], n);
}

export interface DecodedChunk {
  ts: Float64Array;
  values: Float64Array;
}

export function decodeChunk(buf: Uint8Array): DecodedChunk {
  const { ts, columns } = decodeColumns(buf);
  if (columns.length !== 1)
    throw new Error(`a raw chunk has one value column, not ${columns.length}`);
  return { ts, values: columns[0]! };
}

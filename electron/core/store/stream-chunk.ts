// The open chunks of the head, encoded as samples arrive: timestamps as delta-of-deltas and
// values as decimal-integer deltas (or XORed float bits), zigzag varints — the codec's
// columnar format (codec.ts) without deflate, written incrementally. A series' newest samples
// cost ~3 bytes each instead of 12, and closing a chunk is a copy, not an encode (Prometheus'
// head chunks work the same way with Gorilla bits).
//
// All open chunks live in one table (OpenChunks): their state in typed-array columns indexed
// by a slot number, their two byte streams in cells of a shared ByteSlab. An object per open
// chunk (plus two byte arrays, each with its ArrayBuffer and backing store) cost ~900 bytes
// of the JS heap and the allocator per series before a single sample; a slot costs ~70.
import { ByteSlab } from './byte-slab.js';
import { decodeChunk } from './codec.js';

const FLOAT_MODE = 255;
const MAX_EXPONENT = 15;
const MAX_MANTISSA = 2 ** 51;
/** First cells of a fresh slot: they double as the chunk grows (and stay for the next chunk). */
const FIRST_CELL = 16;
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

const varintSize = (n: number) => {
  let size = 1;
  for (let x = n; x >= 128; x = Math.floor(x / 128)) size++;
  return size;
};

/** The header of a chunk: version 0, rows, first ts, one column, its mode. */
function header(rows: number, firstTs: number, mode: number): number[] {
  const head: number[] = [0];
  const push = (n: number) => {
    while (n >= 128) {
      head.push((n % 128) | 128);
      n = Math.floor(n / 128);
    }
    head.push(n);
  };
  push(rows);
  push(firstTs);
  head.push(1, mode);
  return head;
}

/** Growable typed columns: one row per slot. */
function grownF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
function grownI32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function grownU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
function grownU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

export class OpenChunks {
  rows = new Int32Array(0);
  firstTs = new Float64Array(0);
  lastTs = new Float64Array(0);
  /** When the chunk's hour ends (the series closes it at the first sample after). */
  hourEnd = new Float64Array(0);
  private prevDelta = new Float64Array(0);
  private prevMantissa = new Float64Array(0);
  private mode = new Uint8Array(0);
  private prevHi = new Uint32Array(0);
  private prevLo = new Uint32Array(0);
  private tsCell = new Int32Array(0);
  private tsLen = new Int32Array(0);
  private valCell = new Int32Array(0);
  private valLen = new Int32Array(0);
  private freeSlots: number[] = [];
  private nextSlot = 0;

  constructor(readonly slab: ByteSlab = new ByteSlab()) {}

  /** Slots in use (open chunks). */
  get size(): number {
    return this.nextSlot - this.freeSlots.length;
  }

  /** Slots the columns have room for (they grow by half when full). */
  get capacity(): number {
    return this.rows.length;
  }

  /** An empty open chunk: a freed slot first, else a new one. */
  acquire(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.nextSlot++;
      if (slot >= this.rows.length) this.growColumns(Math.max(64, Math.ceil(slot * 1.5)));
    }
    this.tsCell[slot] = this.slab.alloc(FIRST_CELL);
    this.valCell[slot] = this.slab.alloc(FIRST_CELL);
    this.reset(slot);
    return slot;
  }

  /** Give a slot and its cells back (the series left memory, or its chunk was handed over). */
  release(slot: number): void {
    this.slab.free(this.tsCell[slot]!);
    this.slab.free(this.valCell[slot]!);
    this.tsCell[slot] = -1;
    this.valCell[slot] = -1;
    this.rows[slot] = 0;
    this.freeSlots.push(slot);
  }

  /** Start a new chunk in the same slot and cells. */
  reset(slot: number): void {
    this.rows[slot] = 0;
    this.prevDelta[slot] = 0;
    this.prevMantissa[slot] = 0;
    this.prevHi[slot] = 0;
    this.prevLo[slot] = 0;
    this.tsLen[slot] = 0;
    this.valLen[slot] = 0;
  }

  append(slot: number, ts: number, value: number): void {
    const rows = this.rows[slot]!;
    if (rows === 0) {
      this.firstTs[slot] = ts;
      this.mode[slot] = exponentFor(value, 0);
    } else {
      // Widen first: it decodes what is written, which must be whole rows.
      const mode = this.mode[slot]!;
      if (mode !== FLOAT_MODE) {
        const p = 10 ** mode;
        const m = Math.round(value * p);
        if (Math.abs(m) >= MAX_MANTISSA || m / p !== value || Object.is(value, -0))
          this.widen(slot, value);
      }
      const delta = ts - this.lastTs[slot]!;
      this.svarint(slot, true, delta - this.prevDelta[slot]!);
      this.prevDelta[slot] = delta;
    }
    this.lastTs[slot] = ts;
    this.writeValue(slot, value);
    this.rows[slot] = rows + 1;
  }

  /** Bytes of the chunk in the codec's format. */
  encodedLength(slot: number): number {
    return (
      header(this.rows[slot]!, this.firstTs[slot]!, this.mode[slot]!).length +
      this.tsLen[slot]! +
      this.valLen[slot]!
    );
  }

  /** Write the chunk in the codec's format at `out[at]` (room for encodedLength); the end. */
  writeTo(slot: number, out: Uint8Array, at: number): number {
    const head = header(this.rows[slot]!, this.firstTs[slot]!, this.mode[slot]!);
    out.set(head, at);
    at += head.length;
    for (const [cell, len] of [
      [this.tsCell[slot]!, this.tsLen[slot]!],
      [this.valCell[slot]!, this.valLen[slot]!],
    ] as const) {
      const from = this.slab.offset(cell);
      out.set(this.slab.page(cell).subarray(from, from + len), at);
      at += len;
    }
    return at;
  }

  /** The chunk in the codec's format (decodeChunk reads it), in a new array. */
  bytes(slot: number): Uint8Array {
    const out = new Uint8Array(this.encodedLength(slot));
    this.writeTo(slot, out, 0);
    return out;
  }

  /** Every sample, decoded (for reads and the rare duplicate check). */
  decode(slot: number): { ts: Float64Array; values: Float64Array } {
    if (this.rows[slot] === 0) return { ts: new Float64Array(0), values: new Float64Array(0) };
    return decodeChunk(this.bytes(slot));
  }

  has(slot: number, ts: number): boolean {
    if (this.rows[slot] === 0 || ts < this.firstTs[slot]! || ts > this.lastTs[slot]!) return false;
    if (ts === this.lastTs[slot] || ts === this.firstTs[slot]) return true;
    return this.decode(slot).ts.includes(ts);
  }

  /** Bytes of cells held (capacity), for the head's figures. */
  byteSize(slot: number): number {
    return this.slab.capacity(this.tsCell[slot]!) + this.slab.capacity(this.valCell[slot]!);
  }

  private growColumns(n: number): void {
    this.rows = grownI32(this.rows, n);
    this.firstTs = grownF64(this.firstTs, n);
    this.lastTs = grownF64(this.lastTs, n);
    this.hourEnd = grownF64(this.hourEnd, n);
    this.prevDelta = grownF64(this.prevDelta, n);
    this.prevMantissa = grownF64(this.prevMantissa, n);
    this.mode = grownU8(this.mode, n);
    this.prevHi = grownU32(this.prevHi, n);
    this.prevLo = grownU32(this.prevLo, n);
    this.tsCell = grownI32(this.tsCell, n);
    this.tsLen = grownI32(this.tsLen, n);
    this.valCell = grownI32(this.valCell, n);
    this.valLen = grownI32(this.valLen, n);
  }

  /** Room for `extra` more bytes in a stream: a cell of the size that fits (not doubled). */
  private ensure(slot: number, ts: boolean, extra: number): void {
    const cell = ts ? this.tsCell[slot]! : this.valCell[slot]!;
    const len = ts ? this.tsLen[slot]! : this.valLen[slot]!;
    if (len + extra <= this.slab.capacity(cell)) return;
    const next = this.slab.grow(cell, len, len + extra);
    if (ts) this.tsCell[slot] = next;
    else this.valCell[slot] = next;
  }

  private uvarint(slot: number, ts: boolean, n: number): void {
    this.ensure(slot, ts, varintSize(n));
    const cell = ts ? this.tsCell[slot]! : this.valCell[slot]!;
    const page = this.slab.page(cell);
    let at = this.slab.offset(cell) + (ts ? this.tsLen[slot]! : this.valLen[slot]!);
    const start = at;
    while (n >= 128) {
      page[at++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    page[at++] = n;
    if (ts) this.tsLen[slot]! += at - start;
    else this.valLen[slot]! += at - start;
  }

  private svarint(slot: number, ts: boolean, n: number): void {
    this.uvarint(slot, ts, n >= 0 ? n * 2 : -n * 2 - 1);
  }

  private word(slot: number, x: number): void {
    this.ensure(slot, false, 4);
    const cell = this.valCell[slot]!;
    const page = this.slab.page(cell);
    const at = this.slab.offset(cell) + this.valLen[slot]!;
    page[at] = x >>> 24;
    page[at + 1] = (x >>> 16) & 255;
    page[at + 2] = (x >>> 8) & 255;
    page[at + 3] = x & 255;
    this.valLen[slot]! += 4;
  }

  private writeValue(slot: number, value: number): void {
    const mode = this.mode[slot]!;
    if (mode === FLOAT_MODE) {
      f64[0] = value;
      const lo = u32[0]!;
      const hi = u32[1]!;
      this.word(slot, (hi ^ this.prevHi[slot]!) >>> 0);
      this.word(slot, (lo ^ this.prevLo[slot]!) >>> 0);
      this.prevHi[slot] = hi;
      this.prevLo[slot] = lo;
      return;
    }
    const m = Math.round(value * 10 ** mode);
    this.svarint(slot, false, m - this.prevMantissa[slot]!);
    this.prevMantissa[slot] = m;
  }

  /** A value needs more precision than the chunk's exponent: re-encode its values (rare). */
  private widen(slot: number, value: number): void {
    const { values } = this.decode(slot);
    let mode = exponentFor(value, this.mode[slot]! + 1);
    if (mode !== FLOAT_MODE) {
      // Each earlier value must stay exact at the wider exponent too (a big one may not).
      const p = 10 ** mode;
      for (const v of values) {
        const m = Math.round(v * p);
        if (Math.abs(m) >= MAX_MANTISSA || m / p !== v || Object.is(v, -0)) mode = FLOAT_MODE;
      }
    }
    this.mode[slot] = mode;
    this.valLen[slot] = 0;
    this.prevMantissa[slot] = 0;
    this.prevHi[slot] = 0;
    this.prevLo[slot] = 0;
    for (const v of values) this.writeValue(slot, v);
  }
}

/**
 * One open chunk as an object: a view of a slot of an OpenChunks table (Series.open), or a
 * chunk of its own (tests, tools).
 */
export class StreamChunk {
  constructor(
    readonly table: OpenChunks = new OpenChunks(),
    readonly slot: number = table.acquire(),
  ) {}

  get rows(): number {
    return this.table.rows[this.slot]!;
  }

  get firstTs(): number {
    return this.table.firstTs[this.slot]!;
  }

  get lastTs(): number {
    return this.table.lastTs[this.slot]!;
  }

  reset(): void {
    this.table.reset(this.slot);
  }

  append(ts: number, value: number): void {
    this.table.append(this.slot, ts, value);
  }

  bytes(): Uint8Array {
    return this.table.bytes(this.slot);
  }

  decode(): { ts: Float64Array; values: Float64Array } {
    return this.table.decode(this.slot);
  }

  has(ts: number): boolean {
    return this.table.has(this.slot, ts);
  }

  byteSize(): number {
    return this.table.byteSize(this.slot);
  }
}

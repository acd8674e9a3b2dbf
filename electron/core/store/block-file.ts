// Immutable block files: the on-disk tiers of the metric store.
//
//   header   48 bytes: magic "MRDNBLK1", u32 version, u32 tier, f64 start, f64 end,
//            f64 seq (L0: its flush number; derived tiers: the highest L0 seq merged in), u32 0
//   data     chunk payloads (codec.ts), back to back
//   index    40-byte records sorted by (series id, min ts):
//            u32 series id, u32 rows, f64 min ts, f64 max ts, f64 offset, u32 length, u32 crc32
//   footer   40 bytes: f64 index offset, u32 records, u32 index crc32, f64 min ts, f64 max ts,
//            "MRDNEND1"
//
// Files are written to a temp name, fsynced, renamed into place and the directory fsynced,
// so a crash leaves either the whole file or none (a leftover `.tmp` is deleted at start). A
// file whose footer, index checksum or chunk checksum does not match is damaged: it is
// reported, never half-read. The index stays on disk: a reader keeps one fence entry per
// FENCE records in memory and reads a record run with one pread, so RAM does not grow with
// the number of series × files.
import { fstatSync, readSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDir } from '../state/durable-file.js';
import { blockFds } from './fd-cache.js';

export const TIERS = ['l0', 'raw', '1m', '1h'] as const;
export type BlockTier = (typeof TIERS)[number];

const MAGIC = Buffer.from('MRDNBLK1');
const END_MAGIC = Buffer.from('MRDNEND1');
const VERSION = 1;
const HEADER = 48;
const RECORD = 40;
const FOOTER = 40;
/** Records per fence entry: one pread of 64 × 40 bytes finds a series. */
const FENCE = 64;
/** Batched reads take in gaps up to this many bytes rather than issue another pread. */
const READ_GAP = 64 << 10;
/** The most bytes one batched pread reads (a block's chunks may total hundreds of MB). */
const READ_MAX = 8 << 20;

export interface BlockMeta {
  tier: BlockTier;
  /** The span the block is for (L0: the times its samples cover). */
  start: number;
  end: number;
  seq: number;
}

export interface ChunkRef {
  seriesId: number;
  rows: number;
  minTs: number;
  maxTs: number;
  offset: number;
  length: number;
  crc: number;
}

export class BlockDamagedError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${basename(path)}: ${problem}`);
  }
}

/** Writes one block: add chunks in any order, then `finish()` makes the file durable. */
export class BlockWriter {
  private readonly records: ChunkRef[] = [];
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset = HEADER;
  private minTs = Infinity;
  private maxTs = -Infinity;
  private handle: Awaited<ReturnType<typeof open>> | null = null;
  private writes: Promise<void> = Promise.resolve();
  /** Bytes handed to the file and not yet written. */
  private unwritten = 0;

  private constructor(
    readonly path: string,
    private readonly meta: BlockMeta,
  ) {}

  static async create(path: string, meta: BlockMeta): Promise<BlockWriter> {
    const w = new BlockWriter(path, meta);
    w.handle = await open(`${path}.tmp`, 'w', 0o600);
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(VERSION, 8);
    header.writeUInt32LE(TIERS.indexOf(meta.tier), 12);
    header.writeDoubleLE(meta.start, 16);
    header.writeDoubleLE(meta.end, 24);
    header.writeDoubleLE(meta.seq, 32);
    w.push(header);
    return w;
  }

  get chunks(): number {
    return this.records.length;
  }

  get rows(): number {
    let n = 0;
    for (const r of this.records) n += r.rows;
    return n;
  }

  add(seriesId: number, rows: number, minTs: number, maxTs: number, bytes: Uint8Array): void {
    this.records.push({
      seriesId,
      rows,
      minTs,
      maxTs,
      offset: this.offset,
      length: bytes.length,
      crc: crc32(bytes),
    });
    this.offset += bytes.length;
    if (minTs < this.minTs) this.minTs = minTs;
    if (maxTs > this.maxTs) this.maxTs = maxTs;
    this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  private push(buf: Buffer): void {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= 1 << 20) this.drain();
  }

  private drain(): void {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending.length = 0;
    this.pendingBytes = 0;
    const handle = this.handle!;
    this.unwritten += data.length;
    // appendFile loops until every byte is written (a bare write may stop short on a full disk).
    this.writes = this.writes.then(async () => {
      await handle.appendFile(data);
      this.unwritten -= data.length;
    });
  }

  /**
   * Wait while more than a few MB wait to be written. A compaction adds chunks in a loop:
   * without this, a whole block would sit in memory before the first byte reached the disk.
   */
  async room(): Promise<void> {
    if (this.unwritten > 4 << 20) await this.writes;
  }

  /** Write index and footer, fsync, rename into place, fsync the directory. Returns bytes. */
  async finish(): Promise<number> {
    this.records.sort((a, b) => a.seriesId - b.seriesId || a.minTs - b.minTs);
    const index = Buffer.alloc(this.records.length * RECORD);
    this.records.forEach((r, i) => {
      const at = i * RECORD;
      index.writeUInt32LE(r.seriesId, at);
      index.writeUInt32LE(r.rows, at + 4);
      index.writeDoubleLE(r.minTs, at + 8);
      index.writeDoubleLE(r.maxTs, at + 16);
      index.writeDoubleLE(r.offset, at + 24);
      index.writeUInt32LE(r.length, at + 32);
      index.writeUInt32LE(r.crc, at + 36);
    });
    const footer = Buffer.alloc(FOOTER);
    footer.writeDoubleLE(this.offset, 0);
    footer.writeUInt32LE(this.records.length, 8);
    footer.writeUInt32LE(crc32(index), 12);
    footer.writeDoubleLE(this.records.length ? this.minTs : this.meta.start, 16);
    footer.writeDoubleLE(this.records.length ? this.maxTs : this.meta.start, 24);
    END_MAGIC.copy(footer, 32);
    this.push(index);
    this.push(footer);
    this.drain();
    const handle = this.handle!;
    try {
      await this.writes;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${this.path}.tmp`, this.path);
    await syncDir(dirname(this.path));
    return this.offset + index.length + FOOTER;
  }

  /** Give up: the temp file goes (a full disk must not be left fuller). */
  async abort(): Promise<void> {
    await this.writes.catch(() => {});
    await this.handle?.close().catch(() => {});
    await rm(`${this.path}.tmp`, { force: true });
  }
}

/**
 * Reads one block. Opening checks header, footer and the index checksum; reading a chunk
 * checks its own checksum. Reads are synchronous preads on an open descriptor: the file
 * never changes, and the page cache keeps hot blocks in memory.
 */
export class BlockReader {
  readonly meta: BlockMeta;
  readonly minTs: number;
  readonly maxTs: number;
  readonly records: number;
  /** Samples (raw tiers) or buckets (rollup tiers) in the block. */
  readonly rows: number;
  readonly bytes: number;
  private readonly indexOffset: number;
  /** Series id of every FENCE-th record. */
  private readonly fence: Uint32Array;
  private closed = false;

  constructor(readonly path: string) {
    try {
      this.bytes = fstatSync(blockFds.get(path)).size;
      if (this.bytes < HEADER + FOOTER) throw new BlockDamagedError(path, 'too short');
      const header = this.read(0, HEADER);
      if (!header.subarray(0, 8).equals(MAGIC)) throw new BlockDamagedError(path, 'bad magic');
      if (header.readUInt32LE(8) !== VERSION)
        throw new BlockDamagedError(path, `version ${header.readUInt32LE(8)}`);
      const tier = TIERS[header.readUInt32LE(12)];
      if (!tier) throw new BlockDamagedError(path, 'unknown tier');
      this.meta = {
        tier,
        start: header.readDoubleLE(16),
        end: header.readDoubleLE(24),
        seq: header.readDoubleLE(32),
      };
      const footer = this.read(this.bytes - FOOTER, FOOTER);
      if (!footer.subarray(32, 40).equals(END_MAGIC))
        throw new BlockDamagedError(path, 'no footer (torn)');
      this.indexOffset = footer.readDoubleLE(0);
      this.records = footer.readUInt32LE(8);
      this.minTs = footer.readDoubleLE(16);
      this.maxTs = footer.readDoubleLE(24);
      if (this.indexOffset + this.records * RECORD !== this.bytes - FOOTER)
        throw new BlockDamagedError(path, 'index does not fit the file');
      const index = this.read(this.indexOffset, this.records * RECORD);
      if (crc32(index) !== footer.readUInt32LE(12))
        throw new BlockDamagedError(path, 'index checksum mismatch');
      this.fence = new Uint32Array(Math.ceil(this.records / FENCE));
      for (let i = 0; i < this.fence.length; i++)
        this.fence[i] = index.readUInt32LE(i * FENCE * RECORD);
      let rows = 0;
      for (let i = 0; i < this.records; i++) rows += index.readUInt32LE(i * RECORD + 4);
      this.rows = rows;
    } catch (err) {
      blockFds.release(path);
      throw err;
    }
  }

  /** The chunks of one series overlapping [from, to), in time order. */
  chunksOf(seriesId: number, from = -Infinity, to = Infinity): ChunkRef[] {
    if (this.records === 0 || to <= this.minTs || from > this.maxTs) return [];
    // The last fence entry at or before the id; the run may start in the entry before it.
    let lo = 0;
    let hi = this.fence.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fence[mid]! < seriesId) lo = mid + 1;
      else hi = mid;
    }
    const out: ChunkRef[] = [];
    for (let f = Math.max(0, lo - 1); f < this.fence.length; f++) {
      if (this.fence[f]! > seriesId) break;
      const first = f * FENCE;
      const n = Math.min(FENCE, this.records - first);
      const run = this.read(this.indexOffset + first * RECORD, n * RECORD);
      for (let i = 0; i < n; i++) {
        const at = i * RECORD;
        const id = run.readUInt32LE(at);
        if (id < seriesId) continue;
        if (id > seriesId) return out;
        const r = recordAt(run, at);
        if (r.maxTs >= from && r.minTs < to) out.push(r);
      }
    }
    return out;
  }

  /**
   * The chunks of many series (`ids` ascending) overlapping [from, to), with their bytes:
   * `visit` gets them in (series, time) order, `damaged` each chunk whose checksum fails.
   * The index runs that hold the ids are read with as few preads as their spread allows (one
   * when the ids are dense in the block), and so are the chunks: one pread per stretch of the
   * file with no gap over READ_GAP, instead of one per record run and one per chunk.
   */
  readChunksOf(
    ids: readonly number[],
    from: number,
    to: number,
    visit: (ref: ChunkRef, bytes: Uint8Array) => void,
    damaged: (err: BlockDamagedError) => void,
  ): void {
    if (ids.length === 0 || this.records === 0 || to <= this.minTs || from > this.maxTs) return;
    const refs: ChunkRef[] = [];
    let next = 0;
    for (const [first, end] of this.recordRanges(ids)) {
      const run = this.read(this.indexOffset + first * RECORD, (end - first) * RECORD);
      for (let at = 0; at < run.length; at += RECORD) {
        const id = run.readUInt32LE(at);
        while (next < ids.length && ids[next]! < id) next++;
        if (next === ids.length) break;
        if (ids[next] !== id) continue;
        const maxTs = run.readDoubleLE(at + 16);
        const minTs = run.readDoubleLE(at + 8);
        if (maxTs >= from && minTs < to) refs.push(recordAt(run, at));
      }
    }
    // Chunks are written in index order, so the refs are in file order too, and stretches of
    // the file are read whole. Otherwise (not written by this store) chunk by chunk.
    const inFileOrder = refs.every((r, i) => i === 0 || r.offset >= refs[i - 1]!.offset);
    for (let i = 0; i < refs.length;) {
      const start = refs[i]!.offset;
      let end = start + refs[i]!.length;
      let j = i + 1;
      while (inFileOrder && j < refs.length) {
        const r = refs[j]!;
        if (r.offset - end > READ_GAP || r.offset + r.length - start > READ_MAX) break;
        end = Math.max(end, r.offset + r.length);
        j++;
      }
      const stretch = this.read(start, end - start);
      for (; i < j; i++) {
        const r = refs[i]!;
        const bytes = stretch.subarray(r.offset - start, r.offset - start + r.length);
        if (crc32(bytes) === r.crc) visit(r, bytes);
        else
          damaged(
            new BlockDamagedError(this.path, `chunk of series ${r.seriesId} checksum mismatch`),
          );
      }
    }
  }

  /**
   * The record ranges [first, end) that may hold `ids` (ascending): per id, the fence runs
   * from the one before its first fence entry to its last, merged where they touch or lie
   * within READ_GAP of each other.
   */
  private recordRanges(ids: readonly number[]): [number, number][] {
    const ranges: [number, number][] = [];
    const gap = Math.floor(READ_GAP / RECORD);
    for (const id of ids) {
      // First fence entry ≥ id, and first > id: the run may start in the entry before.
      const lo = Math.max(0, lowerBound(this.fence, id) - 1);
      const hi = lowerBound(this.fence, id + 1);
      const first = lo * FENCE;
      const end = Math.min(this.records, Math.max(hi, lo + 1) * FENCE);
      const last = ranges[ranges.length - 1];
      if (last && first - last[1] <= gap) last[1] = Math.max(last[1], end);
      else ranges.push([first, end]);
    }
    return ranges;
  }

  /** Every record, in (series, time) order (for merges). */
  *allChunks(): Generator<ChunkRef> {
    const batch = 4096;
    for (let first = 0; first < this.records; first += batch) {
      const n = Math.min(batch, this.records - first);
      const run = this.read(this.indexOffset + first * RECORD, n * RECORD);
      for (let i = 0; i < n; i++) yield recordAt(run, i * RECORD);
    }
  }

  /** A chunk's bytes, checked against its checksum. */
  chunk(ref: ChunkRef): Uint8Array {
    const bytes = this.read(ref.offset, ref.length);
    if (crc32(bytes) !== ref.crc)
      throw new BlockDamagedError(this.path, `chunk of series ${ref.seriesId} checksum mismatch`);
    return bytes;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    blockFds.release(this.path);
  }

  private read(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(blockFds.get(this.path), buf, done, length - done, position + done);
      if (n === 0) throw new BlockDamagedError(this.path, 'unexpected end of file');
      done += n;
    }
    return buf;
  }
}

/** The first index of `sorted` whose value is ≥ `x` (its length if none). */
function lowerBound(sorted: Uint32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function recordAt(buf: Buffer, at: number): ChunkRef {
  return {
    seriesId: buf.readUInt32LE(at),
    rows: buf.readUInt32LE(at + 4),
    minTs: buf.readDoubleLE(at + 8),
    maxTs: buf.readDoubleLE(at + 16),
    offset: buf.readDoubleLE(at + 24),
    length: buf.readUInt32LE(at + 32),
    crc: buf.readUInt32LE(at + 36),
  };
}

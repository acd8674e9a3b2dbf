// One segment file of the event log: `seg-<seq>.ndjson`, one CRC-checked JSON event a line
// (electron/core/checked-line.ts). Appends are group commits: every line queued while the
// previous write+fsync ran goes out in the next one, and each caller's promise resolves only
// once its lines are on disk, which is when the agent's batch may be acked.
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeLine, encodeLine } from '../checked-line.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { StoredEvent } from '../../../shared/model.js';
import { ROW_WIDTH } from './segment-index.js';

const SEGMENT_RE = /^seg-(\d{10})\.ndjson$/;
export const segmentName = (seq: number) => `seg-${String(seq).padStart(10, '0')}.ndjson`;
/** Write at once when this much is waiting, whatever the timer says. */
const EAGER_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export async function listSegmentSeqs(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((n) => SEGMENT_RE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The segment's index: rows are prepared as events queue, added once their lines are on disk. */
export interface RowSink {
  prepareRow(event: StoredEvent, out: number[]): void;
  addRow(rows: readonly number[], at: number, offset: number, length: number): void;
}

/** Lines queued for one group commit: their bytes, and the index rows waiting for them. */
class PendingGroup {
  bytes: Buffer = Buffer.allocUnsafe(0);
  used = 0;
  /** Each line's byte length, newline included. */
  readonly lengths: number[] = [];
  /** ROW_WIDTH numbers per line (RowSink.prepareRow). */
  readonly rows: number[] = [];

  /** Encode `line` at the end, growing the buffer by doubling. */
  push(line: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8: room for that is room enough.
    const need = this.used + line.length * 3;
    if (need > this.bytes.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.bytes.length * 2, 64 * 1024));
      this.bytes.copy(next, 0, 0, this.used);
      this.bytes = next;
    }
    const n = this.bytes.write(line, this.used, 'utf8');
    this.lengths.push(n);
    this.used += n;
  }
}

export class SegmentAppender {
  private handle: Promise<FileHandle>;
  // Bytes in a Buffer and index rows in number arrays, not an object and a string per event:
  // what waits for the fsync lives outside the young generation's copying.
  private pending = new PendingGroup();
  private waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: TimerHandle | null = null;
  /** Set when a failed write could not be cut back: the segment takes no more lines. */
  failed: Error | null = null;

  constructor(
    readonly seq: number,
    path: string,
    /** Bytes of whole lines already in the file (replayed). */
    public size: number,
    private readonly clock: Clock,
    private readonly flushMs: number,
    private readonly index: RowSink,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.handle = open(path, 'a', 0o600);
    this.handle.catch(() => {}); // surfaced through the first write's waiters
  }

  /** Bytes queued and not yet on disk. */
  get pendingBytes(): number {
    return this.pending.used;
  }

  opened(): Promise<void> {
    return this.handle.then(() => undefined);
  }

  append(events: readonly StoredEvent[]): Promise<void> {
    const group = this.pending;
    for (const event of events) {
      group.push(encodeLine(JSON.stringify(event)));
      this.index.prepareRow(event, group.rows);
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (group.used >= EAGER_BYTES) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), this.flushMs);
    return done;
  }

  /** Write what is queued, wait for every write, close the file. */
  async close(): Promise<void> {
    this.flush();
    await this.writing;
    await this.handle.then((h) => h.close()).catch(() => {});
  }

  private flush(): void {
    this.timer?.cancel();
    this.timer = null;
    const group = this.pending;
    if (group.lengths.length === 0) return;
    const waiters = this.waiters;
    this.pending = new PendingGroup();
    this.waiters = [];
    this.writing = this.writing.then(async () => {
      try {
        if (this.failed) throw this.failed;
        const handle = await this.handle;
        // appendFile loops until every byte is written (a bare write() may stop short).
        await handle.appendFile(group.bytes.subarray(0, group.used));
        await handle.datasync();
        let offset = this.size;
        const { lengths, rows } = group;
        for (let i = 0; i < lengths.length; i++) {
          this.index.addRow(rows, i * ROW_WIDTH, offset, lengths[i]! - 1);
          offset += lengths[i]!;
        }
        this.size = offset;
        for (const w of waiters) w.resolve();
      } catch (err) {
        // A short write (disk full) may have left part of a line: cut back to the last whole
        // line so later lines are not glued to torn bytes. Only if that fails too is the
        // segment given up (the store starts a new one).
        if (!this.failed) {
          try {
            await (await this.handle).truncate(this.size);
          } catch {
            this.failed = err as Error;
          }
        }
        this.onFailure(err as Error);
        for (const w of waiters) w.reject(err as Error);
      }
    });
  }
}

export interface SegmentReplay {
  /** Bytes of whole, valid-or-skipped lines; a torn tail starts here. */
  wholeBytes: number;
  torn: number;
  corrupt: number;
}

/**
 * Read a segment, calling `take` with each valid event and its line's offset and length
 * (without the newline). A last line without its newline is torn (a write a crash cut
 * short): skipped and counted. A line whose checksum fails is corrupt: skipped and counted.
 */
export async function replaySegment(
  path: string,
  take: (event: StoredEvent, offset: number, length: number) => void,
): Promise<SegmentReplay> {
  const handle = await open(path, 'r');
  const out: SegmentReplay = { wholeBytes: 0, torn: 0, corrupt: 0 };
  try {
    const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    let carry = Buffer.alloc(0);
    let base = 0; // file offset of carry[0]
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf =
        carry.length > 0
          ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
          : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
        const event = nl > start ? parseLine(buf, start, nl) : null;
        if (event) take(event, base + start, nl - start);
        else if (nl > start) out.corrupt++;
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(start));
      base += start;
    }
    out.wholeBytes = base;
    if (carry.length > 0) out.torn++;
  } finally {
    await handle.close();
  }
  return out;
}

/**
 * The event on bytes [start, end) of `buf`, or null for a torn or corrupt line. The checksum is
 * taken on the bytes themselves (no string round trip): replay does this a million times.
 */
export function parseLine(buf: Buffer, start: number, end: number): StoredEvent | null {
  if (end - start < 10 || buf[start + 8] !== 0x20) return null;
  const want = buf.toString('latin1', start, start + 8);
  if (
    crc32(buf.subarray(start + 9, end))
      .toString(16)
      .padStart(8, '0') !== want
  )
    return null;
  try {
    const e = JSON.parse(buf.toString('utf8', start + 9, end)) as StoredEvent;
    return typeof e === 'object' && e !== null && typeof e.ts === 'number' ? e : null;
  } catch {
    return null;
  }
}

/** Read `count` line payloads of one segment at the given offsets, coalescing near ones. */
export async function readLines(
  dir: string,
  seq: number,
  spans: readonly { offset: number; length: number }[],
): Promise<(string | null)[]> {
  const out: (string | null)[] = new Array<string | null>(spans.length).fill(null);
  if (spans.length === 0) return out;
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.offset - spans[b]!.offset);
  const handle = await open(join(dir, segmentName(seq)), 'r');
  try {
    // Runs of lines less than 64 KiB apart, up to 4 MiB each, read at once and in parallel.
    const runs: [number, number][] = [];
    let i = 0;
    while (i < order.length) {
      const first = spans[order[i]!]!;
      let end = first.offset + first.length;
      let j = i + 1;
      while (j < order.length) {
        const s = spans[order[j]!]!;
        if (s.offset - end > 64 * 1024 || s.offset + s.length - first.offset > 4 * 1024 * 1024)
          break;
        end = Math.max(end, s.offset + s.length);
        j++;
      }
      runs.push([i, j]);
      i = j;
    }
    await Promise.all(
      runs.map(async ([from, to]) => {
        const first = spans[order[from]!]!;
        const last = spans[order[to - 1]!]!;
        const buf = Buffer.allocUnsafe(
          Math.max(last.offset + last.length, first.offset + first.length) - first.offset,
        );
        const { bytesRead } = await handle.read(buf, 0, buf.length, first.offset);
        for (let k = from; k < to; k++) {
          const s = spans[order[k]!]!;
          const at = s.offset - first.offset;
          if (at + s.length > bytesRead) continue;
          out[order[k]!] = decodeLine(buf.toString('utf8', at, at + s.length));
        }
      }),
    );
  } finally {
    await handle.close();
  }
  return out;
}

import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Clock, TimerHandle } from '../clock.js';

const SEGMENT_RE = /^wal-(\d{8})\.ndjson$/;
const segmentName = (n: number) => `wal-${String(n).padStart(8, '0')}.ndjson`;
/** Write early when this much is waiting, whatever the timer says. */
const EAGER_BYTES = 4 * 1024 * 1024;

interface Segment {
  number: number;
  handle: Promise<FileHandle>;
  /** Whole checksummed lines, as bytes. */
  pending: Buffer[];
  pendingBytes: number;
  waiters: { resolve: () => void; reject: (err: Error) => void }[];
  writing: Promise<void>;
  /** Bytes of whole lines on disk: a failed write is cut back to this. */
  size: number;
  /** Set when a write failed and could not be cut back: the segment takes no more lines. */
  failed: Error | null;
}

/** What the WAL tells its owner about the disk (the core pauses ingest on failures). */
export interface WalObserver {
  writeFailed(err: Error): void;
  writeSucceeded(): void;
}

// The line format is shared with the record logs; re-exported for the WAL's callers.
export { decodeLine, encodeLine } from '../checked-line.js';

/**
 * Append-only write-ahead log in numbered NDJSON segments, one checksummed line per batch.
 * Lines are written and fsynced in groups (group commit) at most `flushMs` apart; `append`
 * resolves once its line is on disk, which is when the agent's batch may be acked.
 */
export class WriteAheadLog {
  private current: Segment | null = null;
  private timer: TimerHandle | null = null;
  bytesWritten = 0;
  linesWritten = 0;
  /** Bytes taken by `append` and not yet on disk (queued or being written). */
  queuedBytes = 0;
  /** Failed group commits (each also rejects its lines' `append`). */
  writeFailures = 0;

  constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private readonly flushMs: number,
    private readonly observer: WalObserver | null = null,
  ) {}

  /**
   * Open a fresh segment after the newest on disk and after `coveredThrough` (the segment a
   * checkpoint covers), so new lines never land in a segment that replay would skip.
   */
  async open(coveredThrough = 0): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const existing = await listSegments(this.dir);
    this.current = this.startSegment(
      Math.max(existing[existing.length - 1] ?? 0, coveredThrough) + 1,
    );
    // The file exists (and an unwritable data dir fails here) once open() resolves.
    await this.current.handle;
  }

  get segmentNumber(): number {
    return this.current?.number ?? 0;
  }

  append(payload: string | Uint8Array): Promise<void> {
    return this.appendAll([payload]);
  }

  /**
   * Several lines, in order, in the same group commit; one promise for all of them. A payload
   * is text or its UTF-8 bytes (a batch line is built as bytes: no string per sample).
   */
  appendAll(payloads: readonly (string | Uint8Array)[]): Promise<void> {
    let seg = this.current;
    if (!seg) return Promise.reject(new Error('WAL is not open'));
    // A segment that could not be cut back after a failed write ends in a torn line: the
    // next line starts a new segment (once, not once per failure).
    if (seg.failed) seg = this.current = this.startSegment(seg.number + 1);
    for (const payload of payloads) {
      const line = encodeLineBytes(typeof payload === 'string' ? Buffer.from(payload) : payload);
      seg.pending.push(line);
      seg.pendingBytes += line.length;
      this.queuedBytes += line.length;
    }
    const done = new Promise<void>((resolve, reject) => seg.waiters.push({ resolve, reject }));
    if (seg.pendingBytes >= EAGER_BYTES) this.flush(seg);
    else this.timer ??= this.clock.setTimeout(() => this.flush(seg), this.flushMs);
    return done;
  }

  /**
   * Start a new segment, synchronously: lines appended after this call go to the new one.
   * Resolves with the number of the closed segment once all its lines are on disk.
   */
  rotate(): Promise<number> {
    const old = this.current!;
    this.current = this.startSegment(old.number + 1);
    return this.closeSegment(old).then(() => old.number);
  }

  async close(): Promise<void> {
    if (!this.current) return;
    const seg = this.current;
    this.timer?.cancel();
    this.timer = null;
    this.current = null;
    await this.closeSegment(seg);
  }

  /** Delete every segment up to and including `number` (its data is in a checkpoint). */
  async dropThrough(number: number): Promise<void> {
    for (const n of await listSegments(this.dir)) {
      if (n <= number) await rm(join(this.dir, segmentName(n)), { force: true });
    }
  }

  private startSegment(number: number): Segment {
    this.timer?.cancel();
    this.timer = null;
    const handle = open(join(this.dir, segmentName(number)), 'a', 0o600);
    handle.catch(() => {}); // surfaced through the waiters of the first write
    return {
      number,
      handle,
      pending: [],
      pendingBytes: 0,
      waiters: [],
      writing: Promise.resolve(),
      size: 0,
      failed: null,
    };
  }

  private async closeSegment(seg: Segment): Promise<void> {
    this.flush(seg);
    await seg.writing;
    // A segment whose file never opened, or was given up after a failure, has nothing to close.
    await seg.handle.then((h) => h.close()).catch(() => {});
  }

  private flush(seg: Segment): void {
    if (seg === this.current) {
      this.timer?.cancel();
      this.timer = null;
    }
    if (seg.pending.length === 0) return;
    const lines = seg.pending;
    const waiters = seg.waiters;
    const groupBytes = seg.pendingBytes;
    seg.pending = [];
    seg.waiters = [];
    seg.pendingBytes = 0;
    seg.writing = seg.writing.then(async () => {
      try {
        if (seg.failed) throw seg.failed;
        const handle = await seg.handle;
        const data = lines.length === 1 ? lines[0]! : Buffer.concat(lines);
        // appendFile loops until every byte is written (a bare write() may stop short).
        await handle.appendFile(data);
        await handle.datasync();
        const bytes = data.length;
        seg.size += bytes;
        this.bytesWritten += bytes;
        this.linesWritten += lines.length;
        this.queuedBytes -= groupBytes;
        for (const w of waiters) w.resolve();
        this.observer?.writeSucceeded();
      } catch (err) {
        this.queuedBytes -= groupBytes;
        this.writeFailures++;
        // A short write (disk full) may have left part of a line: cut the segment back to its
        // last whole line, so later lines are not glued to torn bytes, and keep using it. Only
        // when that fails too does the segment take no more lines.
        if (!seg.failed) {
          try {
            const handle = await seg.handle;
            await handle.truncate(seg.size);
          } catch {
            seg.failed = err as Error;
            void seg.handle.then((h) => h.close()).catch(() => {});
          }
        }
        for (const w of waiters) w.reject(err as Error);
        this.observer?.writeFailed(err as Error);
      }
    });
  }
}

export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => SEGMENT_RE.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface ReplayResult {
  lines: number;
  /** Lines with a bad checksum or content: damage on disk, data lost (raised as an alert). */
  corrupt: number;
  /** A last line without its newline: a write cut short by a crash, never acked. */
  torn: number;
  segments: number;
}

const NEWLINE = 0x0a;

/** encodeLine (checked-line.ts) of a payload given as bytes: `<crc32 hex> <payload>\n`. */
function encodeLineBytes(payload: Uint8Array): Buffer {
  const line = Buffer.allocUnsafe(payload.length + 10);
  line.write(crc32(payload).toString(16).padStart(8, '0'), 0, 'latin1');
  line[8] = 0x20;
  line.set(payload, 9);
  line[line.length - 1] = NEWLINE;
  return line;
}

function hexValue(buf: Buffer, start: number): number {
  let v = 0;
  for (let i = start; i < start + 8; i++) {
    const c = buf[i]!;
    const d = c >= 97 ? c - 87 : c >= 65 ? c - 55 : c - 48;
    if (d < 0 || d > 15) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Feed the payload of every good line of the segments after `afterSegment` to `apply`, as a
 * byte range of a Buffer (replay parses bytes, never whole strings: it must be fast on a
 * multi-GB log). Corrupt lines (bad checksum, or a payload `apply` refuses) and a torn last
 * line (no newline: a crash mid-write) are skipped and counted apart.
 */
export async function replay(
  dir: string,
  afterSegment: number,
  apply: (buf: Buffer, start: number, end: number) => void,
): Promise<ReplayResult> {
  const result: ReplayResult = { lines: 0, corrupt: 0, torn: 0, segments: 0 };
  const take = (buf: Buffer, start: number, end: number) => {
    if (end === start) return;
    if (end - start < 10 || buf[start + 8] !== 0x20) {
      result.corrupt++;
      return;
    }
    if (hexValue(buf, start) !== crc32(buf.subarray(start + 9, end))) {
      result.corrupt++;
      return;
    }
    try {
      apply(buf, start + 9, end);
      result.lines++;
    } catch {
      result.corrupt++;
    }
  };
  for (const n of await listSegments(dir)) {
    if (n <= afterSegment) continue;
    result.segments++;
    let carry: Buffer | null = null;
    for await (const data of createReadStream(join(dir, segmentName(n)), {
      highWaterMark: 8 * 1024 * 1024,
    })) {
      const buf = data as Buffer;
      let start = 0;
      if (carry) {
        // Only the line cut at the read boundary is copied, not the whole read.
        const nl = buf.indexOf(NEWLINE);
        if (nl < 0) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        const line = Buffer.concat([carry, buf.subarray(0, nl)]);
        take(line, 0, line.length);
        start = nl + 1;
      }
      for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
        take(buf, start, nl);
        start = nl + 1;
      }
      carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
    }
    // A last line without its newline was torn by a crash mid-write (its batch was never
    // acked: acks wait for the fsync of whole lines).
    if (carry) result.torn++;
  }
  return result;
}

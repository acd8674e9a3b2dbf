// A durable keyed-record log: one checksummed NDJSON line per upsert or delete, appended in
// group commits, replayed on open, compacted when dead lines outweigh live ones. For data
// that grows with the fleet (the agent registry; later incidents, security events), which a
// whole-file rewrite per change cannot carry.
//
//   <crc32> ["p","<key>",<value>]   upsert: the key now holds this value
//   <crc32> ["d","<key>"]           delete
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeLine, decodeLine } from '../checked-line.js';
import type { Clock, TimerHandle } from '../clock.js';
import { readLineFile } from '../line-file.js';
import { syncDir } from './durable-file.js';

export interface RecordLogOptions<T> {
  path: string;
  clock: Clock;
  /** Check a replayed value; null drops that update (counted as invalid). */
  parse(value: unknown, key: string): T | null;
  /** Group-commit window: appends within it share one write and one fsync. */
  flushMs?: number;
  /** Compact when the file is larger than this many times its live records… */
  compactRatio?: number;
  /** …and at least this large (small logs are not worth rewriting). */
  minCompactBytes?: number;
  /** After a failed write, retry (by rewriting the whole log) this much later. */
  retryMs?: number;
  /** Every durable write: an appended group, or a whole rewrite (compaction or repair). */
  onWrite?(write: { kind: 'append' | 'compact'; lines: number; bytes: number }): void;
  onError?(err: Error): void;
}

export interface ReplayStats {
  /** Lines read, good or not. */
  lines: number;
  /** Live records after replay. */
  records: number;
  /** Torn or corrupt lines skipped (bad checksum, not JSON, no newline at the end). */
  corrupt: number;
  /** Well-formed lines whose value `parse` refused. */
  invalid: number;
  bytes: number;
}

interface Group {
  lines: string[];
  bytes: number;
  keys: Set<string>;
  promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

const WRITE_CHUNK_BYTES = 1024 * 1024;
/** Write early when this much is waiting, whatever the timer says. */
const EAGER_BYTES = 4 * 1024 * 1024;

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Nobody need wait for a write; a failure is reported through onError and the retry.
  promise.catch(() => {});
  return { lines: [], bytes: 0, keys: new Set(), promise, resolve, reject };
}

export class RecordLogClosedError extends Error {
  constructor(path: string) {
    super(`record log ${path} is closed`);
  }
}

export class RecordLog<T> {
  /** Each live key's newest line, as written: compaction concatenates these. */
  private readonly lines = new Map<string, string>();
  /** Keys whose newest change waits in a group not yet on disk. */
  private readonly unsynced = new Map<string, Group>();
  private current = newGroup();
  private liveBytes = 0;
  private fileBytes = 0;
  private handle: FileHandle | null = null;
  private timer: TimerHandle | null = null;
  private writing: Promise<void> | null = null;
  /** A write failed, so the file may end in a torn line: the next write rewrites it whole. */
  private needsRewrite = false;
  /** The file ends in a torn line (found on open): start the next append on a fresh line. */
  private needsNewline = false;
  /** close() is writing the last group: a failure now is final, not retried. */
  private closing = false;
  private closed = false;
  private readonly tempPath: string;

  constructor(private readonly opts: RecordLogOptions<T>) {
    this.tempPath = `${opts.path}.compact`;
  }

  get path(): string {
    return this.opts.path;
  }

  get size(): number {
    return this.lines.size;
  }

  /** Bytes in the file now, and in its live records (what a compaction would leave). */
  get bytes(): { file: number; live: number } {
    return { file: this.fileBytes, live: this.liveBytes };
  }

  has(key: string): boolean {
    return this.lines.has(key);
  }

  keys(): IterableIterator<string> {
    return this.lines.keys();
  }

  get(key: string): T | undefined {
    const line = this.lines.get(key);
    return line === undefined ? undefined : (JSON.parse(line.slice(9)) as [string, string, T])[2];
  }

  /** Replay the file. A torn or corrupt line loses only its own update, never later ones. */
  async open(): Promise<{ records: Map<string, T>; stats: ReplayStats }> {
    // A compaction that did not finish left its temp file; the log itself is intact.
    await rm(this.tempPath, { force: true });
    const records = new Map<string, T>();
    const stats: ReplayStats = { lines: 0, records: 0, corrupt: 0, invalid: 0, bytes: 0 };
    const take = (text: string) => {
      stats.lines++;
      const payload = decodeLine(text);
      const entry = payload === null ? null : parseEntry(payload);
      if (!entry) return void stats.corrupt++;
      const [op, key] = entry;
      if (op === 'd') {
        this.forget(key);
        records.delete(key);
        return;
      }
      const value = this.opts.parse(entry[2], key);
      if (value === null) return void stats.invalid++;
      this.remember(key, `${text}\n`);
      records.set(key, value);
    };
    const read = await readLineFile(this.opts.path, take);
    stats.bytes += read.bytes;
    if (read.tornTail) {
      // A crash cut the last write short; its append never resolved, so nothing acked is lost.
      stats.lines++;
      stats.corrupt++;
      this.needsNewline = true;
    }
    this.fileBytes = stats.bytes;
    stats.records = records.size;
    // An unwritable place fails here, at start, not at the first registration.
    this.handle = await open(this.opts.path, 'a', 0o600);
    if (this.compactionDue()) await this.compact();
    return { records, stats };
  }

  /** The key now holds `value`. Resolves once that is durable (fsynced). */
  upsert(key: string, value: T): Promise<void> {
    return this.push(key, encodeLine(JSON.stringify(['p', key, value])), true);
  }

  /** The key is gone. Resolves once that is durable. */
  delete(key: string): Promise<void> {
    if (!this.lines.has(key) && !this.unsynced.has(key)) return Promise.resolve();
    return this.push(key, encodeLine(JSON.stringify(['d', key])), false);
  }

  /** Resolves once the key's newest change is durable (at once when nothing is pending). */
  durable(key: string): Promise<void> {
    const group = this.unsynced.get(key);
    if (group) return group.promise;
    if (!this.needsRewrite) return Promise.resolve();
    // The last write failed: the file may lack this key until the repair rewrite.
    const pending = this.current;
    this.schedule();
    return pending.promise;
  }

  /** Write what is pending now; resolves once it is durable. */
  async flush(): Promise<void> {
    const group = this.current;
    // With a write in flight, the group goes out as soon as that write settles.
    this.startWrite();
    await group.promise;
    while (this.writing) await this.writing;
  }

  /** Rewrite the file with only the live records (also repairs a file a failed write tore). */
  async compact(): Promise<void> {
    while (this.writing) await this.writing;
    this.needsRewrite = true;
    await this.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      this.timer?.cancel();
      this.timer = null;
      while (this.writing) await this.writing;
      await this.handle?.close().catch(() => {});
      this.handle = null;
    }
  }

  private push(key: string, line: string, live: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new RecordLogClosedError(this.opts.path));
    if (live) this.remember(key, line);
    else this.forget(key);
    const group = this.current;
    group.lines.push(line);
    group.bytes += line.length;
    group.keys.add(key);
    this.unsynced.set(key, group);
    if (group.bytes >= EAGER_BYTES) this.startWrite();
    else this.schedule();
    return group.promise;
  }

  private remember(key: string, line: string): void {
    this.forget(key);
    this.lines.set(key, line);
    this.liveBytes += Buffer.byteLength(line);
  }

  private forget(key: string): void {
    const old = this.lines.get(key);
    if (old === undefined) return;
    this.lines.delete(key);
    this.liveBytes -= Buffer.byteLength(old);
  }

  private schedule(): void {
    if (this.timer || this.writing) return; // a write in flight picks the group up when done
    this.timer = this.opts.clock.setTimeout(() => this.startWrite(), this.opts.flushMs ?? 5);
  }

  private compactionDue(): boolean {
    return (
      this.fileBytes >= (this.opts.minCompactBytes ?? 64 * 1024) &&
      this.fileBytes > (this.opts.compactRatio ?? 2) * this.liveBytes
    );
  }

  /** Take every pending line as one group: append it, or rewrite the whole file. */
  private startWrite(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.writing) return;
    const group = this.current;
    const rewrite = this.needsRewrite;
    this.current = newGroup();
    // Nothing to write: whoever waits on this group (flush, durable) is done.
    if (group.lines.length === 0 && !rewrite) return group.resolve();
    this.writing = (rewrite ? this.rewrite() : this.append(group)).then(
      () => this.settle(group, null),
      (err: Error) => this.settle(group, err),
    );
  }

  private settle(group: Group, err: Error | null): void {
    for (const key of group.keys) if (this.unsynced.get(key) === group) this.unsynced.delete(key);
    this.writing = null;
    if (err) {
      this.needsRewrite = true;
      this.opts.onError?.(err);
      group.reject(err);
      if (this.closing) return this.current.reject(err);
      this.timer = this.opts.clock.setTimeout(() => this.startWrite(), this.opts.retryMs ?? 1000);
      return;
    }
    group.resolve();
    if (this.compactionDue()) this.needsRewrite = true;
    // What arrived during this write already waited for it: write it now.
    this.startWrite();
  }

  private async append(group: Group): Promise<void> {
    let text = group.lines.join('');
    if (this.needsNewline) text = `\n${text}`;
    try {
      this.handle ??= await open(this.opts.path, 'a', 0o600);
      // appendFile loops until every byte is written (a bare write() may stop short).
      await this.handle.appendFile(text);
      await this.handle.datasync();
    } catch (err) {
      // The file may now end in part of this text: drop the handle, the repair rewrites it.
      const h = this.handle;
      this.handle = null;
      await h?.close().catch(() => {});
      throw err;
    }
    this.needsNewline = false;
    const bytes = Buffer.byteLength(text);
    this.fileBytes += bytes;
    this.opts.onWrite?.({ kind: 'append', lines: group.lines.length, bytes });
  }

  /** Live records to a temp file, fsync, rename over the log, fsync the directory. */
  private async rewrite(): Promise<void> {
    const lines = [...this.lines.values()];
    let bytes = 0;
    try {
      const out = await open(this.tempPath, 'w', 0o600);
      try {
        let chunk = '';
        for (const line of lines) {
          chunk += line;
          if (chunk.length < WRITE_CHUNK_BYTES) continue;
          await out.writeFile(chunk);
          bytes += Buffer.byteLength(chunk);
          chunk = '';
        }
        await out.writeFile(chunk);
        bytes += Buffer.byteLength(chunk);
        await out.sync();
      } finally {
        await out.close();
      }
      await rename(this.tempPath, this.opts.path);
      await syncDir(dirname(this.opts.path));
    } catch (err) {
      await rm(this.tempPath, { force: true }).catch(() => {});
      throw err;
    }
    // The old handle points at the replaced file.
    const old = this.handle;
    this.handle = null;
    await old?.close().catch(() => {});
    this.needsRewrite = false;
    this.needsNewline = false;
    this.fileBytes = bytes;
    this.opts.onWrite?.({ kind: 'compact', lines: lines.length, bytes });
  }
}

function parseEntry(payload: string): ['p', string, unknown] | ['d', string] | null {
  let entry: unknown;
  try {
    entry = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!Array.isArray(entry) || typeof entry[1] !== 'string') return null;
  if (entry[0] === 'p' && entry.length === 3) return entry as ['p', string, unknown];
  if (entry[0] === 'd' && entry.length === 2) return entry as ['d', string];
  return null;
}

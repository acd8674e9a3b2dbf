// A durable store-and-forward queue: append-only segment files, written by group commit with
// fdatasync, read from a position each reader keeps (cursor-file.ts), deleted once every reader
// is past them or when the byte cap drops the oldest (counted by the owner). Used by the
// remote-write sender (interop/remote-write-out/) and by a regional relay's upstream link
// (relay/node/). What a line holds is the codec's business.
//
// A line: `<units> <min ts> <JSON>\n`; the two numbers (samples or events, and the oldest
// timestamp) let start-up index a segment without parsing its JSON.
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { SegmentIndex, comparePositions, type QueuePosition } from './segment-index.js';

/** How one item becomes a line's JSON and back. */
export interface QueueCodec<T> {
  /** The item's JSON, its unit count (samples, events) and its oldest timestamp. */
  encode(item: T): { units: number; minTs: number; json: string };
  /** The item, or null when the JSON is not one (damage). */
  decode(raw: unknown): T | null;
}

export interface QueueLine<T> {
  samples: number;
  minTs: number;
  item: T;
}

export interface QueueRead<T> {
  lines: QueueLine<T>[];
  samples: number;
  /** Where the next read starts: the cursor to keep once these lines are sent. */
  next: QueuePosition;
  /** Lines that could not be parsed (damage), skipped. */
  damaged: number;
}

export interface QueueOptions {
  segmentBytes: number;
  /** Segments past this (oldest first) are deleted even if a destination still lags. */
  maxBytes: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  segmentBytes: 16 * 1024 * 1024,
  maxBytes: 2 * 1024 * 1024 * 1024,
};

const SEGMENT = /^(\d{8})\.q$/;
const name = (seq: number) => `${String(seq).padStart(8, '0')}.q`;

interface Waiting {
  data: string;
  samples: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class SegmentQueue<T> {
  readonly segments = new Map<number, SegmentIndex>();
  private current = 0;
  private fh: FileHandle | null = null;
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;
  /**
   * True from the first append until the drain loop finds nothing left, cleared in the same
   * tick as that check: an append in between always has a drain to pick it up.
   */
  private draining = false;
  private listeners: (() => void)[] = [];
  /** Called before a segment is deleted by the byte cap, so lagging destinations count it. */
  onDrop: (segment: number, index: SegmentIndex) => void = () => {};

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly codec: QueueCodec<T>,
    private readonly opts: QueueOptions = DEFAULT_QUEUE_OPTIONS,
    /** How log lines name this queue. */
    private readonly label = 'queue',
  ) {}

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const seqs = (await readdir(this.dir))
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const seq of seqs) this.segments.set(seq, await this.indexSegment(seq));
    // Never append after what a crash may have left torn: each run starts a segment.
    this.current = (seqs.at(-1) ?? 0) + 1;
    await this.startSegment(this.current);
  }

  /** The first position still held. */
  get oldest(): QueuePosition {
    return { segment: this.segments.keys().next().value ?? this.current, offset: 0 };
  }

  get end(): QueuePosition {
    return { segment: this.current, offset: this.segments.get(this.current)?.bytes ?? 0 };
  }

  get bytes(): number {
    let n = 0;
    for (const s of this.segments.values()) n += s.bytes;
    return n;
  }

  onAppended(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Resolves once the item is on disk (group commit with other appends). */
  append(item: T): Promise<void> {
    const { units: samples, minTs, json } = this.codec.encode(item);
    if (samples === 0) return Promise.resolve();
    const data = `${samples} ${minTs} ${json}\n`;
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ data, samples, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        this.writing = this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.waiting.length === 0) {
        this.draining = false;
        return;
      }
      const batch = this.waiting.splice(0);
      try {
        const fh = this.fh;
        if (!fh) throw new Error(`${this.label} is closed`);
        const index = this.segments.get(this.current)!;
        const text = batch.map((w) => w.data).join('');
        await fh.write(text);
        await fh.datasync();
        let end = index.bytes;
        for (const w of batch) index.add((end += Buffer.byteLength(w.data)), w.samples);
        for (const w of batch) w.resolve();
        if (index.bytes >= this.opts.segmentBytes) await this.rotate();
        for (const fn of this.listeners) fn();
      } catch (err) {
        this.logger.error(`${this.label} write failed`, { error: (err as Error).message });
        for (const w of batch) w.reject(err as Error);
        // The segment may hold part of the failed write: what follows goes in a new one, so
        // the index's offsets stay those of the file.
        await this.rotate().catch(() => {});
      }
    }
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
    await this.startSegment(++this.current);
    await this.enforceCap();
  }

  private async startSegment(seq: number): Promise<void> {
    this.fh = await open(join(this.dir, name(seq)), 'a', 0o600);
    this.segments.set(seq, new SegmentIndex());
  }

  private async enforceCap(): Promise<void> {
    while (this.bytes > this.opts.maxBytes && this.segments.size > 1) {
      const [seq, index] = this.segments.entries().next().value!;
      this.onDrop(seq, index);
      this.segments.delete(seq);
      await rm(join(this.dir, name(seq)), { force: true });
      this.logger.warn(`${this.label} over its cap: oldest segment dropped`, { segment: seq });
    }
  }

  /** Delete the segments every destination has gone past. */
  async release(cursors: readonly QueuePosition[]): Promise<void> {
    const min = cursors.reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b), this.end);
    for (const seq of [...this.segments.keys()]) {
      if (seq >= min.segment || seq === this.current) break;
      this.segments.delete(seq);
      await rm(join(this.dir, name(seq)), { force: true });
    }
  }

  /**
   * Up to `maxSamples` samples and about `maxBytes` bytes of whole lines from `from` (at least
   * one line if any; the byte bound may be passed by one line, at a segment's start).
   */
  async read(
    from: QueuePosition,
    maxSamples: number,
    maxBytes = Infinity,
  ): Promise<QueueRead<T> | null> {
    let pos = from.segment < this.oldest.segment ? this.oldest : from;
    const out: QueueRead<T> = { lines: [], samples: 0, next: pos, damaged: 0 };
    let bytes = 0;
    while (out.samples < maxSamples && bytes < maxBytes) {
      const index = this.segments.get(pos.segment);
      if (!index || pos.offset >= index.bytes) {
        if (pos.segment >= this.current) break;
        pos = { segment: this.nextSegment(pos.segment), offset: 0 };
        out.next = pos;
        continue;
      }
      // Whole lines only, up to the durable end the index knows.
      const firstLine = index.ends.findIndex((e) => e > pos.offset);
      const firstSamples = index.samplesBefore(pos.offset);
      let last = firstLine;
      while (
        last + 1 < index.ends.length &&
        index.cumulative[last]! - firstSamples < maxSamples - out.samples &&
        index.ends[last + 1]! - pos.offset <= maxBytes - bytes
      )
        last++;
      const end = index.ends[last]!;
      bytes += end - pos.offset;
      const buf = Buffer.alloc(end - pos.offset);
      const fh = await open(join(this.dir, name(pos.segment)), 'r');
      try {
        await fh.read(buf, 0, buf.length, pos.offset);
      } finally {
        await fh.close();
      }
      for (const text of buf.toString('utf8').split('\n')) {
        if (text === '') continue;
        const line = this.parseLine(text);
        if (line) {
          out.lines.push(line);
          out.samples += line.samples;
        } else out.damaged++;
      }
      pos = { segment: pos.segment, offset: end };
      out.next = pos;
    }
    return out.lines.length > 0 || out.damaged > 0 || comparePositions(out.next, from) !== 0
      ? out
      : null;
  }

  private nextSegment(seq: number): number {
    for (const s of this.segments.keys()) if (s > seq) return s;
    return this.current;
  }

  private async indexSegment(seq: number): Promise<SegmentIndex> {
    const index = new SegmentIndex();
    const path = join(this.dir, name(seq));
    const size = (await stat(path)).size;
    if (size === 0) return index;
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size);
      await fh.read(buf, 0, size, 0);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const head = buf.toString('latin1', start, Math.min(nl, start + 40));
        const samples = Number.parseInt(head, 10);
        index.add(nl + 1, Number.isFinite(samples) && samples > 0 ? samples : 0);
        start = nl + 1;
      }
      // A torn last line (a crash mid-write, before any ack) is left out of the index.
      if (start < size) this.logger.warn(`${this.label}: torn line ignored`, { segment: seq });
    } finally {
      await fh.close();
    }
    return index;
  }

  private parseLine(text: string): QueueLine<T> | null {
    const a = text.indexOf(' ');
    const b = text.indexOf(' ', a + 1);
    if (a < 0 || b < 0) return null;
    let item: T | null;
    try {
      item = this.codec.decode(JSON.parse(text.slice(b + 1)));
    } catch {
      return null;
    }
    if (item === null) return null;
    return { samples: Number(text.slice(0, a)), minTs: Number(text.slice(a + 1, b)), item };
  }

  async close(): Promise<void> {
    await this.writing;
    await this.fh?.close();
    this.fh = null;
  }
}

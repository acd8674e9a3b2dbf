// Follows /var/log/auth.log or /var/log/secure as `tail -F` does: starts at the end, polls on
// the injected clock, reads what was appended, and follows rotation (the path now names a
// different inode: the old file is read to its end first) and truncation (size below the
// read position: start again at 0). Polling, not fs.watch: a watch on a rotated path goes
// quiet, and logrotate's rename is exactly what must be seen.
// Limit: copytruncate followed by appends larger than the old size before the next poll
// looks like growth; tail -F has the same blind spot.

import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { LineSplitter } from './line-splitter.js';

export interface FileTailOptions {
  path: string;
  clock: Clock;
  onLine(line: string): void;
  /** One line for the agent's log: rotation, truncation, the file missing. */
  onNotice?(text: string): void;
  pollMs?: number;
  maxLineBytes?: number;
}

const CHUNK = 64 * 1024;

export class FileTail {
  private handle: FileHandle | null = null;
  private ino = -1;
  private pos = 0;
  private opened = false;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private missingNoted = false;
  private readonly splitter: LineSplitter;
  private readonly buf = Buffer.alloc(CHUNK);
  rotations = 0;
  truncations = 0;

  constructor(private readonly opts: FileTailOptions) {
    this.splitter = new LineSplitter(opts.maxLineBytes ?? 16 * 1024);
  }

  get linesTooLong(): number {
    return this.splitter.tooLong;
  }

  /** Opens the file at its end (what is already there is history, not news) and starts polling. */
  async start(): Promise<void> {
    await this.poll();
    if (!this.stopped)
      this.timer = this.opts.clock.setInterval(() => void this.poll(), this.opts.pollMs ?? 1000);
  }

  /** One look at the file; concurrent calls share the one in flight. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.step().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
    await this.handle?.close();
    this.handle = null;
  }

  private async step(): Promise<void> {
    const st = await stat(this.opts.path).catch(() => null);
    if (this.handle && (!st || st.ino !== this.ino)) {
      // Rotated (renamed away, maybe replaced): what was written to the old file before
      // the rename is still ours.
      await this.readToEnd();
      await this.handle.close();
      this.handle = null;
      this.splitter.reset();
      this.rotations++;
      this.opts.onNotice?.(`${this.opts.path} was rotated; following the new file`);
    }
    if (!st) {
      if (!this.missingNoted) this.opts.onNotice?.(`${this.opts.path} is missing; waiting for it`);
      this.missingNoted = true;
      this.opened = true;
      return;
    }
    this.missingNoted = false;
    if (!this.handle) {
      this.handle = await open(this.opts.path, 'r');
      this.ino = st.ino;
      // The first file is read from its end; a file that appears later is all new.
      this.pos = this.opened ? 0 : st.size;
      this.opened = true;
    }
    await this.readToEnd();
  }

  private async readToEnd(): Promise<void> {
    const h = this.handle!;
    const { size } = await h.stat();
    if (size < this.pos) {
      this.truncations++;
      this.opts.onNotice?.(`${this.opts.path} was truncated; reading from its start`);
      this.pos = 0;
      this.splitter.reset();
    }
    while (this.pos < size && !this.stopped) {
      const { bytesRead } = await h.read(this.buf, 0, Math.min(CHUNK, size - this.pos), this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      for (const line of this.splitter.push(this.buf.subarray(0, bytesRead)))
        this.opts.onLine(line);
    }
  }
}

import { open, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../clock.js';

/** Free bytes (for an unprivileged writer) on the filesystem holding `dir`, or null if unknown. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Total bytes of the filesystem holding `dir`, or null if unknown. */
export async function totalBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.blocks * s.bsize;
  } catch {
    return null;
  }
}

const PROBE_FILE = '.write-probe';

/**
 * Write, fsync and delete a small file in `dir`: proof that the disk takes writes again
 * (free space alone does not show a quota or a read-only remount).
 */
export async function probeWrite(dir: string, bytes = 64 * 1024): Promise<void> {
  const path = join(dir, PROBE_FILE);
  try {
    const handle = await open(path, 'w', 0o600);
    try {
      await handle.writeFile(Buffer.alloc(bytes));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    await rm(path, { force: true });
  }
}

export interface LowDiskWatchDeps {
  clock: Clock;
  freeBytes(): Promise<number | null>;
  /** Free space fell below the threshold. */
  low(free: number, threshold: number): void;
  /** Free space is back above the threshold by the margin. */
  recovered(free: number): void;
}

/**
 * Warns before the disk fills: free space below `thresholdBytes` raises, and it clears once
 * free space is 20 % above the threshold again (so a disk hovering at the line does not flap).
 */
export class LowDiskWatch {
  private timer: TimerHandle | null = null;
  private low = false;
  lastFree: number | null = null;

  constructor(
    private readonly deps: LowDiskWatchDeps,
    private readonly thresholdBytes: number,
    private readonly everyMs: number,
  ) {}

  start(): void {
    void this.check();
    this.timer = this.deps.clock.setInterval(() => void this.check(), this.everyMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  async check(): Promise<void> {
    const free = await this.deps.freeBytes();
    if (free === null) return;
    this.lastFree = free;
    if (!this.low && free < this.thresholdBytes) {
      this.low = true;
      this.deps.low(free, this.thresholdBytes);
    } else if (this.low && free > this.thresholdBytes * 1.2) {
      this.low = false;
      this.deps.recovered(free);
    }
  }
}

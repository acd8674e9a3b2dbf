import type { Clock, TimerHandle } from '../clock.js';
import type { WalObserver } from '../store/wal.js';

/** Why the console takes no batches right now. */
export type PauseReason = 'disk_full' | 'write_failed' | 'write_backlog';

export type Admission =
  { open: true } | { open: false; reason: PauseReason; retryAfterMs: number; message: string };

export interface AdmissionOptions {
  /** Pause when this many bytes wait for the WAL; resume below half of it. */
  maxQueuedBytes: number;
  /** After a failed write, resume once the data dir has this much free space. */
  resumeFreeBytes: number;
  /** How often to look for space while paused; doubles after each relapse, up to the max. */
  probeMs: number;
  maxProbeMs: number;
}

export interface AdmissionDeps {
  clock: Clock;
  /** Bytes accepted by the WAL and not yet on disk. */
  queuedBytes(): number;
  /** Free bytes where the data lives, or null when the platform cannot say. */
  freeBytes(): Promise<number | null>;
  /** A small real write (and fsync) in the data dir; rejects while the disk refuses. */
  probeWrite(): Promise<void>;
  /** The console stopped taking batches after a failed write (not for a passing backlog). */
  paused(reason: 'disk_full' | 'write_failed', error: Error): void;
  /** Space is back and a probe write went through: batches are taken again. */
  resumed(pausedForMs: number): void;
}

interface Failure {
  reason: 'disk_full' | 'write_failed';
  since: number;
  error: Error;
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);
/** Writes must go through this long after a resume before a relapse counts as a new episode. */
const STABLE_MS = 60_000;

/**
 * Whether ingest takes batches now. It closes when the WAL cannot write (disk full, I/O
 * error) until space is back and a probe write succeeds, and while the WAL's queue is over
 * its bound (the disk is slower than ingest). Agents are told to wait (`ingest_paused` with
 * `retryAfterMs`) and keep their batches: nothing is acked that is not on disk, and nothing
 * is stored in memory that the disk refused.
 */
export class IngestAdmission implements WalObserver {
  private failure: Failure | null = null;
  private backlogged = false;
  private probeTimer: TimerHandle | null = null;
  private probeMs: number;
  private probing = false;
  private stopped = false;
  private resumedAt = -Infinity;
  /** Times ingest paused, by reason (read by the metrics). */
  readonly pauses: Record<PauseReason, number> = {
    disk_full: 0,
    write_failed: 0,
    write_backlog: 0,
  };

  constructor(
    private readonly deps: AdmissionDeps,
    private readonly opts: AdmissionOptions,
  ) {
    this.probeMs = opts.probeMs;
  }

  /** Asked for every batch before it is stored. */
  check(): Admission {
    if (this.failure) {
      return {
        open: false,
        reason: this.failure.reason,
        retryAfterMs: this.probeMs,
        message:
          this.failure.reason === 'disk_full'
            ? "the console's disk is full; keep the batch and resend it later"
            : `the console cannot write its log (${this.failure.error.message}); keep the batch and resend it later`,
      };
    }
    const queued = this.deps.queuedBytes();
    if (
      this.backlogged ? queued > this.opts.maxQueuedBytes / 2 : queued > this.opts.maxQueuedBytes
    ) {
      if (!this.backlogged) this.pauses.write_backlog++;
      this.backlogged = true;
      return {
        open: false,
        reason: 'write_backlog',
        retryAfterMs: 1_000,
        message: `the console's disk is behind (${Math.round(queued / 1024)} KiB waiting); keep the batch and resend it shortly`,
      };
    }
    this.backlogged = false;
    return { open: true };
  }

  get pausedSince(): number | null {
    return this.failure?.since ?? null;
  }

  writeFailed(error: Error): void {
    if (this.failure || this.stopped) return;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = DISK_FULL_CODES.has(code) ? 'disk_full' : 'write_failed';
    this.failure = { reason, since: this.deps.clock.now(), error };
    this.pauses[reason]++;
    this.deps.paused(reason, error);
    this.scheduleProbe();
  }

  writeSucceeded(): void {
    // Writes have gone through for a while since the last resume: the next failure is a new
    // episode and starts probing quickly again.
    if (!this.failure && this.deps.clock.now() - this.resumedAt > STABLE_MS)
      this.probeMs = this.opts.probeMs;
  }

  stop(): void {
    this.stopped = true;
    this.probeTimer?.cancel();
    this.probeTimer = null;
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer?.cancel();
    this.probeTimer = this.deps.clock.setTimeout(() => void this.probe(), this.probeMs);
  }

  private async probe(): Promise<void> {
    if (!this.failure || this.probing || this.stopped) return;
    this.probing = true;
    try {
      const free = await this.deps.freeBytes();
      if (free !== null && free < this.opts.resumeFreeBytes) return this.scheduleProbe();
      await this.deps.probeWrite();
    } catch {
      return this.scheduleProbe();
    } finally {
      this.probing = false;
    }
    const failure = this.failure;
    this.failure = null;
    this.resumedAt = this.deps.clock.now();
    // If the disk fills again at once, wait longer before the next try (no flapping).
    this.probeMs = Math.min(this.opts.maxProbeMs, this.probeMs * 2);
    this.deps.resumed(this.deps.clock.now() - failure.since);
  }
}

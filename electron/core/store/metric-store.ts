import { join } from 'node:path';
import type { Sample } from '../../../shared/protocol.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { rename, rm } from 'node:fs/promises';
import { CHECKPOINT_FILE, readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { TimeSeriesStore, type AppendOutcome, type Retention, type Series } from './tsdb.js';
import { BatchLineBuilder, seriesLine, WalReplay } from './wal-lines.js';
import { replay, WriteAheadLog, type ReplayResult, type WalObserver } from './wal.js';

export interface MetricStoreOptions {
  maxSeriesPerAgent: number;
  retention: Retention;
  /** Group-commit window of the WAL (the bar: at most 250 ms). */
  walFlushMs: number;
  checkpointEveryMs: number;
  /** Checkpoint early once the WAL has grown this much. */
  checkpointWalBytes: number;
  /** How far behind its series' newest a sample may arrive and still be stored. */
  outOfOrderWindowMs: number;
}

export interface OpenResult extends ReplayResult {
  checkpointSeries: number;
  /** Logged samples whose series definition was lost (every copy of it damaged). */
  orphanSamples: number;
  ms: number;
}

/**
 * Durable metric storage: the in-memory head (typed arrays) + an append-only WAL of every
 * accepted batch + periodic checkpoints, after which the WAL is truncated. On open: load
 * the checkpoint, replay the WAL after it, skip and count torn or corrupt lines.
 */
export class MetricStore {
  readonly head: TimeSeriesStore;
  private readonly wal: WriteAheadLog;
  private checkpointTimer: TimerHandle | null = null;
  private retentionTimer: TimerHandle | null = null;
  private checkpointing: Promise<void> | null = null;
  private walBytesAtCheckpoint = 0;
  lastOpen: OpenResult | null = null;
  /** The last open found the checkpoint unreadable (the core raises an alert). */
  checkpointCorrupt = false;
  /** Series whose definition line failed to reach the disk: written again with the next batch. */
  private readonly redefine = new Set<Series>();
  checkpoints = 0;

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; logger: Logger; walObserver?: WalObserver },
    private readonly opts: MetricStoreOptions,
  ) {
    this.head = new TimeSeriesStore(
      opts.maxSeriesPerAgent,
      opts.retention,
      opts.outOfOrderWindowMs,
    );
    this.dir = join(dataDir, 'tsdb');
    this.wal = new WriteAheadLog(this.dir, deps.clock, opts.walFlushMs, deps.walObserver ?? null);
  }

  readonly dir: string;

  async open(): Promise<OpenResult> {
    const started = this.deps.clock.monotonic();
    let cp = { walSegment: 0, series: 0 };
    try {
      cp = await readCheckpoint(this.dir, this.head);
    } catch (err) {
      // Start anyway from what the WAL still holds; keep the bad file for inspection.
      const kept = join(this.dir, `checkpoint.corrupt-${this.deps.clock.now()}`);
      await rename(join(this.dir, CHECKPOINT_FILE), kept).catch(() => {});
      this.deps.logger.error('metric checkpoint unreadable; starting from the WAL', {
        error: String(err),
        keptAs: kept,
      });
      this.checkpointCorrupt = true;
    }
    // A checkpoint write cut short by a crash or a full disk leaves its temp file behind.
    await rm(join(this.dir, `${CHECKPOINT_FILE}.tmp`), { force: true });
    const walReplay = new WalReplay(this.head);
    const result = await replay(this.dir, cp.walSegment, walReplay.apply);
    await this.wal.open(cp.walSegment);
    this.head.applyRetention(this.deps.clock.now());
    this.checkpointTimer = this.deps.clock.setInterval(
      () => void this.checkpoint(),
      this.opts.checkpointEveryMs,
    );
    this.retentionTimer = this.deps.clock.setInterval(
      () => this.head.applyRetention(this.deps.clock.now()),
      60_000,
    );
    this.lastOpen = {
      ...result,
      checkpointSeries: cp.series,
      orphanSamples: walReplay.orphanSamples(),
      ms: this.deps.clock.monotonic() - started,
    };
    if (result.corrupt > 0 || this.lastOpen.orphanSamples > 0) {
      this.deps.logger.error('damaged WAL lines skipped on replay', {
        corrupt: result.corrupt,
        orphanSamples: this.lastOpen.orphanSamples,
      });
    }
    return this.lastOpen;
  }

  /**
   * Store a batch in the head and log what was stored. `durable` resolves once the batch is
   * on disk: only then may it be acked. WAL lines are compact (see wal-lines.ts), so replay
   * parses no JSON per sample.
   */
  append(
    agentId: string,
    samples: readonly Sample[],
    onStored?: (series: Series, sample: Sample) => void,
  ): { outcome: AppendOutcome; durable: Promise<void> } {
    const batch = new BatchLineBuilder();
    const created: Series[] = [];
    let logged = 0;
    // Resends and late samples are logged too, so an ack never depends on an earlier write
    // that may have failed or still be in flight (replay skips what it already holds).
    const log = (series: Series, sample: Sample) => {
      batch.add(series, sample);
      logged++;
    };
    const outcome = this.head.append(
      agentId,
      samples,
      (series, sample) => {
        log(series, sample);
        onStored?.(series, sample);
      },
      created,
      log,
      log,
    );
    if (logged === 0) return { outcome, durable: Promise.resolve() };
    // Each new series is defined before the batch that needs it and again after it, so one
    // damaged line never hides the series (replay holds its samples until a definition turns
    // up). A definition whose write failed is written again with the next batch.
    const definitions = [...this.redefine, ...created];
    this.redefine.clear();
    const lines = definitions.map(seriesLine);
    const writes = definitions.map((s, i) =>
      this.wal.append(lines[i]!).catch((err: unknown) => {
        this.redefine.add(s);
        throw err;
      }),
    );
    writes.push(this.wal.append(batch.line()));
    for (const line of lines) this.wal.append(line).catch(() => {});
    const durable = writes.length === 1 ? writes[0]! : Promise.all(writes).then(() => {});
    if (this.wal.bytesWritten - this.walBytesAtCheckpoint > this.opts.checkpointWalBytes)
      void this.checkpoint();
    return { outcome, durable };
  }

  /** Bytes accepted by the WAL and not yet on disk: the back-pressure gauge. */
  get walQueuedBytes(): number {
    return this.wal.queuedBytes;
  }

  /** Rotate the WAL, write the head as a checkpoint, drop the WAL it covers. */
  checkpoint(): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    this.walBytesAtCheckpoint = this.wal.bytesWritten;
    const covered = this.wal.rotate();
    const write = writeCheckpoint(
      this.dir,
      this.head,
      this.wal.segmentNumber - 1,
      this.deps.clock.now(),
    );
    this.checkpointing = Promise.all([covered, write])
      .then(async ([segment]) => {
        await this.wal.dropThrough(segment);
        this.checkpoints++;
      })
      .catch((err: unknown) =>
        this.deps.logger.error('checkpoint failed; the WAL is kept', { error: String(err) }),
      )
      .finally(() => (this.checkpointing = null));
    return this.checkpointing;
  }

  /** Stop; by default write a final checkpoint so the next start replays nothing. */
  async close(opts: { checkpoint?: boolean } = {}): Promise<void> {
    this.checkpointTimer?.cancel();
    this.retentionTimer?.cancel();
    await this.checkpointing;
    if (opts.checkpoint !== false) await this.checkpoint();
    await this.wal.close();
  }

  get walBytes(): number {
    return this.wal.bytesWritten;
  }
}

import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { keepsSketch } from '../../../shared/analysis.js';
import type { StorageReport, StorageTierName, StorageTierReport } from '../../../shared/api.js';
import type { Sample } from '../../../shared/protocol.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { BLOCKS_DIR, openBlocks } from './block-dir.js';
import { BlockSet } from './block-set.js';
import type { BlockInfo, MaintainResult, Retention } from './compactor.js';
import { captureHead, loadSnapshot, SNAPSHOT_FILE, writeSnapshot } from './head-snapshot.js';
import { migrateV1Checkpoint } from './migrate-v1.js';
import type { BucketColumns } from './bucket-columns.js';
import { StoreReader, type RollupTier } from './reader.js';
import type { Bucket } from './rollup.js';
import type { SampleBuffer } from './sample-buffer.js';
import { SeriesCatalogue } from './series-catalogue.js';
import { HOUR_MS, type EncodedChunk } from './series.js';
import { createStorageBackend, type BackendMode, type StorageBackend } from './storage-backend.js';
import { TimeSeriesStore, type AppendOutcome, type Series } from './tsdb.js';
import { BatchLineBuilder, seriesLine, WalReplay } from './wal-lines.js';
import { replay, WriteAheadLog, type ReplayResult, type WalObserver } from './wal.js';

export interface MetricStoreOptions {
  maxSeriesPerAgent: number;
  retention: Retention;
  /** Group-commit window of the WAL (the bar: at most 250 ms). */
  walFlushMs: number;
  /** How often the head is flushed to a block file and the WAL truncated. */
  checkpointEveryMs: number;
  /** Flush early once the WAL has grown this much. */
  checkpointWalBytes: number;
  /** How far behind its series' newest a sample may arrive and still be stored. */
  outOfOrderWindowMs: number;
  /** All block files and the WAL together stay under this; the oldest data goes first. */
  diskBudgetBytes: number;
  /** A series with no sample for this long leaves memory at the next flush. */
  headIdleMs: number;
  /** Where compaction runs (tests from TypeScript sources run it inline). */
  backend?: BackendMode;
}

export interface OpenResult extends ReplayResult {
  /** Series whose open chunk came back from the head snapshot. */
  snapshotSeries: number;
  /** Series moved from a v1 checkpoint on this start (0 after the first). */
  migratedSeries: number;
  /** Logged samples whose series definition was lost (every copy of it damaged). */
  orphanSamples: number;
  blocks: number;
  ms: number;
}

export interface StoreObserver {
  /** Block files that could not be read (moved aside), or a damaged chunk skipped. */
  damaged(what: { name: string; problem: string }[]): void;
  /** After each maintenance pass: bytes used against the budget, and what the budget deleted. */
  usage(usedBytes: number, budgetBytes: number, deleted: BlockInfo[]): void;
  /** A flush could not be written (the WAL keeps everything; it is retried). */
  flushFailed(err: Error): void;
  /** A flush went through (after failures: it is over). */
  flushed(): void;
}

const noObserver: StoreObserver = { damaged() {}, usage() {}, flushFailed() {}, flushed() {} };

/**
 * Durable metric storage. Samples go to the head (open chunks in memory) and to the WAL
 * before they are acked. Every few minutes the head's closed chunks are flushed to a block
 * file, its open chunks to a snapshot, and the WAL before it is deleted; a storage worker
 * compacts flushes into hourly raw and rollup blocks, merges days and months, applies
 * retention and the disk budget. RAM holds the open chunks of active series only; history
 * is read from the block files.
 */
export class MetricStore {
  readonly head: TimeSeriesStore;
  readonly dir: string;
  readonly blocks: BlockSet;
  readonly reader: StoreReader;
  private readonly wal: WriteAheadLog;
  private readonly catalogue: SeriesCatalogue;
  private backend: StorageBackend | null = null;
  /** Chunks taken from the head and not yet in a block file (still read by queries). */
  private readonly inFlight = new Map<number, EncodedChunk[]>();
  private nextSeq = 1;
  private flushTimer: TimerHandle | null = null;
  flushing: Promise<void> | null = null;
  private nextFlush: Promise<void> | null = null;
  private maintaining: Promise<void> | null = null;
  private nextMaintain: Promise<void> | null = null;
  private walBytesAtFlush = 0;
  private snapshotBytes = 0;
  /** Series whose definition line failed to reach the disk: written again with the next batch. */
  private readonly redefine = new Set<Series>();
  private observer: StoreObserver = noObserver;
  lastOpen: OpenResult | null = null;
  lastMaintain: { at: number; blocks: BlockInfo[] } | null = null;
  flushes = 0;

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
    this.blocks = new BlockSet(join(this.dir, BLOCKS_DIR));
    this.reader = new StoreReader(
      this.blocks,
      (id) => this.inFlight.get(id) ?? [],
      (path, problem) => this.observer.damaged([{ name: path, problem }]),
    );
    this.wal = new WriteAheadLog(this.dir, deps.clock, opts.walFlushMs, deps.walObserver ?? null);
    this.head.heldOutsideHead = (series, ts) => this.heldOnDisk(series, ts);
    this.catalogue = new SeriesCatalogue(join(this.dir, 'series.ndjson'), deps.clock);
  }

  observe(observer: StoreObserver): void {
    this.observer = observer;
  }

  async open(): Promise<OpenResult> {
    const started = this.deps.clock.monotonic();
    const blocksDir = join(this.dir, BLOCKS_DIR);
    await mkdir(blocksDir, { recursive: true });
    await rm(join(this.dir, `${SNAPSHOT_FILE}.tmp`), { force: true });
    await this.catalogue.open(this.head);
    const migration = await migrateV1Checkpoint(this.dir, blocksDir, this.head);
    const listing = await openBlocks(blocksDir);
    this.blocks.adopt(listing.readers);
    if (listing.damaged.length) this.observer.damaged(listing.damaged);
    for (const b of listing.readers) this.nextSeq = Math.max(this.nextSeq, b.meta.seq + 1);
    const snap = await loadSnapshot(join(this.dir, SNAPSHOT_FILE), this.head);
    if (snap.problem) {
      this.deps.logger.error('head snapshot unreadable; replaying the whole WAL', {
        problem: snap.problem,
      });
    }
    const walSegment = Math.max(snap.walSegment, migration.walSegment);
    const walReplay = new WalReplay(this.head);
    const result = await replay(this.dir, walSegment, walReplay.apply);
    // Series first seen in the WAL (created after the last flush) go into the catalogue.
    for (const s of this.head.all()) if (!this.catalogue.has(s)) this.catalogue.add(s);
    await this.wal.open(walSegment);
    this.flushTimer = this.deps.clock.setInterval(
      () => void this.flush(),
      this.opts.checkpointEveryMs,
    );
    this.lastOpen = {
      ...result,
      snapshotSeries: snap.series,
      migratedSeries: migration.series,
      orphanSamples: walReplay.orphanSamples(),
      blocks: listing.readers.length,
      ms: this.deps.clock.monotonic() - started,
    };
    if (result.corrupt > 0 || this.lastOpen.orphanSamples > 0) {
      this.deps.logger.error('damaged WAL lines skipped on replay', {
        corrupt: result.corrupt,
        orphanSamples: this.lastOpen.orphanSamples,
      });
    }
    // Compaction of what an earlier run left runs in the background: start-up does not wait.
    void this.maintain();
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
    for (const s of created) this.catalogue.add(s);
    if (logged === 0) return { outcome, durable: Promise.resolve() };
    const finish = (durable: Promise<void>) => {
      if (this.wal.bytesWritten - this.walBytesAtFlush > this.opts.checkpointWalBytes)
        void this.flush();
      return { outcome, durable };
    };
    // Each new series is defined before the batch that needs it and again after it, so one
    // damaged line never hides the series (replay holds its samples until a definition turns
    // up). A definition whose write failed is written again with the next batch. One WAL
    // append for the batch and its definitions: one promise, not one per series.
    if (this.redefine.size === 0 && created.length === 0)
      return finish(this.wal.append(batch.bytes()));
    const definitions = [...this.redefine, ...created];
    this.redefine.clear();
    const lines = definitions.map(seriesLine);
    const durable = this.wal
      .appendAll([...lines, batch.bytes(), ...lines])
      .catch((err: unknown) => {
        for (const s of definitions) this.redefine.add(s);
        throw err;
      });
    return finish(durable);
  }

  // ---- reading (query.ts's QuerySource, and what the API lists)

  get retention(): Retention {
    return this.opts.retention;
  }

  seriesOf(metric: string): Iterable<Series> {
    return this.head.seriesOf(metric);
  }

  seriesForAgent(agentId: string): Iterable<Series> {
    return this.head.seriesForAgent(agentId);
  }

  metricNames(): string[] {
    return this.head.metricNames();
  }

  seriesCount(agentId?: string): number {
    return this.head.seriesCount(agentId);
  }

  raw(series: Series, from: number, to: number): SampleBuffer {
    return this.reader.raw(series, from, to);
  }

  buckets(series: Series, tier: RollupTier, from: number, to: number): Bucket[] {
    return this.reader.buckets(series, tier, from, to);
  }

  /** Rollup buckets of many series, each file read once (see StoreReader.bucketsOfMany). */
  bucketsOfMany(list: readonly Series[], tier: RollupTier, from: number, to: number): Bucket[][] {
    return this.reader.bucketsOfMany(list, tier, from, to);
  }

  /** The same as columns per series, without sketches (see StoreReader.bucketColumnsOfMany). */
  bucketColumnsOfMany(
    list: readonly Series[],
    tier: RollupTier,
    from: number,
    to: number,
  ): BucketColumns[] {
    return this.reader.bucketColumnsOfMany(list, tier, from, to);
  }

  /** The hour of one series last read from disk for duplicate checks (resends come in runs). */
  private diskProbe: { id: number; hour: number; ts: Float64Array; n: number } | null = null;

  /** A sample at `ts` is in a block or on its way to one (the head was checked already). */
  private heldOnDisk(series: Series, ts: number): boolean {
    const hour = ts - (ts % HOUR_MS);
    let probe = this.diskProbe;
    if (!probe || probe.id !== series.id || probe.hour !== hour) {
      const buf = this.reader.raw(series, hour, hour + HOUR_MS, false);
      probe = this.diskProbe = { id: series.id, hour, ts: buf.ts, n: buf.length };
    }
    let lo = 0;
    let hi = probe.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (probe.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo < probe.n && probe.ts[lo] === ts;
  }

  /** Bytes accepted by the WAL and not yet on disk: the back-pressure gauge. */
  get walQueuedBytes(): number {
    return this.wal.queuedBytes;
  }

  get walBytes(): number {
    return this.wal.bytesWritten;
  }

  /**
   * Flush the head: closed chunks (and idle series) to a new L0 block, open chunks to the
   * snapshot, then drop the WAL they cover. Both are taken at one instant, with the WAL
   * rotated at that instant, so a crash at any point leaves every acked sample in the WAL, a
   * block, or the snapshot (at worst in two: reads keep one sample per timestamp).
   */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.flushOnce().finally(() => (this.flushing = null));
      return this.flushing;
    }
    // One in progress took the head as it was then: one more follows it (not one per call).
    this.nextFlush ??= this.flushing.then(() => {
      this.nextFlush = null;
      return this.flush();
    });
    return this.nextFlush;
  }

  private async flushOnce(): Promise<void> {
    const now = this.deps.clock.now();
    this.walBytesAtFlush = this.wal.bytesWritten;
    const covered = this.wal.rotate();
    for (const s of this.head.all()) {
      const evict = s.lastTs < now - this.opts.headIdleMs;
      const chunks = s.takeForFlush(evict, now);
      if (chunks.length === 0) continue;
      this.inFlight.set(s.id, [...(this.inFlight.get(s.id) ?? []), ...chunks]);
    }
    const snapshot = captureHead(this.head);
    const taken = new Map(this.inFlight);
    this.diskProbe = null;
    try {
      const segment = await covered;
      const series = [...taken].map(([seriesId, chunks]) => ({
        seriesId,
        chunks: chunks.map((c) => c.bytes),
      }));
      const info = await this.storage().flush(this.nextSeq, series);
      if (info) {
        this.nextSeq++;
        this.blocks.update([info.name], []);
      }
      for (const [id, chunks] of taken) {
        const left = (this.inFlight.get(id) ?? []).filter((c) => !chunks.includes(c));
        if (left.length) this.inFlight.set(id, left);
        else this.inFlight.delete(id);
      }
      await this.catalogue.flush();
      this.snapshotBytes = await writeSnapshot(join(this.dir, SNAPSHOT_FILE), segment, snapshot);
      await this.wal.dropThrough(segment);
      this.flushes++;
      this.observer.flushed();
    } catch (err) {
      this.observer.flushFailed(err as Error);
      return;
    }
    void this.maintain();
  }

  /** One compaction, retention and budget pass in the storage worker. */
  maintain(): Promise<void> {
    if (!this.maintaining) {
      this.maintaining = this.maintainOnce().finally(() => (this.maintaining = null));
      return this.maintaining;
    }
    // The pass in progress read the clock before this call (retention would be judged at an
    // older time): one more follows it, shared by every call made meanwhile.
    this.nextMaintain ??= this.maintaining.then(() => {
      this.nextMaintain = null;
      return this.maintain();
    });
    return this.nextMaintain;
  }

  private async maintainOnce(): Promise<void> {
    let r: MaintainResult;
    try {
      // The WAL on disk now (what the last flush left), not all the WAL ever written.
      r = await this.storage().maintain(
        this.deps.clock.now(),
        this.walBytesOnDisk() + this.snapshotBytes,
        this.sketchedSeries(),
      );
    } catch (err) {
      this.deps.logger.error('compaction failed; it is retried after the next flush', {
        error: String(err),
      });
      return;
    }
    this.blocks.update(
      r.added.map((b) => b.name),
      r.removed,
    );
    this.diskProbe = null;
    // The reader has let go of them: now they may leave the disk.
    if (r.removed.length)
      await this.storage()
        .remove(r.removed)
        .catch(() => {});
    this.lastMaintain = { at: this.deps.clock.now(), blocks: r.blocks };
    if (r.damaged.length) this.observer.damaged(r.damaged);
    const used =
      r.blocks.reduce((n, b) => n + b.bytes, 0) + this.walBytesOnDisk() + this.snapshotBytes;
    this.observer.usage(used, this.opts.diskBudgetBytes, r.budgetDeleted);
  }

  /** Ids of the series whose rollups keep a sketch (latency-like metrics, keepsSketch). */
  private sketchedSeries(): number[] {
    const ids: number[] = [];
    for (const s of this.head.all()) if (keepsSketch(s.name)) ids.push(s.id);
    return ids;
  }

  private walBytesOnDisk(): number {
    return this.wal.bytesWritten - this.walBytesAtFlush;
  }

  private storage(): StorageBackend {
    this.backend ??= createStorageBackend(
      join(this.dir, BLOCKS_DIR),
      {
        retention: this.opts.retention,
        diskBudgetBytes: this.opts.diskBudgetBytes,
        lagMs: this.opts.outOfOrderWindowMs + this.opts.checkpointEveryMs + 60_000,
      },
      this.opts.backend,
    );
    return this.backend;
  }

  /** Stop; by default flush first, so the next start replays nothing. */
  async close(opts: { checkpoint?: boolean } = {}): Promise<void> {
    this.flushTimer?.cancel();
    await this.flushing;
    if (opts.checkpoint !== false) await this.flush();
    await this.nextMaintain;
    await this.maintaining;
    await this.backend?.close();
    await this.wal.close();
    await this.catalogue.close().catch(() => {});
    this.blocks.close();
  }

  /** What the store holds on disk and in memory, per tier (for GET /api/v1/storage). */
  async storageReport(): Promise<
    Omit<StorageReport, 'serverTime' | 'dataDir' | 'samplesPerSecond' | 'diskFreeBytes'>
  > {
    const side = await this.sideBytes();
    const head = this.head.headStats();
    const retentionOf: Record<StorageTierName, number> = {
      raw: this.opts.retention.rawMs,
      '1m': this.opts.retention.minuteMs,
      '1h': this.opts.retention.hourMs,
    };
    const tiers = (['raw', '1m', '1h'] as const).map((tier): StorageTierReport => {
      const blocks = this.blocks
        .all()
        .filter((b) =>
          tier === 'raw' ? b.meta.tier === 'raw' || b.meta.tier === 'l0' : b.meta.tier === tier,
        )
        .filter((b) => b.records > 0);
      return {
        tier,
        bytes: blocks.reduce((n, b) => n + b.bytes, 0),
        files: blocks.length,
        rows: blocks.reduce((n, b) => n + b.rows, 0),
        oldest: blocks.length ? Math.min(...blocks.map((b) => b.minTs)) : null,
        newest: blocks.length ? Math.max(...blocks.map((b) => b.maxTs)) : null,
        retentionMs: retentionOf[tier],
      };
    });
    const compacted = this.blocks.tier('raw').filter((b) => b.rows > 0);
    const compactedRows = compacted.reduce((n, b) => n + b.rows, 0);
    return {
      series: { total: head.series, active: head.active },
      head: { rows: head.rows, bytes: head.bytes },
      wal: { bytes: side.wal },
      tiers,
      totalBytes:
        tiers.reduce((n, t) => n + t.bytes, 0) + side.wal + side.snapshot + side.catalogue,
      budgetBytes: this.opts.diskBudgetBytes,
      rawBytesPerSample: compactedRows
        ? compacted.reduce((n, b) => n + b.bytes, 0) / compactedRows
        : null,
      lastCompactionAt: this.lastMaintain?.at ?? null,
    };
  }

  /** Bytes on disk of the files the store keeps besides blocks. */
  async sideBytes(): Promise<{ wal: number; snapshot: number; catalogue: number }> {
    const size = async (p: string) => (await stat(p).catch(() => ({ size: 0 }))).size;
    return {
      wal: this.walBytesOnDisk(),
      snapshot: await size(join(this.dir, SNAPSHOT_FILE)),
      catalogue: this.catalogue.bytes,
    };
  }
}

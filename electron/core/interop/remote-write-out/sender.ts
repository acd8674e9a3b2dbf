// One remote-write destination: reads windows of the forward queue from its cursor, sends each
// window over up to `maxShards` parallel shards (a series always in one shard, its samples in
// order), and moves the cursor on only once the whole window is acked or dropped. After a
// restart at most the one window in flight is sent again.
import type { RemoteWriteStatus } from '../../../../shared/interop.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { RemoteWriteTarget } from './config.js';
import type { CursorFile } from '../../queue/cursor-file.js';
import { writeRequestBody, type SeriesSamples } from './encode.js';
import { comparePositions, samplesAfter, type QueuePosition } from '../../queue/segment-index.js';
import type { ForwardQueue, QueueLine } from './queue.js';
import {
  DEFAULT_BACKOFF,
  backoffDelay,
  retryAfterMs,
  shardOf,
  verdict,
  type BackoffOptions,
} from './retry.js';

export interface PostResult {
  status: number;
  retryAfter: string | null;
  /** The start of the answer's body, for the last error. */
  text: string;
}

export type RemoteWritePost = (
  target: RemoteWriteTarget,
  body: Uint8Array,
  signal: AbortSignal,
) => Promise<PostResult>;

export interface SenderCounters {
  sent(n: number): void;
  failed(): void;
  dropped(n: number): void;
}

export interface SenderDeps {
  clock: Clock;
  logger: Logger;
  queue: ForwardQueue;
  cursorFile: CursorFile;
  post: RemoteWritePost;
  counters: SenderCounters;
  /** The cursor moved: segments behind every destination may go. */
  advanced(): void;
}

/** What GET /api/v1/remote-write says of a destination (one type, in shared/interop.ts). */
export type { RemoteWriteStatus };

export class RemoteWriteSender {
  cursor: QueuePosition = { segment: 0, offset: 0 };
  private stopped = true;
  private running: Promise<void> | null = null;
  private abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  /** Lines arrived while no one waited (during a read): look again before waiting. */
  private woken = false;
  /** Shards waiting out a backoff: stop ends their waits at once. */
  private readonly sleepers = new Set<{ timer: TimerHandle; resolve: () => void }>();
  private windowMinTs: number | null = null;
  /** Where the window being sent ends (the cursor once it is acked). */
  private inflightEnd: QueuePosition | null = null;
  private readonly stats = {
    sent: 0,
    failed: 0,
    dropped: 0,
    shards: 0,
    lastSuccessAt: null as number | null,
    lastError: null as { message: string; at: number } | null,
    retryAt: null as number | null,
  };

  constructor(
    readonly target: RemoteWriteTarget,
    private readonly deps: SenderDeps,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  async open(): Promise<void> {
    this.cursor = (await this.deps.cursorFile.load()) ?? this.deps.queue.oldest;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.running = this.run().catch((err: unknown) => {
      this.deps.logger.error('remote-write sender stopped on an error', {
        url: this.target.label,
        error: (err as Error).message,
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const s of this.sleepers) {
      s.timer.cancel();
      s.resolve();
    }
    this.sleepers.clear();
    this.wake();
    await this.running;
    await this.deps.cursorFile.close();
  }

  /** New lines are in the queue. */
  wake(): void {
    const fn = this.wakeUp;
    this.wakeUp = null;
    if (fn) fn();
    else this.woken = true;
  }

  /**
   * The queue's byte cap deleted `segment`: what this destination had not sent (nor has in
   * flight) from it is lost, counted as dropped, and the cursor goes past it.
   */
  segmentDropped(segment: number, samplesInSegment: number, samplesBefore: (o: number) => number) {
    const from =
      this.inflightEnd && comparePositions(this.inflightEnd, this.cursor) > 0
        ? this.inflightEnd
        : this.cursor;
    if (from.segment > segment) return;
    const lost = samplesInSegment - (from.segment === segment ? samplesBefore(from.offset) : 0);
    this.stats.dropped += lost;
    this.deps.counters.dropped(lost);
    if (this.cursor.segment <= segment) this.cursor = { segment: segment + 1, offset: 0 };
  }

  status(): RemoteWriteStatus {
    const pending = samplesAfter(this.deps.queue.segments, this.cursor);
    const now = this.deps.clock.now();
    return {
      url: this.target.label,
      pending,
      lagSeconds:
        pending > 0 && this.windowMinTs !== null ? Math.max(0, (now - this.windowMinTs) / 1000) : 0,
      ...this.stats,
    };
  }

  private async run(): Promise<void> {
    const maxSamples = this.target.batchSamples * this.target.maxShards;
    while (!this.stopped) {
      this.woken = false;
      const window = await this.deps.queue.read(this.cursor, maxSamples);
      if (!window) {
        if (this.woken || this.stopped) continue;
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        continue;
      }
      if (window.damaged > 0)
        this.deps.logger.error('remote-write queue: damaged lines skipped', {
          url: this.target.label,
          lines: window.damaged,
        });
      this.windowMinTs = window.lines.reduce((m, l) => Math.min(m, l.minTs), Infinity);
      this.inflightEnd = window.next;
      if (!(await this.sendWindow(window.lines, window.samples))) return;
      this.inflightEnd = null;
      // The cap may have moved the cursor past this window meanwhile: never go back.
      if (comparePositions(window.next, this.cursor) > 0) this.cursor = window.next;
      await this.deps.cursorFile.save(this.cursor);
      this.windowMinTs = null;
      this.deps.advanced();
    }
  }

  /** False when stopped before the window was through. */
  private async sendWindow(lines: readonly QueueLine[], samples: number): Promise<boolean> {
    if (samples === 0) return true;
    const { batchSamples, maxShards } = this.target;
    const shards = Math.max(1, Math.min(maxShards, Math.ceil(samples / batchSamples)));
    this.stats.shards = shards;
    const perShard: SeriesSamples[][] = Array.from({ length: shards }, () => []);
    for (const s of mergeSeries(lines)) perShard[shardOf(s.labels, shards)]!.push(s);
    const results = await Promise.all(
      perShard.map(async (list) => {
        for (const request of requests(list, batchSamples))
          if (!(await this.sendRequest(request))) return false;
        return true;
      }),
    );
    return results.every(Boolean);
  }

  private async sendRequest(series: SeriesSamples[]): Promise<boolean> {
    const samples = series.reduce((n, s) => n + s.ts.length, 0);
    const body = writeRequestBody(series);
    for (let attempt = 0; !this.stopped; attempt++) {
      let retryAfter: number | null = null;
      try {
        const res = await this.deps.post(this.target, body, this.abort.signal);
        const v = verdict(res.status);
        if (v === 'sent') {
          this.stats.sent += samples;
          this.stats.lastSuccessAt = this.deps.clock.now();
          this.stats.retryAt = null;
          this.deps.counters.sent(samples);
          return true;
        }
        this.failed(`HTTP ${res.status}${res.text ? `: ${res.text}` : ''}`);
        if (v === 'drop') {
          this.stats.dropped += samples;
          this.deps.counters.dropped(samples);
          this.deps.logger.error('remote write refused a request: its samples are dropped', {
            url: this.target.label,
            status: res.status,
            samples,
          });
          return true;
        }
        retryAfter = retryAfterMs(res.retryAfter, this.deps.clock.now());
      } catch (err) {
        if (this.stopped) return false;
        // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        this.failed(cause ? `${(err as Error).message}: ${cause}` : (err as Error).message);
      }
      await this.sleep(backoffDelay(attempt, retryAfter, this.backoff));
    }
    return false;
  }

  private failed(message: string): void {
    this.stats.failed++;
    this.stats.lastError = { message: message.slice(0, 300), at: this.deps.clock.now() };
    this.deps.counters.failed();
  }

  private sleep(ms: number): Promise<void> {
    this.stats.retryAt = this.deps.clock.now() + ms;
    return new Promise<void>((resolve) => {
      const sleeper = {
        resolve,
        timer: this.deps.clock.setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
      };
      this.sleepers.add(sleeper);
    });
  }
}

/** The window's lines as one entry per series, samples in the order they were ingested. */
export function mergeSeries(lines: readonly QueueLine[]): SeriesSamples[] {
  const bySeries = new Map<string, SeriesSamples>();
  for (const line of lines) {
    for (const s of line.item) {
      const key = s.labels.join('\u0000');
      const have = bySeries.get(key);
      if (!have) bySeries.set(key, { labels: s.labels, ts: [...s.ts], values: [...s.values] });
      else {
        have.ts.push(...s.ts);
        have.values.push(...s.values);
      }
    }
  }
  return [...bySeries.values()];
}

/** A shard's series cut into requests of at most `batchSamples` samples (a long series spans several, in order). */
export function requests(list: readonly SeriesSamples[], batchSamples: number): SeriesSamples[][] {
  const out: SeriesSamples[][] = [];
  let current: SeriesSamples[] = [];
  let n = 0;
  for (const s of list) {
    for (let i = 0; i < s.ts.length;) {
      const take = Math.min(s.ts.length - i, batchSamples - n);
      current.push({
        labels: s.labels,
        ts: s.ts.slice(i, i + take),
        values: s.values.slice(i, i + take),
      });
      n += take;
      i += take;
      if (n >= batchSamples) {
        out.push(current);
        current = [];
        n = 0;
      }
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

// One Alertmanager: a bounded queue of alerts to post (the newest state of each alert once),
// posted in batches, one batch in flight, retried with exponential backoff while it fails.
import type { Clock, TimerHandle } from '../clock.js';
import type { Alert } from '../../../shared/model.js';
import type { AlertmanagerStatus } from '../../../shared/interop.js';
import type { PostableAlert } from './alertmanager-payload.js';

export interface AlertmanagerConfig {
  url: string;
  timeoutMs?: number;
  basicAuth?: { username: string; password: string };
  bearer?: string;
}

export interface PostResult {
  ok: boolean;
  error: string | null;
  /** False for an answer that a retry would get again (a 4xx other than 408/429). */
  retryable: boolean;
}

/** POSTs a JSON body; the real one is notify/http-post.ts over fetch. */
export type JsonPoster = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<PostResult>;

export interface TargetOptions {
  batchSize: number;
  maxQueue: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface TargetCounters {
  sent(n: number): void;
  error(): void;
  dropped(n: number): void;
}

export interface TargetDeps {
  clock: Clock;
  post: JsonPoster;
  payload(alert: Alert): PostableAlert;
  counters: TargetCounters;
  onError(message: string): void;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Delay before retry `attempt` (1, 2, …): base, 2×base, 4×base … up to max. */
export function backoffMs(
  attempt: number,
  o: Pick<TargetOptions, 'backoffBaseMs' | 'backoffMaxMs'>,
): number {
  return Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.min(30, attempt - 1));
}

export class AlertmanagerTarget {
  readonly url: string;
  /** Key (the alert id) → the alert (a live object: its newest state is what is posted). */
  private queue = new Map<string, Alert>();
  private inFlight = false;
  private failures = 0;
  private retryTimer: TimerHandle | null = null;
  private flushTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly endpoint: string;
  private readonly headers: Record<string, string> = {};
  private readonly figures = { sent: 0, errors: 0, dropped: 0 };
  private lastSuccessAt: number | null = null;
  private lastError: { at: number; message: string } | null = null;
  private retryAt: number | null = null;

  constructor(
    private readonly config: AlertmanagerConfig,
    private readonly deps: TargetDeps,
    private readonly opts: TargetOptions,
  ) {
    this.url = config.url.replace(/\/+$/, '');
    this.endpoint = `${this.url}/api/v2/alerts`;
    if (config.bearer) this.headers.Authorization = `Bearer ${config.bearer}`;
    if (config.basicAuth) {
      const { username, password } = config.basicAuth;
      this.headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Queue an alert (once, however often it is queued before it goes) and post soon. */
  enqueue(alert: Alert, key = alert.id): void {
    if (this.stopped) return;
    if (!this.queue.has(key)) {
      if (this.queue.size >= this.opts.maxQueue) this.dropOldest(1);
    }
    this.queue.set(key, alert);
    this.scheduleFlush();
  }

  stop(): void {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.flushTimer?.cancel();
  }

  status(): AlertmanagerStatus {
    return {
      url: this.url,
      queued: this.queue.size,
      ...this.figures,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      retryAt: this.retryAt,
    };
  }

  /** Post on the next turn, so that alerts changed together go in one batch. */
  private scheduleFlush(): void {
    if (this.flushTimer || this.inFlight || this.retryTimer) return;
    this.flushTimer = this.deps.clock.setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, 0);
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.inFlight || this.queue.size === 0) return;
    const batch = [...this.queue].slice(0, this.opts.batchSize);
    for (const [key] of batch) this.queue.delete(key);
    this.inFlight = true;
    const body = JSON.stringify(batch.map(([, a]) => this.deps.payload(a)));
    const result = await this.deps.post(
      this.endpoint,
      body,
      this.headers,
      this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    this.inFlight = false;
    if (this.stopped) return;
    const now = this.deps.clock.now();
    if (result.ok) {
      this.failures = 0;
      this.retryAt = null;
      this.lastSuccessAt = now;
      this.figures.sent += batch.length;
      this.deps.counters.sent(batch.length);
      if (this.queue.size > 0) this.scheduleFlush();
      return;
    }
    const message = result.error ?? 'failed';
    this.figures.errors += 1;
    this.deps.counters.error();
    this.lastError = { at: now, message };
    this.deps.onError(message);
    if (!result.retryable) {
      // Alertmanager refused these alerts as they are: posting them again would not help.
      this.countDropped(batch.length);
      if (this.queue.size > 0) this.scheduleFlush();
      return;
    }
    // Back to the front of the queue (alerts queued again meanwhile are there already).
    const back = batch.filter(([key]) => !this.queue.has(key));
    this.queue = new Map([...back, ...this.queue]);
    if (this.queue.size > this.opts.maxQueue) this.dropOldest(this.queue.size - this.opts.maxQueue);
    this.failures += 1;
    const delay = backoffMs(this.failures, this.opts);
    this.retryAt = now + delay;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private dropOldest(n: number): void {
    let left = n;
    for (const id of this.queue.keys()) {
      if (left-- <= 0) break;
      this.queue.delete(id);
    }
    this.countDropped(n);
  }

  private countDropped(n: number): void {
    this.figures.dropped += n;
    this.deps.counters.dropped(n);
  }
}

// Stage 6, record: every attempt goes to the bounded delivery log (GET /api/v1/deliveries),
// to /metrics, and to the incident's timeline; a channel whose messages keep failing raises
// its own console alert, cleared by its next success.
import type { TimelineEntry } from '../../../shared/incidents.js';
import type { ChannelConfig, DeliveryAttempt } from '../../../shared/notify.js';
import type { NotifyMetrics } from './notify-metrics.js';

export const CHANNEL_FAILING_RULE = 'notify_channel_failing';
/** notify.json could not be used at start (the backup or the defaults were loaded). */
export const CONFIG_RECOVERED_RULE = 'notify_config_recovered';

export interface ConsoleAlertSink {
  raise(ruleId: string, subjectKey: string, severity: 'warning', message: string): void;
  clear(ruleId: string, subjectKey: string): void;
}

export interface RecordDeps {
  metrics: NotifyMetrics;
  alerts: ConsoleAlertSink;
  recordTimeline(incidentId: string, entry: TimelineEntry): void;
  failingAfter: number;
  size: number;
}

export class DeliveryRecorder {
  private readonly log: DeliveryAttempt[] = [];
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: RecordDeps) {}

  attempt(a: DeliveryAttempt, channel: ChannelConfig): void {
    const { metrics } = this.deps;
    this.log.push(a);
    if (this.log.length > this.deps.size) this.log.shift();
    const result = a.ok ? 'ok' : a.retryAt !== null ? 'retry' : 'failed';
    metrics.attempts.inc({ channel_kind: a.channelKind, result });
    metrics.latency.observe({ channel_kind: a.channelKind }, a.latencyMs / 1000);
    // Count updates are frequent and carry no news; the timeline keeps pages and failures.
    if (a.incidentId !== null && a.kind !== 'update') {
      this.deps.recordTimeline(a.incidentId, {
        at: a.at,
        kind: a.ok ? 'notified' : 'notify_failed',
        by: 'console',
        text: describe(a, channel),
        channelId: a.channelId,
        ok: a.ok,
        latencyMs: a.latencyMs,
      });
    }
    if (a.ok) this.succeeded(channel);
    else if (a.retryAt === null && a.kind !== 'test') this.failed(channel, a);
  }

  failuresOf(channelId: string): number {
    return this.failures.get(channelId) ?? 0;
  }

  /** Newest first. */
  recent(filter: { channelId?: string; incidentId?: string; limit: number }): DeliveryAttempt[] {
    const out: DeliveryAttempt[] = [];
    for (let i = this.log.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const a = this.log[i]!;
      if (filter.channelId !== undefined && a.channelId !== filter.channelId) continue;
      if (filter.incidentId !== undefined && a.incidentId !== filter.incidentId) continue;
      out.push(a);
    }
    return out;
  }

  /** A channel deleted: its failing alert (if any) goes with it. */
  forgetChannel(channelId: string): void {
    if (this.failures.delete(channelId)) this.refreshGauge();
    this.deps.alerts.clear(CHANNEL_FAILING_RULE, channelId);
  }

  private succeeded(channel: ChannelConfig): void {
    if (!this.failures.has(channel.id)) return;
    this.failures.delete(channel.id);
    this.deps.alerts.clear(CHANNEL_FAILING_RULE, channel.id);
    this.refreshGauge();
  }

  private failed(channel: ChannelConfig, a: DeliveryAttempt): void {
    const n = (this.failures.get(channel.id) ?? 0) + 1;
    this.failures.set(channel.id, n);
    this.refreshGauge();
    if (n < this.deps.failingAfter) return;
    this.deps.alerts.raise(
      CHANNEL_FAILING_RULE,
      channel.id,
      'warning',
      `notification channel ${channel.name} (${channel.kind}) failed ${n} messages in a row; last: ${a.error ?? 'unknown error'}`,
    );
  }

  private refreshGauge(): void {
    let n = 0;
    for (const v of this.failures.values()) if (v >= this.deps.failingAfter) n++;
    this.deps.metrics.channelsFailing.set(n);
  }
}

function describe(a: DeliveryAttempt, channel: ChannelConfig): string {
  const what = `${a.kind} via ${channel.name} (${channel.kind})`;
  const step = a.step !== null ? `, step ${a.step + 1}` : '';
  if (a.ok) return `${what}${step}: delivered in ${Math.round(a.latencyMs)} ms`;
  const retry = a.retryAt !== null ? `; retrying` : '; gave up';
  return `${what}${step}: attempt ${a.attempt} failed (${a.error ?? 'unknown'})${retry}`;
}

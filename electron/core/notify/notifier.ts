// The notification pipeline, end to end: incident.changed → escalation (which step, when) →
// route → dedup → throttle → send → retry → record. Also the channel and policy API.
import type { Registry } from 'prom-client';
import type { Incident, TimelineEntry } from '../../../shared/incidents.js';
import type {
  ChannelConfig,
  ChannelView,
  DeliveryAttempt,
  EscalationPolicy,
  NotificationKind,
} from '../../../shared/notify.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { DesktopNotices } from './channel-desktop.js';
import { channelView, NotifyConfigStore } from './config-store.js';
import { Dedup, dedupKey } from './dedup.js';
import { DEFAULT_NOTIFY_OPTIONS, type NotifyOptions } from './defaults.js';
import { Escalations, type Note, type Tracked } from './escalation.js';
import type { FetchFn } from './http-post.js';
import { testIncident, type NotificationMessage, type Transport } from './message.js';
import { createNotifyMetrics, type NotifyMetrics } from './notify-metrics.js';
import { CONFIG_RECOVERED_RULE, DeliveryRecorder, type ConsoleAlertSink } from './record.js';
import { Sender } from './send.js';
import { Throttle } from './throttle.js';
import { createTransport } from './transports.js';
import { NotifyInputError } from './validate.js';

export interface NotifierDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  events: CoreEvents;
  /** Where notify.json lives; null keeps channels and policies in memory only. */
  dataDir: string | null;
  /** The core's /metrics registry. */
  registry: Registry;
  /** Raises the failing-channel alert (the core's ConsoleAlerts). */
  consoleAlerts: ConsoleAlertSink;
  /** Writes an entry into the incident's timeline (the incident manager's). */
  recordTimeline(incidentId: string, entry: TimelineEntry): void;
  /** Tells the incident manager the step reached and when the next is due. */
  setEscalation?(
    incidentId: string,
    step: number | null,
    nextAt: number | null,
    nextTo?: readonly string[],
  ): void;
  /** The incident as it is now (escalateNow pages one the notifier has not followed yet). */
  incident?(id: string): Incident | undefined;
  fetch?: FetchFn;
  /** Replaces every channel's transport (benches measuring the pipeline alone). */
  transport?: Transport;
  options?: Partial<NotifyOptions>;
}

/** Counts go quiet for this long after an alert joins, so a storm is one update. */
const UPDATE_HOLD_MS = 1_000;

export class Notifier {
  readonly config: NotifyConfigStore;
  readonly desktop = new DesktopNotices();
  readonly metrics: NotifyMetrics;
  readonly options: NotifyOptions;
  private readonly recorder: DeliveryRecorder;
  private readonly sender: Sender;
  private readonly dedup = new Dedup();
  private readonly throttle: Throttle;
  private readonly escalations: Escalations;
  private readonly updateTimers = new Map<string, TimerHandle>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private off: (() => void) | null = null;

  constructor(private readonly deps: NotifierDeps) {
    this.options = { ...DEFAULT_NOTIFY_OPTIONS, ...deps.options };
    this.config = new NotifyConfigStore(deps.dataDir, () => deps.clock.now());
    this.metrics = createNotifyMetrics(deps.registry);
    this.recorder = new DeliveryRecorder({
      metrics: this.metrics,
      alerts: deps.consoleAlerts,
      recordTimeline: (id, e) => this.timeline(id, e),
      failingAfter: this.options.failingAfter,
      size: this.options.deliveryLogSize,
    });
    const transport =
      deps.transport ??
      createTransport({
        fetch: deps.fetch ?? fetch,
        desktop: this.desktop,
        timeoutMs: this.options.timeoutMs,
        now: () => deps.clock.now(),
      });
    this.sender = new Sender({
      clock: deps.clock,
      ids: deps.ids,
      transport,
      recorder: this.recorder,
      options: this.options,
    });
    this.throttle = new Throttle(deps.clock);
    this.escalations = new Escalations({
      clock: deps.clock,
      groupWaitMs: this.options.groupWaitMs,
      policies: () => this.config.allPolicies(),
      page: (t, policy, step, round, note) => this.page(t, policy, step, round, note),
      countChanged: (t) => this.countChanged(t),
      resolved: (t) => this.resolved(t),
      suppressed: () => this.metrics.suppressed.inc(),
      recordTimeline: (id, e) => this.timeline(id, e),
      setEscalation: (id, step, at, to) => deps.setEscalation?.(id, step, at, to),
    });
  }

  /** Load notify.json and follow incidents. */
  async start(): Promise<void> {
    await this.config.load();
    const r = this.config.recovery;
    if (r) {
      this.deps.logger.error('notify.json was unusable', { ...r });
      const what =
        r.loaded === 'backup' ? 'loaded its last good copy' : 'started from the defaults';
      this.deps.consoleAlerts.raise(
        CONFIG_RECOVERED_RULE,
        'notify.json',
        'warning',
        `notify.json was unusable (${r.problem}); ${what}. The bad file is kept as ${r.preservedAs}.`,
      );
    }
    this.off = this.deps.events.on('incident.changed', (change) =>
      this.escalations.onChange(change),
    );
  }

  stop(): void {
    this.off?.();
    this.off = null;
    this.escalations.stop();
    this.throttle.stop();
    this.sender.stop();
    for (const t of this.updateTimers.values()) t.cancel();
    this.updateTimers.clear();
  }

  /** Resolves once every delivery started so far has settled (tests, benches, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The escalation state of an incident the notifier follows (tests, the incident view). */
  escalationOf(incidentId: string): { step: number | null; nextAt: number | null } | null {
    const t = this.escalations.get(incidentId);
    return t ? { step: t.step, nextAt: t.nextAt } : null;
  }

  /**
   * Escalate the incident at once, out of turn: its next escalation step runs now (its first
   * page if none went out yet), with `reason` and `output` (a failed recovery's) in the
   * message and the timeline. False when nothing was paged (resolved, suppressed, no policy).
   */
  escalateNow(incidentId: string, reason: string, output?: string): boolean {
    const incident = this.deps.incident?.(incidentId) ?? this.escalations.get(incidentId)?.incident;
    if (!incident) return false;
    return this.escalations.escalateNow(incident, {
      text: reason,
      ...(output !== undefined ? { output } : {}),
    });
  }

  // ── the API's side ─────────────────────────────────────────────────────────────────────────

  channels(): ChannelView[] {
    return this.config.allChannels().map((c) => this.view(c));
  }

  channel(id: string): ChannelView {
    const c = this.config.channel(id);
    if (!c) throw new NotifyInputError(404, 'not_found', `no channel ${id}`);
    return this.view(c);
  }

  async addChannel(body: unknown): Promise<ChannelView> {
    return this.view(await this.counted(this.config.addChannel(body)));
  }

  async replaceChannel(id: string, body: unknown): Promise<ChannelView> {
    return this.view(await this.counted(this.config.replaceChannel(id, body)));
  }

  async deleteChannel(id: string): Promise<void> {
    await this.config.deleteChannel(id);
    this.recorder.forgetChannel(id);
  }

  /** One try, no retries: the operator waits for the answer. */
  async testChannel(id: string): Promise<DeliveryAttempt> {
    const channel = this.config.channel(id);
    if (!channel) throw new NotifyInputError(404, 'not_found', `no channel ${id}`);
    return this.track(
      this.sender.deliver(
        channel,
        this.message('test', testIncident(this.deps.clock.now()), null, null),
        1,
      ),
    );
  }

  policies(): EscalationPolicy[] {
    return this.config.allPolicies();
  }

  addPolicy(body: unknown): Promise<EscalationPolicy> {
    return this.counted(this.config.addPolicy(body));
  }

  replacePolicy(id: string, body: unknown): Promise<EscalationPolicy> {
    return this.counted(this.config.replacePolicy(id, body));
  }

  deletePolicy(id: string): Promise<void> {
    return this.config.deletePolicy(id);
  }

  deliveries(q: { channelId?: string; incidentId?: string; limit: number }): DeliveryAttempt[] {
    return this.recorder.recent(q);
  }

  // ── the pipeline ───────────────────────────────────────────────────────────────────────────

  private page(
    t: Tracked,
    policy: EscalationPolicy,
    step: number,
    round: number,
    note?: Note,
  ): void {
    const kind: NotificationKind = step === 0 && round === 0 && !note ? 'page' : 'escalation';
    const msg = { ...this.message(kind, t.incident, step, round), ...(note ? { note } : {}) };
    for (const channelId of policy.steps[step]!.channelIds) {
      if (!this.dedup.admit(dedupKey(t.incident.id, t.generation, round, step, channelId))) {
        this.metrics.deduplicated.inc();
        continue;
      }
      if (this.dispatch(channelId, msg)) t.paged.add(channelId);
    }
  }

  /** Alerts joined a paged incident: one quiet desktop update per second at most, no page. */
  private countChanged(t: Tracked): void {
    const id = t.incident.id;
    if (
      this.updateTimers.has(id) ||
      ![...t.paged].some((c) => this.config.channel(c)?.kind === 'desktop')
    )
      return;
    this.updateTimers.set(
      id,
      this.deps.clock.setTimeout(() => {
        this.updateTimers.delete(id);
        const now = this.escalations.get(id);
        if (!now || now.incident.state === 'resolved') return;
        for (const c of now.paged)
          if (this.config.channel(c)?.kind === 'desktop')
            this.dispatch(c, this.message('update', now.incident, now.step, now.round));
      }, UPDATE_HOLD_MS),
    );
  }

  private resolved(t: Tracked): void {
    this.updateTimers.get(t.incident.id)?.cancel();
    this.updateTimers.delete(t.incident.id);
    this.dedup.forget(t.incident.id);
    const msg = this.message('resolved', t.incident, t.step, t.round);
    for (const c of t.paged) if (this.config.channel(c)?.sendResolved) this.dispatch(c, msg);
  }

  /** Throttle, then send with retries; false when the channel is gone or disabled. */
  private dispatch(channelId: string, msg: NotificationMessage): boolean {
    const channel = this.config.channel(channelId);
    if (!channel || !channel.enabled) return false;
    this.throttle.schedule(channel.id, channel.maxPerMinute, () => {
      // The channel as it is now: an edit while the message waited applies.
      const current = this.config.channel(channel.id);
      if (current?.enabled) void this.track(this.sender.deliver(current, msg));
    });
    return true;
  }

  private message(
    kind: NotificationKind,
    incident: NotificationMessage['incident'],
    step: number | null,
    round: number | null,
  ): NotificationMessage {
    return {
      kind,
      incident,
      step,
      round,
      sentAt: this.deps.clock.now(),
      consoleUrl: this.options.consoleUrl,
    };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  private timeline(incidentId: string, entry: TimelineEntry): void {
    try {
      this.deps.recordTimeline(incidentId, entry);
    } catch (err) {
      this.deps.logger.warn('incident timeline write failed', { incidentId, error: String(err) });
    }
  }

  private async counted<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof NotifyInputError && err.status === 400)
        this.metrics.rejected.inc({ field: (err.field ?? 'body').split('/')[0]! });
      throw err;
    }
  }

  private view(c: ChannelConfig): ChannelView {
    return channelView(c, this.recorder.failuresOf(c.id));
  }
}

import type { Alert, AlertState, AlertSubject, Severity } from '../../../shared/model.js';
import { SEVERITY_RANK } from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import { isOpen, transition, type AlertAction } from './lifecycle.js';

export interface AlertReport {
  ruleId: string;
  subjectKey: string;
  subject: AlertSubject;
  severity: Severity;
  message: string;
  metric: string | null;
  value: number | null;
  threshold: number | null;
  /** Epoch ms the triggering sample arrived (null for alerts not caused by a sample). */
  sampleArrivedAt: number | null;
  /** Clock.monotonic() at arrival, to measure sample → alert latency. */
  arrivedMono: number | null;
  forMs: number;
  /** Kept on the alert (Alert.labels) when it opens. */
  labels?: Record<string, string>;
}

export interface AlertFilter {
  state?: AlertState | 'open';
  severity?: Severity;
  regionId?: string;
  agentId?: string;
  limit?: number;
}

export class AlertNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no alert with id ${id}`);
  }
}

const MAX_HISTORY = 50;
const keyOf = (ruleId: string, subjectKey: string) => `${ruleId}|${subjectKey}`;

export interface AlertBookDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  /** Called when an alert starts firing, with the sample → alert latency in ms when known. */
  onFired?: (alert: Alert, latencyMs: number | null) => void;
  /** Resolved alerts kept; older ones are dropped (state.json stays bounded). */
  maxResolved: number;
  /**
   * Called as an alert opens, fires or escalates, before it is announced: the incident manager
   * sets `suppressedBy` (a silence or maintenance window) and `inhibitedBy` here, so every
   * listener (notifications included) sees them.
   */
  annotate?: (alert: Alert) => void;
}

/**
 * Every alert and its lifecycle. One open alert per (rule, subject) while the condition
 * holds; state changes go through the transition table and are announced on the bus.
 */
export class AlertBook {
  private readonly byKey = new Map<string, Alert>();
  private readonly byId = new Map<string, Alert>();
  private readonly pendingTimers = new Map<string, TimerHandle>();
  /** Open alerts by severity and by agent, kept as alerts open, escalate and resolve. */
  private readonly openBySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  private readonly openByAgent = new Map<string, number>();

  constructor(private readonly deps: AlertBookDeps) {}

  /** Put back alerts from state.json (pending ones fire at once: their wait was interrupted). */
  load(alerts: readonly Alert[]): void {
    for (const alert of alerts) {
      this.byId.set(alert.id, alert);
      if (!isOpen(alert.state)) continue;
      this.byKey.set(keyOf(alert.ruleId, alert.subjectKey), alert);
      this.count(alert, 1);
    }
    for (const alert of alerts) {
      if (alert.state !== 'pending') continue;
      this.apply(alert, 'fire', 'rule', 'restored after a restart');
      this.fired(alert, null);
    }
    this.pruneResolved();
  }

  all(): Alert[] {
    return [...this.byId.values()];
  }

  get(id: string): Alert | undefined {
    return this.byId.get(id);
  }

  openFor(ruleId: string, subjectKey: string): Alert | undefined {
    return this.byKey.get(keyOf(ruleId, subjectKey));
  }

  openAlerts(): Alert[] {
    return [...this.byKey.values()];
  }

  /** Open alerts of a severity, without a pass over them (called on every alert change). */
  openCount(severity: Severity): number {
    return this.openBySeverity[severity];
  }

  /** Open alerts about an agent. */
  openCountFor(agentId: string): number {
    return this.openByAgent.get(agentId) ?? 0;
  }

  list(filter: AlertFilter = {}): Alert[] {
    // Open alerts have their own index; only 'resolved' and 'all' need the whole book.
    const source =
      filter.state && filter.state !== 'resolved' ? this.byKey.values() : this.byId.values();
    const out: Alert[] = [];
    for (const a of source) {
      if (filter.state === 'open' ? !isOpen(a.state) : filter.state && a.state !== filter.state)
        continue;
      if (filter.severity && a.severity !== filter.severity) continue;
      if (filter.regionId && a.subject.regionId !== filter.regionId) continue;
      if (filter.agentId && a.subject.agentId !== filter.agentId) continue;
      out.push(a);
    }
    out.sort((a, b) => b.createdAt - a.createdAt);
    return filter.limit ? out.slice(0, filter.limit) : out;
  }

  /** The `limit` most recently resolved alerts, latest first (the console's resolved history). */
  recentlyResolved(limit: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.byId.values()) if (a.state === 'resolved') out.push(a);
    out.sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0) || b.createdAt - a.createdAt);
    return out.slice(0, limit);
  }

  /** The condition holds: open a new alert, or raise the severity of the open one. */
  report(r: AlertReport): Alert {
    const key = keyOf(r.ruleId, r.subjectKey);
    const open = this.byKey.get(key);
    const now = this.deps.clock.now();
    if (!open) return this.open(key, r, now);
    open.lastValue = r.value;
    if (SEVERITY_RANK[r.severity] <= SEVERITY_RANK[open.severity]) return open;
    this.count(open, -1);
    open.severity = r.severity;
    this.count(open, 1);
    open.value = r.value;
    open.threshold = r.threshold;
    open.message = r.message;
    if (open.state === 'pending') {
      open.updatedAt = now;
      this.deps.events.emit('alert.changed', { alert: open, previousState: 'pending' });
      return open;
    }
    this.apply(open, 'escalate', 'rule', `severity rose to ${r.severity}`);
    this.fired(open, r.arrivedMono);
    return open;
  }

  /**
   * The open alert's text and value say the current state (a region's counts moved). No
   * transition and no notification: only `alert.revised`, so viewers and state.json follow.
   */
  revise(ruleId: string, subjectKey: string, message: string, value: number | null): void {
    const open = this.byKey.get(keyOf(ruleId, subjectKey));
    if (!open || (open.message === message && open.value === value)) return;
    open.message = message;
    open.value = value;
    open.lastValue = value;
    open.updatedAt = this.deps.clock.now();
    this.deps.events.emit('alert.revised', { alert: open });
  }

  /** The condition still holds at a lower level: remember the newest value only. */
  touch(ruleId: string, subjectKey: string, value: number): void {
    const open = this.byKey.get(keyOf(ruleId, subjectKey));
    if (open) open.lastValue = value;
  }

  /** The condition is gone: resolve the open alert, if any. */
  clear(ruleId: string, subjectKey: string, lastValue: number | null): void {
    const open = this.byKey.get(keyOf(ruleId, subjectKey));
    if (!open) return;
    open.lastValue = lastValue;
    this.apply(open, 'resolve', 'auto');
  }

  acknowledge(id: string, by: string, comment?: string): Alert {
    const alert = this.mustGet(id);
    this.apply(alert, 'ack', by, comment);
    alert.acknowledgedAt = alert.updatedAt;
    alert.acknowledgedBy = by;
    alert.ackComment = comment ?? null;
    return alert;
  }

  resolve(id: string, by: string, comment?: string): Alert {
    const alert = this.mustGet(id);
    this.apply(alert, 'resolve', by, comment);
    return alert;
  }

  dispose(): void {
    for (const t of this.pendingTimers.values()) t.cancel();
    this.pendingTimers.clear();
  }

  private open(key: string, r: AlertReport, now: number): Alert {
    const alert: Alert = {
      id: this.deps.ids('alr'),
      ruleId: r.ruleId,
      subjectKey: r.subjectKey,
      subject: r.subject,
      severity: r.severity,
      state: 'pending',
      message: r.message,
      metric: r.metric,
      value: r.value,
      threshold: r.threshold,
      lastValue: r.value,
      sampleArrivedAt: r.sampleArrivedAt,
      createdAt: now,
      updatedAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      ackComment: null,
      resolvedAt: null,
      resolvedBy: null,
      history: [],
      ...(r.labels ? { labels: { ...r.labels } } : {}),
    };
    this.byId.set(alert.id, alert);
    this.byKey.set(key, alert);
    this.count(alert, 1);
    if (r.forMs > 0) {
      this.apply(alert, 'open', 'rule', undefined, null);
      this.pendingTimers.set(
        alert.id,
        this.deps.clock.setTimeout(() => {
          this.pendingTimers.delete(alert.id);
          if (alert.state !== 'pending') return;
          this.apply(alert, 'fire', 'rule', `held for ${r.forMs} ms`);
          this.fired(alert, null);
        }, r.forMs),
      );
    } else {
      this.apply(alert, 'fire', 'rule', undefined, null);
      this.fired(alert, r.arrivedMono);
    }
    this.pruneResolved();
    return alert;
  }

  private fired(alert: Alert, arrivedMono: number | null): void {
    const latency = arrivedMono === null ? null : this.deps.clock.monotonic() - arrivedMono;
    this.deps.onFired?.(alert, latency);
  }

  private apply(
    alert: Alert,
    action: AlertAction,
    by: string,
    comment?: string,
    from: AlertState | null = alert.state,
  ): void {
    const t = transition(from, action);
    const now = this.deps.clock.now();
    alert.state = t.to;
    alert.updatedAt = now;
    alert.history.push({ at: now, from, to: t.to, by, ...(comment ? { comment } : {}) });
    if (alert.history.length > MAX_HISTORY)
      alert.history.splice(1, alert.history.length - MAX_HISTORY);
    if (t.to !== 'resolved' && t.to !== 'acknowledged') this.deps.annotate?.(alert);
    if (t.to === 'resolved') {
      alert.resolvedAt = now;
      alert.resolvedBy = by;
      if (from !== null && isOpen(from)) this.count(alert, -1);
      this.byKey.delete(keyOf(alert.ruleId, alert.subjectKey));
      this.pendingTimers.get(alert.id)?.cancel();
      this.pendingTimers.delete(alert.id);
      this.pruneResolved();
    }
    this.deps.events.emit('alert.changed', { alert, previousState: from });
  }

  private count(alert: Alert, delta: 1 | -1): void {
    this.openBySeverity[alert.severity] += delta;
    const agentId = alert.subject.agentId;
    if (!agentId) return;
    const n = (this.openByAgent.get(agentId) ?? 0) + delta;
    if (n > 0) this.openByAgent.set(agentId, n);
    else this.openByAgent.delete(agentId);
  }

  private mustGet(id: string): Alert {
    const alert = this.byId.get(id);
    if (!alert) throw new AlertNotFoundError(id);
    return alert;
  }

  private pruneResolved(): void {
    const excess = this.byId.size - this.byKey.size - this.deps.maxResolved;
    if (excess <= 0) return;
    const resolved = [...this.byId.values()]
      .filter((a) => a.state === 'resolved')
      .sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
    for (const a of resolved.slice(0, excess)) this.byId.delete(a.id);
  }
}

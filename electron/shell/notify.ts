// Which alert changes become a native notification, what it says, and how a storm of them is
// folded so the desktop is not buried (a failed region raises one alert per agent at once).
import type { Alert, AlertState } from '../../shared/model.js';

/**
 * A native notification for an alert that has just become a firing critical: a new one
 * (null/pending → firing), or an escalation to critical (acknowledged → firing, or
 * firing → firing, which the alert book emits only when the severity rises).
 * Acks, resolves, pending alerts and warnings never notify; nor do suppressed or inhibited ones.
 */
export function shouldNotify(
  alert: Pick<Alert, 'severity' | 'state' | 'suppressedBy' | 'inhibitedBy'>,
  _previousState: AlertState | null,
): boolean {
  // Silenced, in maintenance, or an effect of a region's alert: recorded, never notified.
  if (alert.suppressedBy || alert.inhibitedBy) return false;
  return alert.severity === 'critical' && alert.state === 'firing';
}

/** shouldNotify plus memory: each alert notifies at most once while it is open. */
export class NotificationGate {
  private readonly notified = new Set<string>();

  constructor(private readonly maxRemembered = 10_000) {}

  admit(
    alert: Pick<Alert, 'id' | 'severity' | 'state' | 'suppressedBy' | 'inhibitedBy'>,
    previousState: AlertState | null,
  ): boolean {
    if (alert.state === 'resolved') {
      this.notified.delete(alert.id);
      return false;
    }
    if (!shouldNotify(alert, previousState) || this.notified.has(alert.id)) return false;
    this.notified.add(alert.id);
    if (this.notified.size > this.maxRemembered) {
      const oldest = this.notified.values().next().value;
      if (oldest !== undefined) this.notified.delete(oldest);
    }
    return true;
  }
}

export interface NotificationText {
  title: string;
  body: string;
  /** Who it is about, for summaries: 'web-1 (us-east-1)'. */
  subject: string;
}

const MAX_BODY = 240;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Title 'CRITICAL · web-1 (us-east-1)'; body: the rule and the message (which carries the value). */
export function notificationText(
  alert: Pick<Alert, 'severity' | 'subject' | 'ruleId' | 'message' | 'metric' | 'value'>,
  agentHostname?: string,
): NotificationText {
  const { subject } = alert;
  let who: string;
  if (subject.kind === 'agent') {
    const host = agentHostname ?? subject.agentId ?? 'unknown agent';
    who = subject.regionId ? `${host} (${subject.regionId})` : host;
  } else if (subject.kind === 'region') {
    who = `region ${subject.regionId ?? 'unknown'}`;
  } else {
    who = 'Meridian console';
  }
  const detail =
    alert.message ||
    (alert.metric && alert.value !== null ? `${alert.metric} = ${alert.value}` : 'condition holds');
  return {
    title: `${alert.severity.toUpperCase()} · ${who}`,
    body: clip(`Rule ${alert.ruleId} — ${detail}`, MAX_BODY),
    subject: who,
  };
}

export interface NotifyItem {
  alertId: string;
  text: NotificationText;
}

/** One native notification to show; alertId null for a summary (click just focuses the window). */
export interface PlannedNotification {
  alertId: string | null;
  title: string;
  body: string;
}

export function summaryNotification(items: readonly NotifyItem[]): PlannedNotification {
  const names = items.slice(0, 3).map((i) => i.text.subject);
  const more = items.length - names.length;
  return {
    alertId: null,
    title: `CRITICAL · ${items.length} new alerts`,
    body: clip(`${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`, MAX_BODY),
  };
}

/**
 * At most `burst` notifications per `windowMs`. Beyond that, alerts are held and shown as one
 * summary when the window frees a slot (nextFlushAt), so a region failure costs the operator a
 * few notifications, not hundreds. Time is passed in.
 */
export class NotificationThrottle {
  private sent: number[] = [];
  private held: NotifyItem[] = [];

  constructor(
    private readonly opts: { burst: number; windowMs: number } = { burst: 3, windowMs: 10_000 },
  ) {}

  push(item: NotifyItem, now: number): PlannedNotification[] {
    this.prune(now);
    if (this.held.length === 0 && this.sent.length < this.opts.burst) {
      this.sent.push(now);
      return [{ alertId: item.alertId, title: item.text.title, body: item.text.body }];
    }
    this.held.push(item);
    return [];
  }

  /** When held alerts can be shown (epoch ms), or null when none are held. */
  nextFlushAt(now: number): number | null {
    if (this.held.length === 0) return null;
    this.prune(now);
    if (this.sent.length < this.opts.burst) return now;
    return this.sent[0]! + this.opts.windowMs;
  }

  /** Show what is held (those still wanted), as one notification. */
  flush(
    now: number,
    stillWanted: (alertId: string) => boolean = () => true,
  ): PlannedNotification[] {
    this.prune(now);
    if (this.held.length === 0 || this.sent.length >= this.opts.burst) return [];
    const items = this.held.filter((i) => stillWanted(i.alertId));
    this.held = [];
    if (items.length === 0) return [];
    this.sent.push(now);
    if (items.length === 1) {
      const [only] = items as [NotifyItem];
      return [{ alertId: only.alertId, title: only.text.title, body: only.text.body }];
    }
    return [summaryNotification(items)];
  }

  private prune(now: number): void {
    while (this.sent.length > 0 && this.sent[0]! <= now - this.opts.windowMs) this.sent.shift();
  }
}

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { AlertBook, type AlertReport } from '../../electron/core/incidents/alert-book.js';
import {
  NotificationGate,
  NotificationThrottle,
  notificationText,
  shouldNotify,
  type NotifyItem,
} from '../../electron/shell/notify.js';
import type { Alert, AlertState } from '../../shared/model.js';

const T0 = 1_700_000_000_000;

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'alr-1',
    ruleId: 'cpu_usage',
    subjectKey: 'agt-1/cpu_usage',
    subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-1' },
    severity: 'critical',
    state: 'firing',
    message: 'CPU busy: cpu_usage 99 % > 95 % on web-1',
    metric: 'cpu_usage',
    value: 99,
    threshold: 95,
    lastValue: 99,
    sampleArrivedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    resolvedAt: null,
    resolvedBy: null,
    history: [],
    ...over,
  };
}

describe('shouldNotify', () => {
  it('notifies a critical alert that starts firing, new or after its hold', () => {
    expect(shouldNotify(alert(), null)).toBe(true);
    expect(shouldNotify(alert(), 'pending')).toBe(true);
  });

  it('never for a silenced, in-maintenance or inhibited (effect) alert', () => {
    expect(shouldNotify(alert({ suppressedBy: 'sil-1' }), null)).toBe(false);
    expect(shouldNotify(alert({ suppressedBy: 'mnt-1' }), null)).toBe(false);
    expect(shouldNotify(alert({ inhibitedBy: 'alr-9' }), null)).toBe(false);
    expect(shouldNotify(alert({ suppressedBy: null, inhibitedBy: null }), null)).toBe(true);
  });

  it('notifies an escalation to critical', () => {
    expect(shouldNotify(alert(), 'acknowledged')).toBe(true);
    expect(shouldNotify(alert(), 'firing')).toBe(true);
  });

  it('never for warnings, info, pending, acks or resolves', () => {
    expect(shouldNotify(alert({ severity: 'warning' }), null)).toBe(false);
    expect(shouldNotify(alert({ severity: 'info' }), null)).toBe(false);
    expect(shouldNotify(alert({ state: 'pending' }), null)).toBe(false);
    expect(shouldNotify(alert({ state: 'acknowledged' }), 'firing')).toBe(false);
    expect(shouldNotify(alert({ state: 'resolved' }), 'firing')).toBe(false);
    expect(shouldNotify(alert({ state: 'resolved' }), 'acknowledged')).toBe(false);
  });
});

describe('NotificationGate', () => {
  it('admits an alert once while it is open', () => {
    const gate = new NotificationGate();
    expect(gate.admit(alert(), null)).toBe(true);
    expect(gate.admit(alert(), 'firing')).toBe(false);
    expect(gate.admit(alert({ state: 'acknowledged' }), 'firing')).toBe(false);
    expect(gate.admit(alert({ id: 'alr-2' }), null)).toBe(true);
  });

  it('forgets resolved alerts, and stays bounded', () => {
    const gate = new NotificationGate(2);
    expect(gate.admit(alert({ id: 'a' }), null)).toBe(true);
    expect(gate.admit(alert({ id: 'a', state: 'resolved' }), 'firing')).toBe(false);
    expect(gate.admit(alert({ id: 'a' }), null)).toBe(true);
    gate.admit(alert({ id: 'b' }), null);
    gate.admit(alert({ id: 'c' }), null);
    expect(gate.admit(alert({ id: 'a' }), 'firing')).toBe(true); // evicted as the oldest
  });

  /** The real alert book and its lifecycle table, driven as the core drives it. */
  it('follows the alert lifecycle: fire, ack, escalate, resolve', () => {
    const clock = new ManualClock(T0);
    const events = new CoreEvents();
    const book = new AlertBook({ clock, ids: counterIds(), events, maxResolved: 100 });
    const gate = new NotificationGate();
    const notified: string[] = [];
    const seen: { state: AlertState; prev: AlertState | null }[] = [];
    events.on('alert.changed', ({ alert: a, previousState }) => {
      seen.push({ state: a.state, prev: previousState });
      if (gate.admit(a, previousState)) notified.push(`${a.id}:${a.severity}`);
    });
    const report = (over: Partial<AlertReport>): AlertReport => ({
      ruleId: 'cpu_usage',
      subjectKey: 'agt-1/cpu_usage',
      subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-1' },
      severity: 'warning',
      message: 'CPU busy',
      metric: 'cpu_usage',
      value: 85,
      threshold: 80,
      sampleArrivedAt: T0,
      arrivedMono: null,
      forMs: 0,
      ...over,
    });

    // A warning fires: no notification.
    const a = book.report(report({}));
    expect(notified).toEqual([]);
    // The operator acknowledges it; then it becomes critical: it needs eyes again.
    book.acknowledge(a.id, 'op');
    book.report(report({ severity: 'critical', value: 99, threshold: 95 }));
    expect(notified).toEqual([`${a.id}:critical`]);
    // The same critical reported again changes nothing and notifies nothing.
    book.report(report({ severity: 'critical', value: 98, threshold: 95 }));
    book.acknowledge(a.id, 'op');
    book.clear('cpu_usage', 'agt-1/cpu_usage', 10);
    expect(notified).toHaveLength(1);

    // A new critical straight away, then another subject's critical held for 10 s.
    const b = book.report(report({ severity: 'critical', value: 99, threshold: 95 }));
    book.report(report({ subjectKey: 'agt-2/cpu_usage', severity: 'critical', forMs: 10_000 }));
    expect(notified).toEqual([`${a.id}:critical`, `${b.id}:critical`]);
    clock.advance(10_000);
    expect(notified).toHaveLength(3);
    expect(seen.map((s) => `${s.prev ?? 'new'}>${s.state}`)).toContain('pending>firing');
  });
});

describe('notificationText', () => {
  it('titles severity, host and region; the body carries the rule and the value', () => {
    const t = notificationText(alert(), 'web-1');
    expect(t.title).toBe('CRITICAL · web-1 (us-east-1)');
    expect(t.body).toBe('Rule cpu_usage — CPU busy: cpu_usage 99 % > 95 % on web-1');
    expect(t.subject).toBe('web-1 (us-east-1)');
  });

  it('falls back to the agent id, and names regions and the console', () => {
    expect(notificationText(alert()).title).toBe('CRITICAL · agt-1 (us-east-1)');
    const region = alert({
      ruleId: 'region_status',
      subject: { kind: 'region', regionId: 'ap-northeast-1', agentId: null },
      message: 'Region Tokyo failed: 1/4 agents online (25%)',
    });
    expect(notificationText(region).title).toBe('CRITICAL · region ap-northeast-1');
    const console = alert({
      ruleId: 'state_recovered',
      subject: { kind: 'console', regionId: null, agentId: null },
    });
    expect(notificationText(console).title).toBe('CRITICAL · Meridian console');
  });

  it('uses the metric and value when there is no message, and keeps bodies short', () => {
    expect(notificationText(alert({ message: '' })).body).toBe('Rule cpu_usage — cpu_usage = 99');
    const long = notificationText(alert({ message: 'x'.repeat(1000) })).body;
    expect(long.length).toBe(240);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('NotificationThrottle', () => {
  const item = (n: number): NotifyItem => ({
    alertId: `alr-${n}`,
    text: {
      title: `CRITICAL · web-${n} (us-east-1)`,
      body: `Rule cpu_usage — ${n}`,
      subject: `web-${n} (us-east-1)`,
    },
  });

  it('shows a burst at once, then folds the rest into one summary when the window frees', () => {
    const t = new NotificationThrottle({ burst: 3, windowMs: 10_000 });
    const shown = [1, 2, 3].flatMap((n) => t.push(item(n), T0));
    expect(shown.map((s) => s.alertId)).toEqual(['alr-1', 'alr-2', 'alr-3']);
    expect(shown[0]!.title).toBe('CRITICAL · web-1 (us-east-1)');
    for (let n = 4; n <= 75; n++) expect(t.push(item(n), T0 + n)).toEqual([]);
    expect(t.nextFlushAt(T0 + 100)).toBe(T0 + 10_000);
    expect(t.flush(T0 + 5_000)).toEqual([]); // too early
    const [summary, ...rest] = t.flush(T0 + 10_000);
    expect(rest).toEqual([]);
    expect(summary).toEqual({
      alertId: null,
      title: 'CRITICAL · 72 new alerts',
      body: 'web-4 (us-east-1), web-5 (us-east-1), web-6 (us-east-1) and 69 more',
    });
    expect(t.nextFlushAt(T0 + 10_000)).toBeNull();
  });

  it('drops held alerts no longer wanted, and shows a lone one as itself', () => {
    const t = new NotificationThrottle({ burst: 1, windowMs: 1_000 });
    t.push(item(1), T0);
    t.push(item(2), T0);
    t.push(item(3), T0);
    expect(t.flush(T0 + 1_000, (id) => id === 'alr-3')).toEqual([
      { alertId: 'alr-3', title: 'CRITICAL · web-3 (us-east-1)', body: 'Rule cpu_usage — 3' },
    ]);
    t.push(item(4), T0 + 1_500);
    expect(t.flush(T0 + 2_000, () => false)).toEqual([]);
  });

  it('keeps order: nothing jumps the queue while alerts are held', () => {
    const t = new NotificationThrottle({ burst: 1, windowMs: 1_000 });
    t.push(item(1), T0);
    t.push(item(2), T0 + 10);
    // The window has freed, but alr-2 waits in the queue: alr-3 joins it rather than overtaking.
    expect(t.push(item(3), T0 + 1_500)).toEqual([]);
    expect(t.nextFlushAt(T0 + 1_500)).toBe(T0 + 1_500);
    expect(t.flush(T0 + 1_500)[0]!.title).toBe('CRITICAL · 2 new alerts');
  });
});

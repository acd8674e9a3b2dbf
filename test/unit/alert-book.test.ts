import { describe, it, expect } from 'vitest';
import {
  AlertBook,
  AlertNotFoundError,
  type AlertReport,
} from '../../electron/core/incidents/alert-book.js';
import { IllegalTransitionError } from '../../electron/core/incidents/lifecycle.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents, type CoreEventMap } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import type { Alert, AlertState, Severity } from '../../shared/model.js';

const T0 = 1_700_000_000_000;

function setup(opts: { maxResolved?: number } = {}) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const changes: { id: string; state: AlertState; previousState: AlertState | null }[] = [];
  events.on('alert.changed', ({ alert, previousState }: CoreEventMap['alert.changed']) =>
    changes.push({ id: alert.id, state: alert.state, previousState }),
  );
  const fired: { id: string; severity: Severity; latency: number | null }[] = [];
  const book = new AlertBook({
    clock,
    ids: counterIds(),
    events,
    maxResolved: opts.maxResolved ?? 100,
    onFired: (alert, latency) => fired.push({ id: alert.id, severity: alert.severity, latency }),
  });
  return { clock, events, book, changes, fired };
}

function report(over: Partial<AlertReport> = {}): AlertReport {
  return {
    ruleId: 'cpu_usage',
    subjectKey: 'agt-1/cpu_usage',
    subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-1' },
    severity: 'warning',
    message: 'CPU busy',
    metric: 'cpu_usage',
    value: 85,
    threshold: 80,
    sampleArrivedAt: null,
    arrivedMono: null,
    forMs: 0,
    ...over,
  };
}

describe('AlertBook', () => {
  describe('one alert per (rule, subject)', () => {
    it('opens a firing alert on the first report with all fields set', () => {
      const { book, clock } = setup();
      const a = book.report(report({ sampleArrivedAt: T0 - 3 }));
      expect(a).toMatchObject({
        id: 'alr-1',
        ruleId: 'cpu_usage',
        subjectKey: 'agt-1/cpu_usage',
        severity: 'warning',
        state: 'firing',
        value: 85,
        threshold: 80,
        lastValue: 85,
        sampleArrivedAt: T0 - 3,
        createdAt: clock.now(),
        updatedAt: clock.now(),
        acknowledgedAt: null,
        acknowledgedBy: null,
        ackComment: null,
        resolvedAt: null,
        resolvedBy: null,
      });
      expect(a.history).toEqual([{ at: T0, from: null, to: 'firing', by: 'rule' }]);
    });

    it('repeated reports of the same severity keep one alert and only update lastValue', () => {
      const { book, clock, changes, fired } = setup();
      const a = book.report(report({ value: 85 }));
      clock.advance(1000);
      const b = book.report(report({ value: 88 }));
      clock.advance(1000);
      const c = book.report(report({ value: 86 }));
      expect(b).toBe(a);
      expect(c).toBe(a);
      expect(book.all()).toHaveLength(1);
      expect(book.openAlerts()).toHaveLength(1);
      expect(a.value).toBe(85);
      expect(a.lastValue).toBe(86);
      expect(a.updatedAt).toBe(T0);
      expect(a.history).toHaveLength(1);
      expect(changes).toHaveLength(1);
      expect(fired).toHaveLength(1);
      expect(book.openFor('cpu_usage', 'agt-1/cpu_usage')).toBe(a);
    });

    it('different subjects or rules get different alerts', () => {
      const { book } = setup();
      const a = book.report(report());
      const b = book.report(report({ subjectKey: 'agt-2/cpu_usage' }));
      const c = book.report(report({ ruleId: 'other' }));
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect(book.openAlerts()).toHaveLength(3);
    });
  });

  describe('severity', () => {
    it('rises warning → critical: escalate entry in history, value/threshold/message updated', () => {
      const { book, clock, changes, fired } = setup();
      const a = book.report(report());
      clock.advance(500);
      const b = book.report(
        report({ severity: 'critical', value: 97, threshold: 95, message: 'CPU very busy' }),
      );
      expect(b).toBe(a);
      expect(a.severity).toBe('critical');
      expect(a.state).toBe('firing');
      expect(a.value).toBe(97);
      expect(a.threshold).toBe(95);
      expect(a.lastValue).toBe(97);
      expect(a.message).toBe('CPU very busy');
      expect(a.updatedAt).toBe(T0 + 500);
      expect(a.createdAt).toBe(T0);
      expect(a.history).toEqual([
        { at: T0, from: null, to: 'firing', by: 'rule' },
        {
          at: T0 + 500,
          from: 'firing',
          to: 'firing',
          by: 'rule',
          comment: 'severity rose to critical',
        },
      ]);
      expect(changes.map((c) => [c.previousState, c.state])).toEqual([
        [null, 'firing'],
        ['firing', 'firing'],
      ]);
      expect(fired.map((f) => f.severity)).toEqual(['warning', 'critical']);
    });

    it('escalation turns an acknowledged alert back to firing', () => {
      const { book, clock, changes } = setup();
      const a = book.report(report());
      book.acknowledge(a.id, 'ops@example', 'looking');
      clock.advance(100);
      book.report(report({ severity: 'critical', value: 99, threshold: 95 }));
      expect(a.state).toBe('firing');
      expect(a.severity).toBe('critical');
      expect(a.history.at(-1)).toEqual({
        at: T0 + 100,
        from: 'acknowledged',
        to: 'firing',
        by: 'rule',
        comment: 'severity rose to critical',
      });
      expect(changes.at(-1)).toEqual({ id: a.id, state: 'firing', previousState: 'acknowledged' });
    });

    it('does not fall: a lower severity report keeps critical and only updates lastValue', () => {
      const { book, changes } = setup();
      const a = book.report(report({ severity: 'critical', value: 97, threshold: 95 }));
      const n = changes.length;
      book.report(report({ severity: 'warning', value: 85, threshold: 80 }));
      expect(a.severity).toBe('critical');
      expect(a.value).toBe(97);
      expect(a.threshold).toBe(95);
      expect(a.lastValue).toBe(85);
      expect(a.history).toHaveLength(1);
      expect(changes).toHaveLength(n);
    });

    it('touch updates lastValue of the open alert only', () => {
      const { book } = setup();
      const a = book.report(report());
      book.touch('cpu_usage', 'agt-1/cpu_usage', 77);
      book.touch('cpu_usage', 'nobody', 1);
      expect(a.lastValue).toBe(77);
      expect(a.state).toBe('firing');
      expect(book.all()).toHaveLength(1);
    });
  });

  describe('resolution', () => {
    it('clear resolves with resolvedBy auto and records the last value', () => {
      const { book, clock, changes } = setup();
      const a = book.report(report());
      clock.advance(2000);
      book.clear('cpu_usage', 'agt-1/cpu_usage', 70);
      expect(a.state).toBe('resolved');
      expect(a.resolvedBy).toBe('auto');
      expect(a.resolvedAt).toBe(T0 + 2000);
      expect(a.lastValue).toBe(70);
      expect(a.history.at(-1)).toEqual({
        at: T0 + 2000,
        from: 'firing',
        to: 'resolved',
        by: 'auto',
      });
      expect(changes.at(-1)).toEqual({ id: a.id, state: 'resolved', previousState: 'firing' });
      expect(book.openFor('cpu_usage', 'agt-1/cpu_usage')).toBeUndefined();
      expect(book.get(a.id)).toBe(a);
    });

    it('clear with nothing open is a no-op', () => {
      const { book, changes } = setup();
      book.clear('cpu_usage', 'agt-1/cpu_usage', 1);
      expect(book.all()).toHaveLength(0);
      expect(changes).toHaveLength(0);
    });

    it('acknowledge sets acknowledgedAt/By and ackComment', () => {
      const { book, clock, changes } = setup();
      const a = book.report(report());
      clock.advance(30_000);
      const r = book.acknowledge(a.id, 'alice', 'on it');
      expect(r).toBe(a);
      expect(a.state).toBe('acknowledged');
      expect(a.acknowledgedAt).toBe(T0 + 30_000);
      expect(a.acknowledgedBy).toBe('alice');
      expect(a.ackComment).toBe('on it');
      expect(a.history.at(-1)).toEqual({
        at: T0 + 30_000,
        from: 'firing',
        to: 'acknowledged',
        by: 'alice',
        comment: 'on it',
      });
      expect(changes.at(-1)).toEqual({ id: a.id, state: 'acknowledged', previousState: 'firing' });
    });

    it('acknowledge without a comment leaves ackComment null', () => {
      const { book } = setup();
      const a = book.report(report());
      book.acknowledge(a.id, 'bob');
      expect(a.ackComment).toBeNull();
      expect(a.history.at(-1)).toEqual({ at: T0, from: 'firing', to: 'acknowledged', by: 'bob' });
    });

    it('resolve by an operator records who and why', () => {
      const { book, clock } = setup();
      const a = book.report(report());
      book.acknowledge(a.id, 'alice');
      clock.advance(60_000);
      book.resolve(a.id, 'alice', 'rebooted');
      expect(a.state).toBe('resolved');
      expect(a.resolvedBy).toBe('alice');
      expect(a.resolvedAt).toBe(T0 + 60_000);
      expect(a.history.at(-1)).toEqual({
        at: T0 + 60_000,
        from: 'acknowledged',
        to: 'resolved',
        by: 'alice',
        comment: 'rebooted',
      });
      expect(book.openAlerts()).toHaveLength(0);
    });

    it('illegal operator actions throw and change nothing', () => {
      const { book } = setup();
      const a = book.report(report());
      book.resolve(a.id, 'alice');
      const historyLength = a.history.length;
      expect(() => book.acknowledge(a.id, 'bob')).toThrow(IllegalTransitionError);
      expect(() => book.resolve(a.id, 'bob')).toThrow(IllegalTransitionError);
      expect(a.state).toBe('resolved');
      expect(a.resolvedBy).toBe('alice');
      expect(a.acknowledgedBy).toBeNull();
      expect(a.history).toHaveLength(historyLength);
    });

    it('unknown ids throw AlertNotFoundError', () => {
      const { book } = setup();
      expect(() => book.acknowledge('alr-404', 'x')).toThrow(AlertNotFoundError);
      expect(() => book.resolve('alr-404', 'x')).toThrow(AlertNotFoundError);
    });

    it('a report after resolution opens a NEW alert with a new id', () => {
      const { book, clock } = setup();
      const first = book.report(report());
      book.clear('cpu_usage', 'agt-1/cpu_usage', 70);
      clock.advance(1000);
      const second = book.report(report({ value: 90 }));
      expect(second).not.toBe(first);
      expect(second.id).toBe('alr-2');
      expect(first.id).toBe('alr-1');
      expect(second.state).toBe('firing');
      expect(second.createdAt).toBe(T0 + 1000);
      expect(first.state).toBe('resolved');
      expect(book.openFor('cpu_usage', 'agt-1/cpu_usage')).toBe(second);
      expect(book.all()).toHaveLength(2);
    });
  });

  describe('forMs (pending)', () => {
    it('opens pending and fires only once forMs has passed', () => {
      const { book, clock, changes, fired } = setup();
      const a = book.report(report({ forMs: 60_000 }));
      expect(a.state).toBe('pending');
      expect(a.history).toEqual([{ at: T0, from: null, to: 'pending', by: 'rule' }]);
      expect(fired).toHaveLength(0);
      clock.advance(59_999);
      expect(a.state).toBe('pending');
      expect(fired).toHaveLength(0);
      clock.advance(1);
      expect(a.state).toBe('firing');
      expect(a.updatedAt).toBe(T0 + 60_000);
      expect(a.history.at(-1)).toEqual({
        at: T0 + 60_000,
        from: 'pending',
        to: 'firing',
        by: 'rule',
        comment: 'held for 60000 ms',
      });
      expect(fired).toEqual([{ id: a.id, severity: 'warning', latency: null }]);
      expect(changes.map((c) => [c.previousState, c.state])).toEqual([
        [null, 'pending'],
        ['pending', 'firing'],
      ]);
      clock.advance(600_000);
      expect(fired).toHaveLength(1);
    });

    it('never fires when cleared before forMs', () => {
      const { book, clock, fired } = setup();
      const a = book.report(report({ forMs: 60_000 }));
      clock.advance(30_000);
      book.clear('cpu_usage', 'agt-1/cpu_usage', 50);
      expect(a.state).toBe('resolved');
      expect(a.resolvedBy).toBe('auto');
      clock.advance(120_000);
      expect(a.state).toBe('resolved');
      expect(fired).toHaveLength(0);
      expect(a.history.map((h) => h.to)).toEqual(['pending', 'resolved']);
    });

    it('a pending alert cannot be acknowledged', () => {
      const { book } = setup();
      const a = book.report(report({ forMs: 1000 }));
      expect(() => book.acknowledge(a.id, 'alice')).toThrow(IllegalTransitionError);
      expect(a.state).toBe('pending');
    });

    it('severity rising while pending updates it without firing; it fires at its level later', () => {
      const { book, clock, changes, fired } = setup();
      const a = book.report(report({ forMs: 10_000 }));
      clock.advance(1000);
      book.report(report({ forMs: 10_000, severity: 'critical', value: 99, threshold: 95 }));
      expect(a.state).toBe('pending');
      expect(a.severity).toBe('critical');
      expect(a.updatedAt).toBe(T0 + 1000);
      expect(changes.at(-1)).toEqual({ id: a.id, state: 'pending', previousState: 'pending' });
      expect(fired).toHaveLength(0);
      clock.advance(9000);
      expect(a.state).toBe('firing');
      expect(fired).toEqual([{ id: a.id, severity: 'critical', latency: null }]);
    });

    it('dispose cancels pending timers', () => {
      const { book, clock, fired } = setup();
      const a = book.report(report({ forMs: 1000 }));
      book.dispose();
      clock.advance(5000);
      expect(a.state).toBe('pending');
      expect(fired).toHaveLength(0);
    });
  });

  describe('onFired latency', () => {
    it('is monotonic now minus arrivedMono when the alert fires at once', () => {
      const { book, clock, fired } = setup();
      const arrivedMono = clock.monotonic();
      clock.advance(12);
      book.report(report({ arrivedMono }));
      expect(fired).toEqual([{ id: 'alr-1', severity: 'warning', latency: 12 }]);
    });

    it('is 0 when the alert is raised in the same tick', () => {
      const { book, clock, fired } = setup();
      book.report(report({ arrivedMono: clock.monotonic() }));
      expect(fired[0]!.latency).toBe(0);
    });

    it('is null when there was no sample', () => {
      const { book, fired } = setup();
      book.report(report({ arrivedMono: null }));
      expect(fired[0]!.latency).toBeNull();
    });

    it('is measured for an escalation too', () => {
      const { book, clock, fired } = setup();
      book.report(report({ arrivedMono: clock.monotonic() }));
      clock.advance(1000);
      const arrivedMono = clock.monotonic();
      clock.advance(7);
      book.report(report({ severity: 'critical', arrivedMono }));
      expect(fired.map((f) => f.latency)).toEqual([0, 7]);
    });
  });

  describe('list', () => {
    function populate() {
      const s = setup();
      const { book, clock } = s;
      const a1 = book.report(report({ subjectKey: 'a1', subject: sub('us-east-1', 'agt-1') }));
      clock.advance(1);
      const a2 = book.report(
        report({ subjectKey: 'a2', subject: sub('us-east-1', 'agt-2'), severity: 'critical' }),
      );
      clock.advance(1);
      const a3 = book.report(report({ subjectKey: 'a3', subject: sub('eu-west-1', 'agt-3') }));
      clock.advance(1);
      const a4 = book.report(
        report({ subjectKey: 'a4', subject: sub('eu-west-1', 'agt-4'), severity: 'critical' }),
      );
      clock.advance(1);
      const a5 = book.report(
        report({ subjectKey: 'a5', subject: sub('us-east-1', 'agt-1'), forMs: 1e6 }),
      );
      book.acknowledge(a2.id, 'alice');
      book.clear('cpu_usage', 'a3', 10);
      return { ...s, a1, a2, a3, a4, a5 };
    }
    const sub = (regionId: string, agentId: string) => ({
      kind: 'agent' as const,
      regionId,
      agentId,
    });
    const ids = (alerts: Alert[]) => alerts.map((a) => a.id);

    it('without a filter returns every alert, newest first', () => {
      const { book, a1, a2, a3, a4, a5 } = populate();
      expect(ids(book.list())).toEqual(ids([a5, a4, a3, a2, a1]));
    });

    it("state 'open' excludes resolved alerts", () => {
      const { book, a1, a2, a4, a5 } = populate();
      expect(ids(book.list({ state: 'open' }))).toEqual(ids([a5, a4, a2, a1]));
    });

    it('filters by a single state', () => {
      const { book, a1, a2, a3, a4, a5 } = populate();
      expect(ids(book.list({ state: 'resolved' }))).toEqual([a3.id]);
      expect(ids(book.list({ state: 'firing' }))).toEqual(ids([a4, a1]));
      expect(ids(book.list({ state: 'acknowledged' }))).toEqual([a2.id]);
      expect(ids(book.list({ state: 'pending' }))).toEqual([a5.id]);
    });

    it('filters by severity, region and agent, and combines filters', () => {
      const { book, a1, a2, a3, a4, a5 } = populate();
      expect(ids(book.list({ severity: 'critical' }))).toEqual(ids([a4, a2]));
      expect(ids(book.list({ regionId: 'eu-west-1' }))).toEqual(ids([a4, a3]));
      expect(ids(book.list({ agentId: 'agt-1' }))).toEqual(ids([a5, a1]));
      expect(ids(book.list({ state: 'open', regionId: 'eu-west-1' }))).toEqual([a4.id]);
      expect(
        ids(book.list({ state: 'firing', severity: 'warning', regionId: 'us-east-1' })),
      ).toEqual([a1.id]);
      expect(book.list({ regionId: 'nowhere' })).toEqual([]);
    });

    it('limit keeps the newest', () => {
      const { book, a4, a5 } = populate();
      expect(ids(book.list({ limit: 2 }))).toEqual(ids([a5, a4]));
    });
  });

  describe('maxResolved', () => {
    it('prunes the oldest resolved alerts when new alerts open', () => {
      const { book, clock } = setup({ maxResolved: 2 });
      const resolved: Alert[] = [];
      for (let i = 0; i < 3; i++) {
        const a = book.report(report({ subjectKey: `s${i}` }));
        clock.advance(10);
        book.clear('cpu_usage', `s${i}`, 0);
        resolved.push(a);
      }
      const open = book.report(report({ subjectKey: 'live' }));
      expect(book.get(resolved[0]!.id)).toBeUndefined();
      expect(book.get(resolved[1]!.id)).toBe(resolved[1]);
      expect(book.get(resolved[2]!.id)).toBe(resolved[2]);
      expect(book.list({ state: 'resolved' })).toHaveLength(2);
      expect(book.get(open.id)).toBe(open);
      expect(book.all()).toHaveLength(3);
    });

    it('never prunes open alerts', () => {
      const { book } = setup({ maxResolved: 0 });
      for (let i = 0; i < 5; i++) book.report(report({ subjectKey: `s${i}` }));
      expect(book.openAlerts()).toHaveLength(5);
      book.clear('cpu_usage', 's0', 0);
      book.report(report({ subjectKey: 's5' }));
      expect(book.all()).toHaveLength(5);
      expect(book.list({ state: 'resolved' })).toHaveLength(0);
      expect(book.openAlerts()).toHaveLength(5);
    });
  });

  describe('load', () => {
    function stored(over: Partial<Alert>): Alert {
      return {
        id: 'alr-old',
        ruleId: 'cpu_usage',
        subjectKey: 'agt-1/cpu_usage',
        subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-1' },
        severity: 'warning',
        state: 'firing',
        message: 'CPU busy',
        metric: 'cpu_usage',
        value: 85,
        threshold: 80,
        lastValue: 85,
        sampleArrivedAt: null,
        createdAt: T0 - 1000,
        updatedAt: T0 - 1000,
        acknowledgedAt: null,
        acknowledgedBy: null,
        ackComment: null,
        resolvedAt: null,
        resolvedBy: null,
        history: [{ at: T0 - 1000, from: null, to: 'firing', by: 'rule' }],
        ...over,
      };
    }

    it('open loaded alerts are indexed: a new report updates them instead of opening another', () => {
      const { book } = setup();
      book.load([stored({})]);
      const a = book.report(report({ value: 86 }));
      expect(a.id).toBe('alr-old');
      expect(a.lastValue).toBe(86);
      expect(book.all()).toHaveLength(1);
    });

    it('resolved loaded alerts are kept but not open', () => {
      const { book } = setup();
      book.load([stored({ state: 'resolved', resolvedAt: T0 - 500, resolvedBy: 'auto' })]);
      expect(book.get('alr-old')?.state).toBe('resolved');
      expect(book.openFor('cpu_usage', 'agt-1/cpu_usage')).toBeUndefined();
      const fresh = book.report(report());
      expect(fresh.id).not.toBe('alr-old');
    });

    // Documented on AlertBook.load: "pending ones fire at once: their wait was interrupted".
    it('a loaded pending alert fires at once', () => {
      const { book, clock } = setup();
      book.load([
        stored({
          state: 'pending',
          history: [{ at: T0 - 1000, from: null, to: 'pending', by: 'rule' }],
        }),
      ]);
      clock.advance(1);
      const a = book.get('alr-old')!;
      expect(a.state).toBe('firing');
      expect(a.history.at(-1)).toMatchObject({ from: 'pending', to: 'firing' });
    });
  });
});

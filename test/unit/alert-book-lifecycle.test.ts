import { describe, it, expect } from 'vitest';
import { AlertNotFoundError } from '../../electron/core/incidents/alert-book.js';
import { IllegalTransitionError } from '../../electron/core/incidents/lifecycle.js';
import { T0, report, setup } from './support/alert-book-fixture.js';

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
});

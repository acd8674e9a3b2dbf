import { describe, it, expect } from 'vitest';
import { IllegalTransitionError } from '../../electron/core/incidents/lifecycle.js';
import { T0, report, setup } from './support/alert-book-fixture.js';

describe('AlertBook', () => {
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
});

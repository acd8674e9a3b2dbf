import { describe, it, expect } from 'vitest';
import type { Alert } from '../../shared/model.js';
import { T0, report, setup } from './support/alert-book-fixture.js';

describe('AlertBook', () => {
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

describe('AlertBook open counts', () => {
  it('match a pass over the open alerts through open, pending, escalate, ack, resolve and load', () => {
    const { book, clock } = setup();
    const check = () => {
      const open = book.openAlerts();
      for (const s of ['critical', 'warning', 'info'] as const)
        expect(book.openCount(s), s).toBe(open.filter((a) => a.severity === s).length);
      for (const agent of ['agt-1', 'agt-2', 'agt-3'])
        expect(book.openCountFor(agent), agent).toBe(
          open.filter((a) => a.subject.agentId === agent).length,
        );
    };
    const a = book.report(report());
    check();
    book.report(report({ severity: 'critical', value: 99 })); // escalate
    check();
    const b = book.report(
      report({
        ruleId: 'memory_usage',
        subjectKey: 'agt-2/memory_usage',
        subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-2' },
        forMs: 1_000,
      }),
    ); // pending
    check();
    clock.advance(1_000); // pending → firing
    check();
    book.acknowledge(a.id, 'alice');
    check();
    book.report(report({ ruleId: 'disk_usage', subjectKey: 'agt-1/disk_usage', severity: 'info' }));
    check();
    book.resolve(a.id, 'alice');
    book.clear('memory_usage', 'agt-2/memory_usage', 1);
    check();
    expect(book.openCount('info')).toBe(1);
    expect(book.openCountFor('agt-1')).toBe(1);
    expect(b.state).toBe('resolved');

    const { book: restored } = setup();
    restored.load(book.all());
    expect([restored.openCount('info'), restored.openCountFor('agt-1')]).toEqual([1, 1]);
  });

  it('recentlyResolved: the latest resolved first, by when they resolved, at most the limit', () => {
    const { book, clock } = setup();
    const a = book.report(report({ subjectKey: 'a' }));
    const b = book.report(report({ subjectKey: 'b' }));
    const c = book.report(report({ subjectKey: 'c' }));
    book.report(report({ subjectKey: 'open' }));
    // Created a, b, c; resolved b, then c, then a.
    clock.advance(1);
    book.resolve(b.id, 'alice');
    clock.advance(1);
    book.clear('cpu_usage', 'c', 1);
    clock.advance(1);
    book.resolve(a.id, 'bob');
    expect(book.recentlyResolved(10).map((x) => x.id)).toEqual([a.id, c.id, b.id]);
    expect(book.recentlyResolved(2).map((x) => x.id)).toEqual([a.id, c.id]);
  });
});

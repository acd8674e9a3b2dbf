// Correlation windows on scripted timelines (event time; the manual clock only stamps
// detectedAt and drives sweep): thresholds, window edges, one detection per episode, bounded
// groups with counted evictions, distinct values, ordered sequences and chaining.
import { describe, expect, it } from 'vitest';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { T0, engineFor, failure, success } from './support/security-events-fixture.js';

const BASE = `title: failure
id: fail
logsource: { category: security }
detection:
  sel: { event.type: auth_failure }
  condition: sel
---
title: success
id: ok
logsource: { category: security }
detection:
  sel: { event.type: auth_success }
  condition: sel
`;

const corr = (body: string, extra = '') =>
  engineFor({
    'base.yml': BASE,
    'c.yml': `title: corr\nid: corr\nlevel: high\n${extra}correlation:\n${body}`,
  });

const COUNT5 = `  type: event_count
  rules: [fail]
  group-by: [agentId, src_ip]
  timespan: 1m
  condition: { gte: 5 }
`;

describe('event_count', () => {
  it('fires on the event that reaches the threshold within the timespan, with the window facts', () => {
    const { engine, clock } = corr(COUNT5);
    const out = [0, 10, 20, 30].flatMap((s) =>
      engine.process(failure({ ts: T0 + s * 1000, srcIp: '203.0.113.9' })),
    );
    expect(out).toEqual([]);
    clock.advance(5_000);
    const [d, ...rest] = engine.process(failure({ ts: T0 + 40_000, srcIp: '203.0.113.9' }));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({
      ruleId: 'corr',
      kind: 'event_count',
      severity: 'critical',
      count: 5,
      firstTs: T0,
      lastTs: T0 + 40_000,
      group: { agentId: 'web-1', src_ip: '203.0.113.9' },
      agentId: 'web-1',
      detectedAt: clock.now(),
    });
  });

  it('the window includes its edge: 5 events exactly 60 s apart fire, 60.001 s do not', () => {
    const at = (span: number) => {
      const { engine } = corr(COUNT5);
      return [0, 1, 2, 3, 4].flatMap((i) =>
        engine.process(failure({ ts: T0 + (i * span) / 4, srcIp: 'a' })),
      );
    };
    expect(at(60_000)).toHaveLength(1);
    expect(at(60_001)).toHaveLength(0);
  });

  it('groups are separate: the same count split over two sources or two hosts does not fire', () => {
    const { engine } = corr(COUNT5);
    const out = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) =>
      engine.process(
        failure({ ts: T0 + i, srcIp: i % 2 ? 'a' : 'b', agentId: i < 4 ? 'h1' : 'h2' }),
      ),
    );
    expect(out).toEqual([]);
  });

  it('one detection per episode; a new one after a quiet gap longer than the timespan', () => {
    const { engine } = corr(COUNT5);
    const fire = (from: number, n: number, step: number) =>
      Array.from({ length: n }, (_, i) =>
        engine.process(failure({ ts: from + i * step, srcIp: 'a' })),
      ).flat();
    expect(fire(T0, 50, 2_000)).toHaveLength(1); // 100 s of attack at one every 2 s: one episode
    // the last was at T0 + 98 s; more 60 s later (not more than the timespan) is the same episode
    expect(fire(T0 + 158_000, 10, 1_000)).toHaveLength(0);
  });

  it('after the gap the next burst is a new episode', () => {
    const { engine } = corr(COUNT5);
    const burst = (from: number) =>
      Array.from({ length: 5 }, (_, i) =>
        engine.process(failure({ ts: from + i * 1000, srcIp: 'a' })),
      ).flat();
    expect(burst(T0)).toHaveLength(1);
    expect(burst(T0 + 4_000 + 60_001)).toHaveLength(1);
  });

  it('takes a late (out-of-order) event into its place in the window', () => {
    const { engine } = corr(COUNT5);
    const ts = [0, 10, 30, 40, 20].map((s) => T0 + s * 1000);
    const out = ts.flatMap((t) => engine.process(failure({ ts: t, srcIp: 'a' })));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ firstTs: T0, lastTs: T0 + 40_000, count: 5 });
  });

  it('gt N fires on N + 1', () => {
    const { engine } = corr(COUNT5.replace('gte: 5', 'gt: 2'));
    expect([0, 1].flatMap((i) => engine.process(failure({ ts: T0 + i, srcIp: 'a' })))).toEqual([]);
    expect(engine.process(failure({ ts: T0 + 2, srcIp: 'a' }))).toHaveLength(1);
  });

  it('bounds live groups: the least recently seen is evicted and counted', () => {
    const { rules, clock } = corr(COUNT5);
    const engine = new DetectionEngine({ rules, clock, maxGroupsPerRule: 3 });
    for (const src of ['a', 'b', 'c', 'a', 'd']) engine.process(failure({ ts: T0, srcIp: src }));
    expect(engine.stats()).toEqual({ evictions: { corr: 1 }, groups: { corr: 3 } });
    // b was the least recently touched: its count restarted, so 4 more do not reach 5
    for (let i = 0; i < 3; i++)
      expect(engine.process(failure({ ts: T0 + 1, srcIp: 'b' }))).toEqual([]);
    // a kept its two: three more reach five
    expect(
      [1, 2, 3].flatMap(() => engine.process(failure({ ts: T0 + 2, srcIp: 'a' }))),
    ).toHaveLength(1);
  });

  it('sweep forgets groups idle longer than the timespan by the console clock', () => {
    const { engine, clock } = corr(COUNT5);
    engine.process(failure({ ts: clock.now(), srcIp: 'a' }));
    engine.process(failure({ ts: clock.now() + 30_000, srcIp: 'b' }));
    clock.advance(61_000);
    expect(engine.sweep()).toBe(1);
    expect(engine.stats().groups).toEqual({ corr: 1 });
  });

  it('the rules it counts report nothing alone unless generate: true', () => {
    const quiet = corr(COUNT5).engine;
    expect(quiet.process(failure({ ts: T0, srcIp: 'a' }))).toEqual([]);
    const loud = corr(COUNT5 + '  generate: true\n').engine;
    expect(loud.process(failure({ ts: T0, srcIp: 'a' })).map((d) => d.ruleId)).toEqual(['fail']);
    // a rule nobody correlates reports every match
    expect(loud.process(success({ ts: T0, srcIp: 'a' })).map((d) => d.kind)).toEqual(['detection']);
  });
});

describe('value_count', () => {
  const SPRAY = `  type: value_count
  rules: [fail]
  group-by: [src_ip]
  timespan: 5m
  condition: { field: user, gte: 3 }
`;

  it('counts distinct values, not events, and reports them', () => {
    const { engine } = corr(SPRAY);
    const users = ['alice', 'alice', 'ALICE2', 'alice', 'bob'];
    const out = users.flatMap((u, i) =>
      engine.process(failure({ ts: T0 + i * 1000, user: u, srcIp: 'x' })),
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      kind: 'value_count',
      count: 5,
      group: { src_ip: 'x' },
      firstTs: T0, // the run's first event
      lastTs: T0 + 4_000,
    });
    expect(new Set(out[0]!.distinctValues)).toEqual(new Set(['alice', 'ALICE2', 'bob']));
  });

  it('values older than the timespan no longer count', () => {
    const { engine } = corr(SPRAY);
    engine.process(failure({ ts: T0, user: 'u1', srcIp: 'x' }));
    engine.process(failure({ ts: T0 + 200_000, user: 'u2', srcIp: 'x' }));
    expect(engine.process(failure({ ts: T0 + 300_001, user: 'u3', srcIp: 'x' }))).toEqual([]);
    expect(engine.process(failure({ ts: T0 + 300_002, user: 'u4', srcIp: 'x' }))).toHaveLength(1);
  });

  it('events without the field do not count', () => {
    const { engine } = corr(SPRAY);
    const e = failure({ ts: T0, srcIp: 'x' });
    delete e.attributes!.user;
    for (let i = 0; i < 5; i++) expect(engine.process({ ...e, ts: T0 + i })).toEqual([]);
  });
});

describe('temporal_ordered and chaining', () => {
  const CHAIN = `title: run
id: run
correlation:
  type: event_count
  rules: [fail]
  group-by: [src_ip, user]
  timespan: 10m
  condition: { gte: 3 }
---
title: success after run
id: after
level: high
correlation:
  type: temporal_ordered
  rules: [run, ok]
  group-by: [src_ip, user]
  timespan: 10m
`;
  const chain = () => engineFor({ 'base.yml': BASE, 'chain.yml': CHAIN }).engine;

  it('fires when the second rule follows the first within the timespan, for the same group', () => {
    const engine = chain();
    const out = [0, 1, 2].flatMap((i) =>
      engine.process(failure({ ts: T0 + i * 1000, srcIp: 'x', user: 'bob' })),
    );
    expect(out).toEqual([]); // the run reports nothing itself: 'after' uses it (generate: false)
    expect(engine.process(success({ ts: T0 + 5_000, srcIp: 'x', user: 'alice' }))).toEqual([]);
    const [d] = engine.process(success({ ts: T0 + 9_000, srcIp: 'x', user: 'bob' }));
    expect(d).toMatchObject({
      ruleId: 'after',
      kind: 'temporal_ordered',
      firstTs: T0 + 2_000,
      lastTs: T0 + 9_000,
    });
    // once per sequence: a second success is not a second detection
    expect(engine.process(success({ ts: T0 + 10_000, srcIp: 'x', user: 'bob' }))).toEqual([]);
  });

  it('does not fire when the order is reversed or the success comes too late', () => {
    const reversed = chain();
    reversed.process(success({ ts: T0, srcIp: 'x', user: 'bob' }));
    const out = [1, 2, 3].flatMap((i) =>
      reversed.process(failure({ ts: T0 + i * 1000, srcIp: 'x', user: 'bob' })),
    );
    expect(out).toEqual([]);
    const late = chain();
    [0, 1, 2].forEach((i) => late.process(failure({ ts: T0 + i * 1000, srcIp: 'x', user: 'bob' })));
    expect(late.process(success({ ts: T0 + 2_000 + 600_001, srcIp: 'x', user: 'bob' }))).toEqual(
      [],
    );
  });
});

describe('bounded groups against a reference LRU', () => {
  it('random traffic: the same groups live, the same evictions, the same firings', () => {
    const MAX = 7;
    const { rules, clock } = corr(COUNT5);
    const engine = new DetectionEngine({ rules, clock, maxGroupsPerRule: MAX });
    // Reference: a list of keys, least recently touched first, with a count per live key.
    const lru: string[] = [];
    const counts = new Map<string, number>();
    let evictions = 0;
    let seed = 7;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296;
    for (let i = 0; i < 3_000; i++) {
      const src = `10.0.0.${Math.floor(rnd() * 12)}`;
      const fired = engine.process(failure({ ts: T0 + i, srcIp: src }));
      const at = lru.indexOf(src);
      if (at >= 0) lru.splice(at, 1);
      else if (lru.length >= MAX) {
        counts.delete(lru.shift()!);
        evictions++;
      }
      lru.push(src);
      const n = (counts.get(src) ?? 0) + 1;
      counts.set(src, n);
      // One detection per episode: when the group's run reaches 5 (all within the minute).
      expect(fired.length).toBe(n === 5 ? 1 : 0);
    }
    expect(engine.stats()).toEqual({ evictions: { corr: evictions }, groups: { corr: MAX } });
    for (let k = 0; k < 12; k++) {
      const src = `10.0.0.${k}`;
      expect(engine.isLive('corr', { agentId: 'web-1', src_ip: src })).toBe(counts.has(src));
    }
  });
});

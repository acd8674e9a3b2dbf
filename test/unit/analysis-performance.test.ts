import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { HelloMessage, Sample } from '../../shared/protocol.js';
import type { AgentType } from '../../shared/model.js';
import type { PerformanceTrend, TrendWindow } from '../../shared/analysis.js';
import { unitFor } from '../../shared/metric-unit.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { Simulator } from '../../agent/simulator.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { TimeSeriesStore } from '../../electron/core/store/tsdb.js';
import { headSource } from './support/store-fixture.js';
import {
  DEFAULT_TREND_METRICS,
  PerformanceAnalysis,
} from '../../electron/core/analysis/performance.js';

/** Not minute-aligned on purpose (20 s past a minute). */
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const H = 3_600_000;

/** Deterministic noise in [-1, 1]. */
const noise = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

function setup(metrics: readonly string[] = ['cpu_usage']) {
  const clock = new ManualClock(NOW);
  const events = new CoreEvents();
  const fleet = new Fleet(
    { clock, ids: counterIds(), events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 10_000,
    },
    DEFAULT_REGIONS,
  );
  const store = new TimeSeriesStore(1000);
  // The analysis reads the head alone: raw samples, and buckets computed from them.
  const analysis = new PerformanceAnalysis(
    { clock, store: headSource(store), fleet, metrics: () => metrics, unitOf: (m) => unitFor(m) },
    60_000,
  );
  const connect = (hostname: string, region: string, agentType: AgentType): string => {
    const hello: HelloMessage = {
      type: 'hello',
      protocol: 1,
      hostname,
      region,
      agentType,
      version: '1.0.0',
    };
    const r = fleet.connect(hello, '10.0.0.1');
    if (!r.ok) throw new Error(r.message);
    return r.agent.id;
  };
  return { clock, fleet, store, analysis, connect };
}

/** The same trend objects (cached, not recomputed), in the same order. */
const sameObjects = (a: readonly object[], b: readonly object[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** One sample a minute for the last `hours`, ending at `end`: value f(hours since start, i). */
function minuteSamples(
  name: string,
  hours: number,
  f: (h: number, i: number) => number,
  end = NOW,
): Sample[] {
  const n = hours * 60;
  return Array.from({ length: n + 1 }, (_, i) => {
    const ts = end - (n - i) * MIN;
    return { name, ts, value: f((i * MIN) / H, i) };
  });
}

describe('PerformanceAnalysis trends', () => {
  function fleetWithCpu() {
    const ctx = setup();
    const east1 = ctx.connect('web-1', 'us-east-1', 'system');
    const east2 = ctx.connect('web-2', 'us-east-1', 'system');
    const west = ctx.connect('web-3', 'eu-west-1', 'system');
    const tokyoDb = ctx.connect('db-1', 'ap-northeast-1', 'database');
    // Rising 2 %-points an hour in us-east-1 (both hosts alike), flat with noise elsewhere.
    ctx.store.append(
      east1,
      minuteSamples('cpu_usage', 24, (h) => 20 + 2 * h),
    );
    ctx.store.append(
      east2,
      minuteSamples('cpu_usage', 24, (h) => 20 + 2 * h),
    );
    ctx.store.append(
      west,
      minuteSamples('cpu_usage', 24, (_h, i) => 40 + 0.5 * noise(i)),
    );
    ctx.store.append(
      tokyoDb,
      minuteSamples('cpu_usage', 24, (_h, i) => 60 + 0.5 * noise(i + 7)),
    );
    return ctx;
  }

  it('gives one trend per (region, service, metric, window) that has data', () => {
    const { analysis } = fleetWithCpu();
    const { computedAt, trends } = analysis.trends();
    expect(computedAt).toBe(NOW);
    expect(trends.map((t) => t.id).sort()).toEqual([
      'ap-northeast-1/database/cpu_usage/1h',
      'ap-northeast-1/database/cpu_usage/24h',
      'eu-west-1/system/cpu_usage/1h',
      'eu-west-1/system/cpu_usage/24h',
      'us-east-1/system/cpu_usage/1h',
      'us-east-1/system/cpu_usage/24h',
    ]);
    for (const t of trends) {
      expect(t.id).toBe(`${t.regionId}/${t.service}/${t.metric}/${t.window}`);
      expect(t.polarity).toBe('lower_is_better');
      expect(t.confidence).toBe(1 - t.pValue);
    }
  });

  it('a rising cpu in one region is degrading with its slope; flat regions are stable', () => {
    const { analysis } = fleetWithCpu();
    const byId = new Map(analysis.trends().trends.map((t) => [t.id, t]));
    const east1h = byId.get('us-east-1/system/cpu_usage/1h')!;
    // One point a minute: the aligned hour, without the open minute (still filling).
    expect(east1h.points).toBe(60);
    expect(east1h.windowStart).toBe(NOW - 20_000 - H);
    expect(east1h.windowEnd).toBe(NOW - 20_000 - MIN);
    expect(east1h.slopePerHour).toBeCloseTo(2, 9);
    expect(east1h.rSquared).toBeCloseTo(1, 9);
    expect(east1h.pValue).toBeLessThan(1e-9);
    expect(east1h.direction).toBe('degrading');
    // Over the 59 minutes from first to last point: +1.97 against a mean of about 67.
    expect(east1h.relativeChange).toBeCloseTo((2 * 59) / 60 / 67, 3);

    const east24h = byId.get('us-east-1/system/cpu_usage/24h')!;
    expect(east24h.points).toBeGreaterThanOrEqual(60);
    expect(east24h.slopePerHour).toBeCloseTo(2, 1);
    expect(east24h.direction).toBe('degrading');

    for (const id of [
      'eu-west-1/system/cpu_usage/1h',
      'eu-west-1/system/cpu_usage/24h',
      'ap-northeast-1/database/cpu_usage/1h',
      'ap-northeast-1/database/cpu_usage/24h',
    ]) {
      expect(byId.get(id)!.direction, id).toBe('stable');
      expect(Math.abs(byId.get(id)!.slopePerHour), id).toBeLessThan(0.5);
    }
  });

  it("calls the simulator's own disk growth degrading (percentage points per hour, not only % of the mean)", () => {
    // The simulator's virtual disks, an hour of them at its own one-second pace, on a manual
    // clock, every one of them a filling disk: each grows about 0.9 points an hour from 30–70 %
    // (1.3–3 % of its mean an hour).
    const ctx = setup(['disk_usage']);
    const simClock = new ManualClock(NOW - H);
    const sim = new Simulator({
      url: 'ws://127.0.0.1:9',
      token: 'unused',
      agents: 12,
      seed: 5,
      clock: simClock,
      regions: ['eu-west-1'],
      fillingDiskEvery: 1,
    });
    const ids = sim.agents.map((a) => ctx.connect(a.hostname, a.region, a.type));
    const disk: Sample[][] = ids.map(() => []);
    while (simClock.now() < NOW) {
      simClock.advance(1_000);
      sim.agents.forEach((a, i) =>
        disk[i]!.push(sim.samplesFor(a).find((x) => x.name === 'disk_usage')!),
      );
    }
    ids.forEach((id, i) => ctx.store.append(id, disk[i]!));
    const trends = ctx.analysis.trends().trends.filter((t) => t.window === '1h');
    expect(trends.length).toBeGreaterThan(1);
    for (const t of trends) {
      expect(t.metric).toBe('disk_usage');
      expect(t.slopePerHour, t.id).toBeGreaterThan(0.6);
      expect(t.rSquared, t.id).toBeGreaterThan(0.9);
      expect(t.pValue, t.id).toBeLessThan(1e-6);
      expect(t.direction, t.id).toBe('degrading');
    }
    // The relative rule alone would call at least one of them stable (the fault reported).
    expect(trends.some((t) => Math.abs(t.relativeChange) < 0.02)).toBe(true);
  });

  it('falling response_time in one region is improving there', () => {
    const ctx = setup(['response_time']);
    const a = ctx.connect('app-1', 'us-west-2', 'application');
    const b = ctx.connect('app-2', 'eu-west-1', 'application');
    ctx.store.append(
      a,
      minuteSamples('response_time', 2, (h, i) => 300 - 40 * h + noise(i)),
    );
    ctx.store.append(
      b,
      minuteSamples('response_time', 2, (_h, i) => 300 + noise(i)),
    );
    const byId = new Map(ctx.analysis.trends().trends.map((t) => [t.id, t]));
    expect(byId.get('us-west-2/application/response_time/1h')!.direction).toBe('improving');
    expect(byId.get('us-west-2/application/response_time/1h')!.slopePerHour).toBeCloseTo(-40, 0);
    expect(byId.get('eu-west-1/application/response_time/1h')!.direction).toBe('stable');
  });

  it('caches trends until asked fresh or the schedule runs', () => {
    const { analysis, store, clock } = fleetWithCpu();
    const first = analysis.trends();
    // A spike on us-east-1 web-1: not visible until recomputed.
    store.append('agt-1', [{ name: 'cpu_usage', ts: NOW + 1, value: 1000 }]);
    // trends() builds a new list each time; the trend objects are the cached ones.
    expect(sameObjects(analysis.trends().trends, first.trends)).toBe(true);
    expect(analysis.trends().computedAt).toBe(first.computedAt);
    // Once the minute it fell in has settled (the open minute is left out of a trend).
    clock.advance(MIN);
    const fresh = analysis.trends(true);
    expect(fresh.computedAt).toBe(NOW + MIN);
    expect(fresh.trends.some((t) => first.trends.includes(t))).toBe(false);
    const slope = (r: { trends: PerformanceTrend[] }) =>
      r.trends.find((t) => t.id === 'us-east-1/system/cpu_usage/1h')!.slopePerHour;
    expect(slope(first)).toBeCloseTo(2, 6);
    expect(slope(fresh)).toBeGreaterThan(10);
    analysis.start();
    clock.advance(60_000);
    // The schedule recomputed the 1 h window only: the answer is as old as its oldest window.
    expect(analysis.trends().computedAt).toBe(NOW + MIN);
    expect(slope(analysis.trends())).not.toBe(slope(fresh));
    analysis.stop();
    clock.advance(60_000);
    expect(analysis.trends().computedAt).toBe(NOW + MIN);
  });

  it('the schedule recomputes 1h every run, 24h every 10 min and 7d every hour; fresh recomputes all', () => {
    const ctx = setup();
    const id = ctx.connect('web-1', 'us-east-1', 'system');
    // Eight days, one sample a minute: enough points for every window.
    ctx.store.append(
      id,
      minuteSamples('cpu_usage', 8 * 24, (h, i) => 30 + 0.1 * h + noise(i)),
    );
    const { analysis, clock } = ctx;
    let last = analysis.trends();
    expect(last.trends.map((t) => t.window)).toEqual(['1h', '24h', '7d']);
    analysis.start();
    // Minutes (after NOW) at which each window's trend was recomputed (a new object).
    const recomputedAt: Record<TrendWindow, number[]> = { '1h': [], '24h': [], '7d': [] };
    for (let minute = 1; minute <= 120; minute++) {
      // The agent goes on reporting once a minute (so the 1 h window keeps its points).
      ctx.store.append(id, [{ name: 'cpu_usage', ts: NOW + minute * MIN - 1, value: 50 }]);
      clock.advance(MIN);
      const now = analysis.trends();
      // As old as the oldest window in it: the 7 d trend, recomputed hourly.
      expect(now.computedAt).toBe(NOW + Math.floor(minute / 60) * 60 * MIN);
      // Windows not due keep their cached trend: all three are always there.
      expect(now.trends.map((t) => t.window)).toEqual(['1h', '24h', '7d']);
      for (const [i, t] of now.trends.entries())
        if (t !== last.trends[i]) recomputedAt[t.window].push(minute);
      last = now;
    }
    analysis.stop();
    expect(recomputedAt['1h']).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(recomputedAt['24h']).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    expect(recomputedAt['7d']).toEqual([60, 120]);
    // Asked fresh (and recompute() by default), every window is recomputed at once.
    clock.advance(MIN);
    const fresh = analysis.trends(true);
    expect(fresh.trends.map((t) => t.window)).toEqual(['1h', '24h', '7d']);
    fresh.trends.forEach((t, i) => expect(t).not.toBe(last.trends[i]));
    analysis.recompute();
    analysis.trends().trends.forEach((t, i) => expect(t).not.toBe(fresh.trends[i]));
  });

  it('a schedule started before any trend was asked for computes every window on its first run', () => {
    const ctx = setup();
    const id = ctx.connect('web-1', 'us-east-1', 'system');
    ctx.store.append(
      id,
      minuteSamples('cpu_usage', 8 * 24, (h, i) => 30 + 0.1 * h + noise(i)),
    );
    ctx.analysis.start();
    ctx.clock.advance(MIN);
    ctx.analysis.stop();
    const { computedAt, trends } = ctx.analysis.trends();
    expect(computedAt).toBe(NOW + MIN);
    expect(trends.map((t) => t.window)).toEqual(['1h', '24h', '7d']);
  });

  it('fewer than 10 points in a window gives no trend; 10 give one', () => {
    const ctx = setup();
    const id = ctx.connect('web-1', 'us-east-1', 'system');
    const at = (i: number) => ({ name: 'cpu_usage', ts: NOW - (9 - i) * MIN, value: i });
    ctx.store.append(
      id,
      Array.from({ length: 9 }, (_, i) => at(i + 1)),
    );
    expect(ctx.analysis.trends().trends).toEqual([]);
    ctx.clock.advance(MIN);
    ctx.store.append(id, [{ name: 'cpu_usage', ts: NOW + MIN, value: 10 }]);
    // Still in the open minute: not a settled point yet.
    expect(ctx.analysis.trends(true).trends).toEqual([]);
    ctx.clock.advance(MIN);
    const trends = ctx.analysis.trends(true).trends;
    expect(trends.map((t) => [t.id, t.points])).toEqual([['us-east-1/system/cpu_usage/1h', 10]]);
  });

  it('lists the default metrics', () => {
    expect(DEFAULT_TREND_METRICS).toEqual([
      'cpu_usage',
      'memory_usage',
      'disk_usage',
      'response_time',
      'error_rate',
      'latency',
    ]);
  });
});

describe('PerformanceAnalysis percentiles', () => {
  function fleetWithResponseTimes() {
    const ctx = setup(['response_time']);
    const app1 = ctx.connect('app-1', 'us-east-1', 'application');
    const app2 = ctx.connect('app-2', 'us-east-1', 'application');
    const db1 = ctx.connect('db-1', 'us-east-1', 'database');
    const app3 = ctx.connect('app-3', 'eu-west-1', 'application');
    // us-east-1 application: 1…100 split over two agents, within the last hour.
    const rt = (from: number, n: number, value: (i: number) => number): Sample[] =>
      Array.from({ length: n }, (_, i) => ({
        name: 'response_time',
        ts: NOW - 50 * MIN + i * 10_000,
        value: value(i + from),
      }));
    ctx.store.append(
      app1,
      rt(0, 50, (i) => 100 - i),
    ); // 100 … 51, order does not matter
    ctx.store.append(
      app2,
      rt(0, 50, (i) => i + 1),
    ); // 1 … 50
    ctx.store.append(
      db1,
      rt(0, 10, (i) => 1000 + i),
    ); // another service
    ctx.store.append(
      app3,
      rt(0, 10, (i) => i + 1),
    ); // 1 … 10
    return { ...ctx, app1, app2, db1, app3 };
  }

  it('gives p50/p95/p99 per service per region on known values (type-7 quantiles)', () => {
    const { analysis } = fleetWithResponseTimes();
    const rows = analysis.percentiles('response_time', '1h');
    const byKey = new Map(rows.map((r) => [`${r.regionId}/${r.service}`, r]));
    expect([...byKey.keys()].sort()).toEqual([
      'eu-west-1/application',
      'us-east-1/application',
      'us-east-1/database',
    ]);
    // 1…100: index (n−1)·p = 49.5, 94.05, 98.01.
    expect(byKey.get('us-east-1/application')).toEqual({
      regionId: 'us-east-1',
      service: 'application',
      metric: 'response_time',
      window: '1h',
      count: 100,
      p50: 50.5,
      p95: 95.05,
      p99: 99.01,
      source: 'raw',
      fromMeans: 0,
      relativeAccuracy: 0,
    });
    const db = byKey.get('us-east-1/database')!;
    expect([db.count, db.p50, db.p95, db.p99]).toEqual([10, 1004.5, 1008.55, 1008.91]);
    // 1…10: index 4.5, 8.55, 8.91.
    const eu = byKey.get('eu-west-1/application')!;
    expect(eu.count).toBe(10);
    expect(eu.p50).toBe(5.5);
    expect(eu.p95).toBeCloseTo(9.55, 12);
    expect(eu.p99).toBeCloseTo(9.91, 12);
  });

  it('takes samples in [now − window, now] only', () => {
    const ctx = setup(['response_time']);
    const id = ctx.connect('app-1', 'us-east-1', 'application');
    ctx.store.append(id, [
      { name: 'response_time', ts: NOW - H - 1, value: 1000 },
      { name: 'response_time', ts: NOW - H, value: 1 },
      { name: 'response_time', ts: NOW - 1, value: 2 },
      { name: 'response_time', ts: NOW, value: 3 },
      { name: 'response_time', ts: NOW + 1, value: 500 },
    ]);
    const [row] = ctx.analysis.percentiles('response_time', '1h');
    expect(row).toMatchObject({ count: 3, p50: 2, p99: 2.98 });
  });

  /** Six samples in three minutes, 10 h ago (beyond raw retention: the 24 h window reads rollups). */
  function tenHoursAgo(metric: string) {
    const ctx = setup([metric]);
    const id = ctx.connect('app-1', 'us-east-1', 'application');
    const minute = NOW - 20_000 - 10 * H; // a whole minute, 10 h ago
    // The head keeps samples this old (retention applies to block files, in the compactor):
    // the 1m buckets read here are computed from them.
    ctx.store.append(id, [
      { name: metric, ts: minute + 1000, value: 10 },
      { name: metric, ts: minute + 2000, value: 30 }, // mean 20
      { name: metric, ts: minute + MIN, value: 40 }, // mean 40
      { name: metric, ts: minute + 5 * MIN, value: 1 },
      { name: metric, ts: minute + 5 * MIN + 1, value: 2 },
      { name: metric, ts: minute + 5 * MIN + 2, value: 3 }, // mean 2
    ]);
    return ctx;
  }

  it('beyond raw retention (24 h window), a latency metric is read from its sketches: of samples, ±1 %', () => {
    const ctx = tenHoursAgo('response_time');
    const [row] = ctx.analysis.percentiles('response_time', '24h');
    // Samples 1, 2, 3, 10, 30, 40: ranks (n−1)·q = 2.5, 4.75, 4.95 → the samples 3, 30, 30.
    expect(row).toMatchObject({ count: 6, source: 'sketch', fromMeans: 0, relativeAccuracy: 0.01 });
    expect(Math.abs(row!.p50 - 3) / 3).toBeLessThanOrEqual(0.01);
    expect(Math.abs(row!.p95 - 30) / 30).toBeLessThanOrEqual(0.01);
    expect(Math.abs(row!.p99 - 30) / 30).toBeLessThanOrEqual(0.01);
    // The 1 h window holds none of it.
    expect(ctx.analysis.percentiles('response_time', '1h')).toEqual([]);
  });

  it('a metric without sketches gives percentiles of minute means, and says so', () => {
    const ctx = tenHoursAgo('cpu_usage');
    const [row] = ctx.analysis.percentiles('cpu_usage', '24h');
    // Means 2 (3 samples), 20 (2), 40 (1), each weighted by its samples: 2 2 2 20 20 40.
    expect(row).toMatchObject({ count: 6, source: 'means', fromMeans: 1 });
    expect(Math.abs(row!.p50 - 2) / 2).toBeLessThanOrEqual(0.01);
    expect(Math.abs(row!.p99 - 20) / 20).toBeLessThanOrEqual(0.01);
  });

  it('groups without data give no row; an unknown metric gives none at all', () => {
    const { analysis } = fleetWithResponseTimes();
    expect(analysis.percentiles('nope', '1h')).toEqual([]);
  });
});

import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { HelloMessage, Sample } from '../../shared/protocol.js';
import type { AgentType } from '../../shared/model.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { TimeSeriesStore } from '../../electron/core/store/tsdb.js';
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
  const analysis = new PerformanceAnalysis({ clock, store, fleet, metrics: () => metrics }, 60_000);
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
    // One point a minute: the aligned hour plus the open minute.
    expect(east1h.points).toBe(61);
    expect(east1h.windowStart).toBe(NOW - 20_000 - H);
    expect(east1h.windowEnd).toBe(NOW - 20_000);
    expect(east1h.slopePerHour).toBeCloseTo(2, 9);
    expect(east1h.rSquared).toBeCloseTo(1, 9);
    expect(east1h.pValue).toBeLessThan(1e-9);
    expect(east1h.direction).toBe('degrading');
    // Over the hour: +2 against a mean of 67.
    expect(east1h.relativeChange).toBeCloseTo(2 / 67, 6);

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
    // Flatten us-east-1 web-1 hard with new data: not visible until recomputed.
    store.append('agt-1', [{ name: 'cpu_usage', ts: NOW + 1, value: 1000 }]);
    expect(analysis.trends().trends).toBe(first.trends);
    expect(analysis.trends().computedAt).toBe(first.computedAt);
    clock.advance(1000);
    const fresh = analysis.trends(true);
    expect(fresh.computedAt).toBe(NOW + 1000);
    expect(fresh.trends).not.toBe(first.trends);
    analysis.start();
    clock.advance(60_000);
    expect(analysis.trends().computedAt).toBe(NOW + 61_000);
    analysis.stop();
    clock.advance(60_000);
    expect(analysis.trends().computedAt).toBe(NOW + 61_000);
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

  it('beyond raw retention (24 h window) uses one value per minute: the minute mean', () => {
    const ctx = setup(['response_time']);
    const id = ctx.connect('app-1', 'us-east-1', 'application');
    const minute = NOW - 20_000 - 10 * H; // a whole minute, 10 h ago
    ctx.store.append(id, [
      { name: 'response_time', ts: minute + 1000, value: 10 },
      { name: 'response_time', ts: minute + 2000, value: 30 }, // mean 20
      { name: 'response_time', ts: minute + MIN, value: 40 }, // mean 40
      { name: 'response_time', ts: minute + 5 * MIN, value: 1 },
      { name: 'response_time', ts: minute + 5 * MIN + 1, value: 2 },
      { name: 'response_time', ts: minute + 5 * MIN + 2, value: 3 }, // mean 2
    ]);
    const [row] = ctx.analysis.percentiles('response_time', '24h');
    // Bucket means 2, 20, 40: p50 = 20, p95 = 20 + 0.9·20, p99 = 20 + 0.98·20.
    expect(row!.count).toBe(3);
    expect(row!.p50).toBe(20);
    expect(row!.p95).toBeCloseTo(38, 10);
    expect(row!.p99).toBeCloseTo(39.6, 10);
    // The 1 h window holds none of it.
    expect(ctx.analysis.percentiles('response_time', '1h')).toEqual([]);
  });

  it('groups without data give no row; an unknown metric gives none at all', () => {
    const { analysis } = fleetWithResponseTimes();
    expect(analysis.percentiles('nope', '1h')).toEqual([]);
  });
});

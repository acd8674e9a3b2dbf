// The forecasting service on a real metric store (files in a temp dir), a real fleet and a
// real alert book: three days of a filling disk and a flat one, forecast from the hourly
// rollups; the capacity table, the forecast rule's alert, and one target's full forecast.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { HelloMessage, Sample } from '../../shared/protocol.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { DEFAULT_RULES, type ForecastRule, type Rule } from '../../shared/rules.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { silentLogger } from '../../electron/core/logger.js';
import { MetricStore } from '../../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../../electron/core/store/tsdb.js';
import {
  ForecastingService,
  type ForecastBatchRunner,
} from '../../electron/core/forecast/forecasting-service.js';
import { inThreadRunner } from '../../electron/core/forecast/in-thread-runner.js';
import { useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-forecast-service-');
const H = 3_600_000;
const DAY = 24 * H;
const END = Math.floor(1_700_000_000_000 / H) * H + 20 * 60_000;
const FILL_PER_HOUR = 0.5;

async function setup(rules: Rule[] = [...DEFAULT_RULES]) {
  const clock = new ManualClock(END - 3 * DAY);
  const events = new CoreEvents();
  const fleet = new Fleet(
    { clock, ids: counterIds(), events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 1_000,
    },
    DEFAULT_REGIONS,
  );
  const store = new MetricStore(
    dir(),
    { clock, logger: silentLogger },
    {
      maxSeriesPerAgent: 100,
      retention: DEFAULT_RETENTION,
      walFlushMs: 5,
      checkpointEveryMs: 24 * H,
      checkpointWalBytes: 1e12,
      outOfOrderWindowMs: 0,
      diskBudgetBytes: 1e15,
      headIdleMs: 7 * DAY,
      backend: 'inline',
    },
  );
  await store.open();
  const alerts = new AlertBook({ clock, ids: counterIds(), events, maxResolved: 100 });
  const connect = (hostname: string) => {
    const hello: HelloMessage = {
      type: 'hello',
      protocol: 1,
      hostname,
      region: 'eu-west-1',
      agentType: 'database',
      version: '1.0.0',
    };
    const r = fleet.connect(hello, '10.0.0.1');
    if (!r.ok) throw new Error(r.message);
    return r.agent.id;
  };
  let runner: ForecastBatchRunner = inThreadRunner;
  const filling = connect('db-filling');
  const flat = connect('db-flat');
  // Every 5 min for three days: the filling disk from 50 % at +0.5 points an hour, with a
  // small daily wave; the flat one at 40 %.
  const start = clock.now();
  while (clock.now() < END) {
    const ts = clock.now();
    const h = (ts - start) / H;
    const wave = 0.3 * Math.sin((2 * Math.PI * h) / 24);
    const sample = (value: number): Sample[] => [
      { name: 'disk_usage', ts, value: Math.round(value * 100) / 100, unit: '%' },
    ];
    store.append(filling, sample(50 + FILL_PER_HOUR * h + wave));
    const last = store.append(flat, sample(40 + wave));
    clock.advance(5 * 60_000);
    await store.flushing;
    void last;
  }
  await store.flush();
  let currentRules = rules;
  const service = new ForecastingService(
    {
      clock,
      logger: silentLogger,
      store,
      fleet,
      rules: () => currentRules,
      alerts,
      runner: { forecastBatch: (jobs, onChunk) => runner.forecastBatch(jobs, onChunk) },
    },
    { regionsEveryMs: 5 * 60_000, agentsEveryMs: H, horizonMs: 7 * DAY },
  );
  return {
    clock,
    store,
    alerts,
    service,
    filling,
    flat,
    connect,
    setRules: (r: Rule[]) => (currentRules = r),
    setRunner: (r: ForecastBatchRunner) => (runner = r),
  };
}

describe('forecasting service', () => {
  it('ranks the filling disk first, with days until its critical level from the bands', async () => {
    const t = await setup();
    await t.service.runAll();
    const report = t.service.capacity({ limit: 10 });
    expect(report.computedAt).toBe(END);
    expect(report.running).toBe(false);
    const [first, second] = report.agents;
    expect(first!.target.kind === 'agent' && first!.target.agentId).toBe(t.filling);
    expect(second!.target.kind === 'agent' && second!.target.agentId).toBe(t.flat);
    // 50 + 0.5 × 72 h ≈ 86 % now; the disk rule's critical level is 97 %: about 22 h away.
    expect(first!.current).toBeGreaterThan(84);
    expect(first!.growthPerDay).toBeGreaterThan(FILL_PER_HOUR * 24 * 0.9);
    expect(first!.growthPerDay).toBeLessThan(FILL_PER_HOUR * 24 * 1.1);
    const c = first!.crossing!;
    expect(c.threshold).toBe(97);
    const hoursTo = (at: number | null) => (at! - END) / H;
    expect(hoursTo(c.likely)).toBeGreaterThan(16);
    expect(hoursTo(c.likely)).toBeLessThan(28);
    expect(c.earliest!).toBeLessThanOrEqual(c.likely!);
    expect(c.latest === null || c.latest >= c.likely!).toBe(true);
    // The flat disk: not within the horizon.
    expect(second!.crossing!.likely).toBeNull();
    expect(second!.backtest.mase).not.toBeNull();
    // The region's average is a row of its own.
    expect(report.regions.map((r) => r.target.kind === 'region' && r.target.metric)).toContain(
      'disk_usage',
    );
    await t.store.close();
  });

  it('raises the forecast alert for the filling disk only, and resolves it when the rule no longer holds', async () => {
    const t = await setup();
    await t.service.runAgents();
    const open = t.alerts.list({ state: 'open' });
    expect(open.map((a) => a.ruleId)).toEqual(['disk_usage_forecast']);
    expect(open[0]!.subject.agentId).toBe(t.filling);
    expect(open[0]!.message).toMatch(
      /forecast to reach 90\.0% around .* UTC, in \d+ h \(80 % band: \d+ h to \d+ h\); now 8\d\.\d%/,
    );
    const rule = DEFAULT_RULES.find((r) => r.id === 'disk_usage_forecast') as ForecastRule;
    // Ask of it a level it will not reach within a day: the alert resolves.
    t.setRules([{ ...rule, threshold: 99.5, horizonMs: DAY }]);
    await t.service.runAgents();
    expect(t.alerts.list({ state: 'open' })).toEqual([]);
    await t.store.close();
  });

  it('answers one target with history, a forecast with ordered bands, the model and its backtest', async () => {
    const t = await setup();
    const f = await t.service.forecast({
      metric: 'disk_usage',
      agentId: t.filling,
      labels: {},
      horizonMs: 2 * DAY,
    });
    if (f.status !== 'ok') throw new Error(f.reason);
    expect(f.tier).toBe('1h');
    expect(f.stepMs).toBe(H);
    expect(f.history.length).toBeGreaterThanOrEqual(70);
    expect(f.forecast).toHaveLength(48);
    for (const p of f.forecast) {
      expect(p.lo95).toBeLessThanOrEqual(p.lo80);
      expect(p.lo80).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.hi80);
      expect(p.hi80).toBeLessThanOrEqual(p.hi95);
    }
    // Bands widen with the horizon.
    const width = (i: number) => f.forecast[i]!.hi95 - f.forecast[i]!.lo95;
    expect(width(47)).toBeGreaterThan(width(0));
    expect(f.model).toMatch(/^(mstl_ets|auto_ets|linear_trend|damped_trend|seasonal_naive)$/);
    expect(f.backtest.coverage95).not.toBeNull();
    await t.store.close();
  });

  it('says how many points a forecast needs when there are too few', async () => {
    const t = await setup();
    const fresh = await t.service.forecast({
      metric: 'memory_usage',
      agentId: t.flat,
      labels: {},
      horizonMs: DAY,
    });
    expect(fresh.status).toBe('insufficient_data');
    if (fresh.status === 'insufficient_data') expect(fresh.reason).toMatch(/no series/);
    await t.store.close();
  });

  it('reads and fits a large run in chunks, and lists every series it could not forecast', async () => {
    const t = await setup();
    // 300 more agents with a few minutes of disk each: too little for a forecast.
    const ids = Array.from({ length: 300 }, (_, i) => t.connect(`few-${i}`));
    for (const id of ids)
      t.store.append(id, [{ name: 'disk_usage', ts: END - 60_000, value: 50, unit: '%' }]);
    await t.store.flushing;
    const batches: number[] = [];
    t.setRunner({
      forecastBatch: (jobs, onChunk) => {
        batches.push(jobs.length);
        return inThreadRunner.forecastBatch(jobs, onChunk);
      },
    });
    await t.service.runAgents();
    expect(batches).toEqual([256, 46]);
    const report = t.service.capacity({ limit: 1 });
    // Two forecasts (the first three days' agents), the first one only by the limit.
    expect(report.agents).toHaveLength(1);
    expect(report.pending).toHaveLength(300);
    expect(report.pending[0]!.reason).toMatch(/at least 24 points/);
    await t.store.close();
  });
});

// region_aggregate rules through the real RuleEvaluator, AlertBook, Fleet and an on-disk
// MetricStore (temp dir), on a ManualClock: the region's p95 over the window is what is judged.
import { describe, it, expect, afterEach } from 'vitest';
import { RuleEvaluator } from '../../electron/core/incidents/evaluator.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { MetricStore } from '../../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../../electron/core/store/tsdb.js';
import { queryWindow } from '../../electron/core/store/query.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { RegionAggregateRule } from '../../shared/rules.js';
import type { Agent } from '../../shared/model.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-region-agg-');
const MIN = 60_000;
const HOUR = 3_600_000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const slowRegion: RegionAggregateRule = {
  id: 'region_slow',
  kind: 'region_aggregate',
  enabled: true,
  description: 'Region responses slow',
  metric: 'response_time',
  agg: 'p95',
  comparator: 'gt',
  unit: 'ms',
  warning: 800,
  critical: null,
  hysteresis: 100,
  forMs: MIN,
  windowMs: 2 * MIN,
};

let stores: MetricStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.close();
  stores = [];
});

async function setup(rule: RegionAggregateRule) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const ids = counterIds();
  const book = new AlertBook({ clock, ids, events, maxResolved: 1000 });
  const fleet = new Fleet(
    { clock, ids, events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 100,
    },
    DEFAULT_REGIONS,
  );
  const store = new MetricStore(
    dir(),
    { clock, logger: silent },
    {
      maxSeriesPerAgent: 100,
      retention: DEFAULT_RETENTION,
      walFlushMs: 5,
      checkpointEveryMs: 24 * HOUR,
      checkpointWalBytes: 1e12,
      outOfOrderWindowMs: 0,
      diskBudgetBytes: 1e15,
      headIdleMs: HOUR,
      backend: 'inline',
    },
  );
  await store.open();
  stores.push(store);
  const evaluator = new RuleEvaluator(book, events, {
    clock,
    agent: (id) => fleet.agent(id),
    seriesOf: () => [],
    aggregates: {
      store: () => store,
      regions: () => fleet.regions(),
      agentsOf: (regionId) => fleet.listAgents({ regionId }),
    },
  });
  evaluator.setRules([rule]);
  const connect = (hostname: string, region: string) => {
    const r = fleet.connect(
      { type: 'hello', protocol: 1, hostname, region, agentType: 'application', version: '1' },
      '10.0.0.1',
    );
    if (!r.ok) throw new Error(r.message);
    return r.agent;
  };
  /** Each agent reports response_time once a second for `ms` (its value from `value`). */
  const run = async (ms: number, agents: Agent[], value: (a: Agent) => number) => {
    for (let t = 0; t < ms; t += 1000) {
      clock.advance(1000);
      for (const a of agents) {
        fleet.heartbeat(a.id);
        const r = store.append(a.id, [{ name: 'response_time', ts: clock.now(), value: value(a) }]);
        expect(r.outcome.accepted).toBe(1);
      }
    }
    await store.flush();
  };
  const open = (regionId: string) =>
    book
      .list({})
      .filter((a) => a.ruleId === rule.id && a.subject.regionId === regionId && !a.resolvedAt);
  return { clock, book, store, evaluator, connect, run, open };
}

describe('region_aggregate rule', () => {
  it('fires one region alert after forMs when the p95 crosses, holds in the band, resolves past it', async () => {
    const { book, connect, run, open, evaluator } = await setup(slowRegion);
    const east = [
      connect('e1', 'us-east-1'),
      connect('e2', 'us-east-1'),
      connect('e3', 'us-east-1'),
    ];
    const west = [connect('w1', 'eu-west-1'), connect('w2', 'eu-west-1')];
    const all = [...east, ...west];
    await run(3 * MIN, all, () => 300);
    expect(open('us-east-1')).toHaveLength(0);

    // One host of three in us-east-1 slows to 1.5 s: a third of the region's samples, so its p95
    // passes 800 ms; its average (≈ 700) would not. eu-west-1 stays fast.
    const slowHost = east[0]!.id;
    await run(40_000, all, (a) => (a.id === slowHost ? 1500 : 300));
    const pending = open('us-east-1');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.state).toBe('pending');
    expect(pending[0]!.subject).toEqual({ kind: 'region', regionId: 'us-east-1', agentId: null });

    await run(MIN, all, (a) => (a.id === slowHost ? 1500 : 300));
    const fired = open('us-east-1');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.state).toBe('firing');
    expect(fired[0]!.severity).toBe('warning');
    expect(fired[0]!.message).toMatch(/p95 response_time over 2 min in .* > 800 ms/);
    expect(open('eu-west-1')).toHaveLength(0);

    // Every host at 750 ms: under 800 but inside the 100 ms hysteresis band, so it holds.
    await run(3 * MIN, all, () => 750);
    expect(open('us-east-1').map((a) => a.state)).toEqual(['firing']);

    // Back to 300 ms for a full window: resolved, and only the one alert was ever raised.
    await run(3 * MIN, all, () => 300);
    expect(open('us-east-1')).toHaveLength(0);
    const ever = book.list({}).filter((a) => a.ruleId === slowRegion.id);
    expect(ever).toHaveLength(1);
    expect(ever[0]!.subject.regionId).toBe('us-east-1');
    expect(ever[0]!.state).toBe('resolved');
    evaluator.dispose();
  });

  it('honours region matchers and resolves alerts of a removed rule', async () => {
    const rule = { ...slowRegion, forMs: 0, matchers: { regions: ['eu-west-1'] } };
    const { connect, run, open, evaluator } = await setup(rule);
    const agents = [connect('e1', 'us-east-1'), connect('w1', 'eu-west-1')];
    await run(MIN, agents, () => 2000);
    expect(open('us-east-1')).toHaveLength(0);
    expect(open('eu-west-1')).toHaveLength(1);
    evaluator.setRules([]);
    expect(open('eu-west-1')).toHaveLength(0);
  });

  it('computes the figure over exactly the raw samples of the window (not step-aligned)', async () => {
    const { clock, store, connect, run } = await setup(slowRegion);
    const a = connect('e1', 'us-east-1');
    await run(2 * MIN, [a], () => 100);
    await run(10_000, [a], () => 1000);
    const now = clock.now();
    const q = (agg: 'max' | 'avg' | 'p50') =>
      queryWindow(
        store,
        {
          metric: 'response_time',
          agentIds: new Set([a.id]),
          from: now - 15_000,
          to: now + 1,
          agg,
        },
        now,
      );
    expect(q('max')).toBe(1000);
    expect(q('p50')).toBe(1000);
    expect(q('avg')).toBeCloseTo(10_600 / 16, 6);
  });
});

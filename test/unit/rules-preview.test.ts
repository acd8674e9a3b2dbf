// The preview replays a rule over a real metric store's minute rollups (temp dir, real files).
import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Agent } from '../../shared/model.js';
import type { Sample } from '../../shared/protocol.js';
import type { AbsenceRule, RateOfChangeRule, ThresholdRule } from '../../shared/rules.js';
import { MetricStore } from '../../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../../electron/core/store/tsdb.js';
import { previewRule } from '../../electron/core/rules/preview.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-preview-');
const MIN = 60_000;
const HOUR = 3_600_000;
const END = T0 + 24 * HOUR;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const agent = (id: string, regionId: string): Agent =>
  ({ id, regionId, hostname: `${id}.host`, type: 'system', labels: {} }) as unknown as Agent;
const AGENTS = new Map([
  ['a1', agent('a1', 'us-east-1')],
  ['a2', agent('a2', 'eu-west-1')],
]);

/** A day of one-a-minute samples; `value(minute)` null means the series said nothing then. */
function day(name: string, value: (m: number) => number | null): Sample[] {
  const out: Sample[] = [];
  for (let m = 0; m < 24 * 60; m++) {
    const v = value(m);
    if (v !== null) out.push({ name, ts: T0 + m * MIN, value: v });
  }
  return out;
}

/** Spikes (start minute, length in minutes) over a baseline of 20. */
const spiky = (spikes: [number, number][]) => (m: number) =>
  spikes.some(([s, n]) => m >= s && m < s + n) ? 92 : 20;

async function storeWith(data: Record<string, Sample[]>) {
  const clock = new ManualClock(END);
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
  for (const [agentId, samples] of Object.entries(data)) {
    const r = store.append(agentId, samples);
    expect(r.outcome.accepted).toBe(samples.length);
    clock.advance(5);
    await r.durable;
  }
  // Compact what can be (older hours go to rollup blocks), so both paths are read.
  await store.flush();
  await store.maintain();
  return {
    store,
    deps: { store, agent: (id: string) => AGENTS.get(id), now: () => END },
  };
}

const hot: ThresholdRule = {
  id: 'cpu_hot',
  kind: 'threshold',
  enabled: true,
  description: 'CPU hot',
  metric: 'cpu_usage',
  comparator: 'gt',
  unit: '%',
  warning: 80,
  critical: 95,
  hysteresis: 5,
  forMs: 0,
};

describe('previewRule', () => {
  it('counts firings of a threshold rule with its for, matchers and keep_firing_for', async () => {
    const { store, deps } = await storeWith({
      a1: day(
        'cpu_usage',
        spiky([
          [120, 5],
          [600, 15],
          [610 + 30, 3],
          [1200, 5],
        ]),
      ),
      a2: day('cpu_usage', spiky([[300, 5]])),
    });
    try {
      const all = previewRule(hot, deps);
      expect(all.supported).toBe(true);
      expect(all.series).toBe(2);
      expect(all.firings).toBe(5);
      expect(all.seriesFiring).toBe(2);
      expect(all.episodes[0]).toMatchObject({
        agentId: 'a1',
        severity: 'warning',
        start: T0 + 1200 * MIN,
        end: T0 + 1205 * MIN,
      });
      // Only a1's region.
      expect(previewRule({ ...hot, matchers: { regions: ['us-east-1'] } }, deps).firings).toBe(4);
      // Held 10 min: only the 15-minute spike fires.
      expect(previewRule({ ...hot, forMs: 10 * MIN }, deps).firings).toBe(1);
      // Kept firing 30 min: the spike 15 min after the long one's end is the same alert.
      expect(previewRule({ ...hot, keepFiringForMs: 30 * MIN }, deps).firings).toBe(4);
      // A level nothing reaches.
      expect(previewRule({ ...hot, warning: 99, critical: null }, deps).firings).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('counts rate_of_change and absence firings', async () => {
    const growth: RateOfChangeRule = {
      id: 'disk_growth',
      kind: 'rate_of_change',
      enabled: true,
      description: 'Disk filling fast',
      metric: 'disk_usage',
      unit: '%',
      comparator: 'gt',
      windowMs: 30 * MIN,
      warning: 5,
      critical: null,
      hysteresis: 1,
      forMs: 0,
    };
    const absent: AbsenceRule = {
      id: 'mem_gone',
      kind: 'absence',
      enabled: true,
      description: 'Memory missing',
      metric: 'memory_usage',
      absentForMs: 10 * MIN,
      severity: 'warning',
    };
    // a1's disk grows 12 %/h between 10:00 and 13:00, flat otherwise.
    const disk = (m: number) => 40 + Math.min(Math.max(m - 600, 0), 180) * 0.2;
    const { store, deps } = await storeWith({
      a1: [
        ...day('disk_usage', disk),
        // memory silent 20 min at 05:00 while disk reports; silent 5 min at 08:00 (too short).
        ...day('memory_usage', (m) => ((m >= 300 && m < 320) || (m >= 480 && m < 485) ? null : 50)),
      ],
      // a2 is dead from 12:00: all its series stop, so its silence is not an absence.
      a2: [
        ...day('memory_usage', (m) => (m < 720 ? 50 : null)),
        ...day('disk_usage', (m) => (m < 720 ? 40 : null)),
      ],
    }).then((x) => x);
    try {
      const rate = previewRule(growth, deps);
      expect(rate.firings).toBe(1);
      expect(rate.episodes[0]).toMatchObject({ agentId: 'a1', series: 'disk_usage' });
      const gone = previewRule(absent, deps);
      expect(gone.firings).toBe(1);
      expect(gone.episodes[0]).toMatchObject({
        agentId: 'a1',
        // Last reported at 04:59: 10 min silent at 05:09.
        start: T0 + 309 * MIN,
        end: T0 + 320 * MIN,
      });
      const offline = previewRule(
        { id: 'x', kind: 'agent_offline', enabled: true, description: '', severity: 'critical' },
        deps,
      );
      expect(offline.supported).toBe(false);
    } finally {
      await store.close();
    }
  });
});

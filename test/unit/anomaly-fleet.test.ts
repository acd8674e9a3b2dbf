import { describe, expect, it } from 'vitest';
import { detectChangepoints } from '../../electron/core/anomaly/changepoints.js';
import { fleetOutliers } from '../../electron/core/anomaly/fleet-outliers.js';
import { gaussian, HOUR, MINUTE, prng, T0 } from './support/anomaly-series.js';

/** Peers sharing one daily-ish shape, each with its own noise. */
function peers(count: number, rows: number, seed: number) {
  const g = gaussian(prng(seed));
  const timestamps = Array.from({ length: rows }, (_, i) => T0 + i * MINUTE);
  const agents = Array.from({ length: count }, (_, k) => ({
    agentId: `agt-${k}`,
    values: timestamps.map((_, i) => 40 + 15 * Math.sin(i / 20) + g()),
  }));
  return { timestamps, agents };
}

describe('fleet outliers (augurs DBSCAN / MAD)', () => {
  for (const method of ['dbscan', 'mad'] as const) {
    it(`${method}: finds the one agent that ran hot among 12 peers, with when`, () => {
      const group = peers(12, 120, 4);
      const odd = group.agents[7]!;
      // From minute 60 to 89 it runs 25 points above its peers.
      odd.values = odd.values.map((v, i) => (i >= 60 && i < 90 ? v + 25 : v));
      const r = fleetOutliers(group, { method });
      expect(r.outliers.map((o) => o.agentId)).toEqual(['agt-7']);
      const o = r.outliers[0]!;
      expect(o.score).toBeGreaterThan(0);
      expect(o.intervals.length).toBeGreaterThan(0);
      const first = o.intervals[0]!;
      const last = o.intervals[o.intervals.length - 1]!;
      expect(first.start).toBeGreaterThanOrEqual(T0 + 60 * MINUTE);
      expect(last.end).toBeLessThanOrEqual(T0 + 89 * MINUTE);
      if (method === 'dbscan') {
        expect(first.start).toBe(T0 + 60 * MINUTE);
        expect(last.end).toBe(T0 + 89 * MINUTE);
      }
    });

    it(`${method}: none among identical peers, nor among peers that differ only by noise`, () => {
      const same = peers(6, 60, 9);
      const base = same.agents[0]!.values;
      expect(
        fleetOutliers(
          { ...same, agents: same.agents.map((a) => ({ ...a, values: base })) },
          { method },
        ).outliers,
      ).toEqual([]);
      expect(fleetOutliers(peers(10, 120, 11), { method }).outliers).toEqual([]);
    });
  }

  it('fills gaps, skips an agent with no values, and says when there are too few peers', () => {
    const group = peers(4, 30, 2);
    group.agents[1]!.values = group.agents[1]!.values.map((v, i) => (i % 5 === 0 ? NaN : v));
    group.agents[3]!.values = group.agents[3]!.values.map(() => NaN);
    const r = fleetOutliers(group);
    expect(r.skipped).toEqual([{ agentId: 'agt-3', reason: 'no values in the window' }]);
    expect(r.tooFew).toBeUndefined();
    expect(r.outliers).toEqual([]);
    const two = fleetOutliers({ ...group, agents: group.agents.slice(0, 2) });
    expect(two.tooFew).toMatch(/at least 3/);
    expect(() => fleetOutliers({ ...group, agents: [{ agentId: 'x', values: [1] }] })).toThrow(
      /1 values for 30 timestamps/,
    );
  });
});

describe('changepoints (augurs normal-gamma BOCPD)', () => {
  const hourly = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * HOUR);

  it('places an injected level shift on its first point, with its size, across seeds', () => {
    const errors: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const g = gaussian(prng(seed));
      const at = 100 + seed * 7;
      const values = hourly(300).map((_, i) => 50 + g() + (i >= at ? 6 : 0));
      const cps = detectChangepoints(hourly(300), values);
      expect(cps).toHaveLength(1);
      errors.push(cps[0]!.index - at);
      expect(cps[0]!.ts).toBe(T0 + cps[0]!.index * HOUR);
      expect(cps[0]!.after - cps[0]!.before).toBeGreaterThan(4);
    }
    console.log(
      `changepoint position error over 10 seeds (found − injected): ${errors.join(', ')} points`,
    );
    expect(errors).toEqual(Array(10).fill(0));
  });

  it('finds a shift under a daily cycle when told the period, and none in the cycle alone', () => {
    const g = gaussian(prng(3));
    const cycle = hourly(24 * 14).map((_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 24) + g());
    expect(detectChangepoints(hourly(cycle.length), cycle, { period: 24 })).toEqual([]);
    const shifted = cycle.map((v, i) => v + (i >= 200 ? -8 : 0));
    const cps = detectChangepoints(hourly(cycle.length), shifted, { period: 24 });
    expect(cps).toHaveLength(1);
    expect(cps[0]!.index).toBe(200);
  });

  it('none in noise, in a flat series, or in a short one', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const g = gaussian(prng(seed + 50));
      expect(
        detectChangepoints(
          hourly(300),
          hourly(300).map(() => 50 + g()),
        ),
      ).toEqual([]);
    }
    expect(
      detectChangepoints(
        hourly(100),
        hourly(100).map(() => 7),
      ),
    ).toEqual([]);
    expect(detectChangepoints(hourly(4), [1, 2, 30, 31])).toEqual([]);
  });
});

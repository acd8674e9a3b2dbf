// The simulator's disks: one agent in N fills steadily (the capacity forecasts' demo), the rest
// grow slowly and stop below the 90 % warning. Values read through samplesFor on a manual clock.
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../agent/simulator.js';
import { ManualClock } from '../../shared/clock.js';

const HOUR_MS = 3_600_000;

function diskGrowthOverAnHour(agents: number, fillingDiskEvery?: number): number[] {
  const clock = new ManualClock(1_700_000_000_000);
  const sim = new Simulator({
    url: 'ws://127.0.0.1:9',
    token: 'unused',
    agents,
    seed: 4,
    clock,
    ...(fillingDiskEvery !== undefined ? { fillingDiskEvery } : {}),
  });
  const disk = (i: number) =>
    sim.samplesFor(sim.agents[i]!).find((s) => s.name === 'disk_usage')!.value;
  const first = sim.agents.map((_, i) => disk(i));
  for (let t = 0; t < HOUR_MS; t += 1_000) {
    clock.advance(1_000);
    sim.agents.forEach((_, i) => disk(i));
  }
  return sim.agents.map((_, i) => disk(i) - first[i]!);
}

describe('simulator disks', () => {
  it('fills one disk in eight by default, about 0.9 points an hour; the others barely move', () => {
    const growth = diskGrowthOverAnHour(16);
    growth.forEach((g, i) => {
      if (i % 8 === 3) {
        expect(g, `agent ${i}`).toBeGreaterThan(0.6);
        expect(g, `agent ${i}`).toBeLessThan(1.2);
      } else expect(g, `agent ${i}`).toBeLessThan(0.1);
    });
  });

  it('fills every disk with fillingDiskEvery 1, and none with 0', () => {
    for (const g of diskGrowthOverAnHour(6, 1)) expect(g).toBeGreaterThan(0.6);
    for (const g of diskGrowthOverAnHour(6, 0)) expect(g).toBeLessThan(0.1);
  });
});

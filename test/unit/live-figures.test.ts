import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { LiveFigures } from '../../electron/core/stats.js';

describe('LiveFigures', () => {
  it('averages samples per second over the complete seconds of the last 10', () => {
    const clock = new ManualClock(1_000_000);
    const live = new LiveFigures(clock);
    for (let s = 0; s < 9; s++) {
      live.addSamples(900);
      clock.advance(1_000);
    }
    expect(live.samplesPerSecond()).toBe(900);
    live.addSamples(5_000); // the current, incomplete second does not count yet
    expect(live.samplesPerSecond()).toBe(900);
    clock.advance(30_000); // silence empties the window
    expect(live.samplesPerSecond()).toBe(0);
  });

  it('reports the p99 of the last 1,000 latencies, null before any', () => {
    const live = new LiveFigures(new ManualClock());
    expect(live.latencyP99()).toBeNull();
    for (let i = 1; i <= 100; i++) live.addAlertLatency(i);
    expect(live.latencyP99()).toBe(99);
    for (let i = 0; i < 1_000; i++) live.addAlertLatency(5);
    expect(live.latencyP99()).toBe(5);
  });
});

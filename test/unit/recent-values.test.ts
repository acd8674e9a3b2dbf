import { describe, it, expect } from 'vitest';
import { RecentValues } from '../../electron/core/store/recent-values.js';

describe('RecentValues', () => {
  it('stores a new series, then newer samples replace it', () => {
    const rv = new RecentValues(10);
    expect(rv.put('a1', 'cpu_usage', 100, 5)).toBe('new');
    expect(rv.get('a1', 'cpu_usage')).toEqual({ ts: 100, value: 5 });
    expect(rv.put('a1', 'cpu_usage', 101, 7)).toBe('newer');
    expect(rv.get('a1', 'cpu_usage')).toEqual({ ts: 101, value: 7 });
  });

  it('a sample with an older or equal ts is stale and does not overwrite', () => {
    const rv = new RecentValues(10);
    rv.put('a1', 'cpu_usage', 100, 5);
    expect(rv.put('a1', 'cpu_usage', 100, 99)).toBe('stale');
    expect(rv.put('a1', 'cpu_usage', 50, 99)).toBe('stale');
    expect(rv.get('a1', 'cpu_usage')).toEqual({ ts: 100, value: 5 });
  });

  it('refuses a new series past the per-agent cap but still updates held ones', () => {
    const rv = new RecentValues(2);
    expect(rv.put('a1', 's1', 1, 1)).toBe('new');
    expect(rv.put('a1', 's2', 1, 1)).toBe('new');
    expect(rv.put('a1', 's3', 1, 1)).toBe('limit');
    expect(rv.get('a1', 's3')).toBeUndefined();
    expect(rv.seriesCount('a1')).toBe(2);
    expect(rv.put('a1', 's2', 2, 3)).toBe('newer');
    expect(rv.put('a1', 's1', 1, 3)).toBe('stale');
  });

  it('the cap is per agent', () => {
    const rv = new RecentValues(1);
    expect(rv.put('a1', 's1', 1, 1)).toBe('new');
    expect(rv.put('a1', 's2', 1, 1)).toBe('limit');
    expect(rv.put('a2', 's2', 1, 1)).toBe('new');
    expect(rv.seriesCount('a1')).toBe(1);
    expect(rv.seriesCount('a2')).toBe(1);
    expect(rv.seriesCount('nobody')).toBe(0);
    expect(rv.totalSeries()).toBe(2);
  });

  it('get of an unknown agent or series is undefined', () => {
    const rv = new RecentValues(5);
    expect(rv.get('nobody', 'x')).toBeUndefined();
    rv.put('a1', 'x', 1, 1);
    expect(rv.get('a1', 'y')).toBeUndefined();
  });
});

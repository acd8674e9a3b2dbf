import { describe, it, expect } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../../shared/protocol.js';
import {
  CHECKPOINT_FILE,
  readCheckpoint,
  writeCheckpoint,
} from '../../electron/core/store/checkpoint.js';
import type { Bucket } from '../../electron/core/store/rollup.js';
import { MINUTE_MS, TimeSeriesStore, type Series } from '../../electron/core/store/tsdb.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-checkpoint-');

function raw(series: Series): [number, number][] {
  const out: [number, number][] = [];
  series.forEachRaw(-Infinity, Infinity, (ts, v) => out.push([ts, v]));
  return out;
}

function tier(t: Series['minute']): Bucket[] {
  const out: Bucket[] = [];
  t.forEach(-Infinity, Infinity, (b) => out.push(b));
  return out;
}

interface SeriesView {
  id: number;
  agentId: string;
  key: string;
  name: string;
  labels: Record<string, string>;
  lastTs: number;
  lastValue: number;
  raw: [number, number][];
  minute: Bucket[];
  hour: Bucket[];
}

function view(store: TimeSeriesStore): SeriesView[] {
  return [...store.all()]
    .map((s) => ({
      id: s.id,
      agentId: s.agentId,
      key: s.key,
      name: s.name,
      labels: { ...s.labels },
      lastTs: s.lastTs,
      lastValue: s.lastValue,
      raw: raw(s),
      minute: tier(s.minute),
      hour: tier(s.hour),
    }))
    .sort((a, b) => `${a.agentId}/${a.key}`.localeCompare(`${b.agentId}/${b.key}`));
}

function find(store: TimeSeriesStore, agentId: string, name: string): Series {
  const s = [...store.seriesForAgent(agentId)].find((x) => x.name === name);
  if (!s) throw new Error(`no ${agentId}/${name}`);
  return s;
}

/** Two agents; a series over 3 raw chunks, one over > 256 minute buckets, labelled ones. */
function filledStore(): TimeSeriesStore {
  const store = new TimeSeriesStore(100);
  const fast: Sample[] = [];
  for (let i = 0; i < 3000; i++) fast.push({ name: 'cpu', ts: T0 + i * 1000, value: i * 0.25 });
  store.append('a1', fast);
  const slow: Sample[] = [];
  for (let i = 0; i < 600; i++)
    slow.push({ name: 'mem', labels: { kind: 'rss' }, ts: T0 + i * 30_000, value: 1000 + i });
  store.append('a1', slow);
  store.append('a2', [
    { name: 'cpu', labels: { core: '0', host: 'h' }, ts: T0 + 5, value: -1.5 },
    { name: 'cpu', labels: { core: '0', host: 'h' }, ts: T0 + 65_000, value: 1e-9 },
  ]);
  return store;
}

describe('writeCheckpoint / readCheckpoint', () => {
  it('restores identical series, rollups and last values, and the WAL segment', async () => {
    const store = filledStore();
    expect(find(store, 'a1', 'cpu').raw.length).toBe(3);
    expect(find(store, 'a1', 'mem').minute.blocks.length).toBe(2);
    const bytes = await writeCheckpoint(dir(), store, 7, T0 + 1);
    expect(bytes).toBeGreaterThan(0);
    expect((await readdir(dir())).sort()).toEqual([CHECKPOINT_FILE]);
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(dir(), fresh)).toEqual({ walSegment: 7, series: 3 });
    expect(view(fresh)).toEqual(view(store));
    expect(fresh.stats().samples).toBe(3602);
    expect(fresh.seriesCount('a1')).toBe(2);
    expect(fresh.seriesCount('a2')).toBe(1);
    expect(fresh.metricNames()).toEqual(['cpu', 'mem']);
    expect([...fresh.seriesOf('cpu')].length).toBe(2);
  });

  it('reads nothing from a directory without a checkpoint', async () => {
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(join(dir(), 'none'), fresh)).toEqual({ walSegment: 0, series: 0 });
    expect(fresh.seriesCount()).toBe(0);
  });

  it('appending after a restore continues the series: lastTs is a duplicate, later samples extend', async () => {
    const store = filledStore();
    await writeCheckpoint(dir(), store, 1, T0);
    const fresh = new TimeSeriesStore(100);
    await readCheckpoint(dir(), fresh);
    const cpu = find(fresh, 'a1', 'cpu');
    expect(cpu.lastTs).toBe(T0 + 2_999_000);
    expect(fresh.append('a1', [{ name: 'cpu', ts: T0 + 2_999_000, value: 5 }])).toEqual({
      accepted: 0,
      late: 0,
      duplicates: 1,
      tooOld: 0,
      overLimit: 0,
    });
    expect(fresh.append('a1', [{ name: 'cpu', ts: T0 + 2_999_500, value: 5 }]).accepted).toBe(1);
    expect(cpu.rawCount()).toBe(3001);
    expect(raw(cpu).slice(-2)).toEqual([
      [T0 + 2_999_000, 2999 * 0.25],
      [T0 + 2_999_500, 5],
    ]);
    // The open minute bucket (minute 49: samples 2940…2999) is updated in place, not duplicated.
    const minutes = tier(cpu.minute);
    expect(minutes.length).toBe(50);
    const last = minutes.at(-1)!;
    expect(last.start).toBe(T0 + 49 * MINUTE_MS);
    expect(last.count).toBe(61);
    expect(last.last).toBe(5);
    let sum = 5;
    for (let i = 2940; i < 3000; i++) sum += i * 0.25;
    expect(last.sum).toBe(sum);
    // A restored full chunk is not written into; a new one is started.
    const mem = find(fresh, 'a1', 'mem');
    fresh.append('a1', [{ name: 'mem', labels: { kind: 'rss' }, ts: T0 + 600 * 30_000, value: 1 }]);
    expect(mem.rawCount()).toBe(601);
    expect(tier(mem.minute).length).toBe(301);
  });

  it('a sample in the open minute and hour after a restore updates those buckets in place', async () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [
      { name: 'cpu', ts: T0 + 1000, value: 1 },
      { name: 'cpu', ts: T0 + 2000, value: 2 },
    ]);
    await writeCheckpoint(dir(), store, 1, T0);
    const fresh = new TimeSeriesStore(10);
    await readCheckpoint(dir(), fresh);
    fresh.append('a1', [{ name: 'cpu', ts: T0 + 3000, value: 6 }]);
    const cpu = find(fresh, 'a1', 'cpu');
    const one = { start: T0, min: 1, max: 6, sum: 9, count: 3, last: 6 };
    expect.soft(tier(cpu.minute)).toEqual([one]);
    expect.soft(tier(cpu.hour)).toEqual([one]);
  });

  it('captures the head when called: samples appended while it is written are not in it', async () => {
    const store = filledStore();
    const writing = writeCheckpoint(dir(), store, 3, T0);
    store.append('a1', [{ name: 'cpu', ts: T0 + 10_000_000, value: 1 }]);
    store.append('a3', [{ name: 'disk', ts: T0, value: 1 }]);
    await writing;
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(dir(), fresh)).toEqual({ walSegment: 3, series: 3 });
    expect(find(fresh, 'a1', 'cpu').lastTs).toBe(T0 + 2_999_000);
    expect(fresh.stats().samples).toBe(3602);
  });
});

// Reading many series over weeks (the forecasting input): the 1-hour blocks of a 30-day span
// are merged as its days complete, and the batched and columnar reads give exactly the
// buckets that were sent, across the span's block, the 30-day boundary, the hourly blocks of
// the current day and the head. Real files in a temp dir; a manual clock drives time.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepsSketch } from '../../shared/analysis.js';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { silentLogger } from '../../electron/core/logger.js';
import type { BucketColumns } from '../../electron/core/store/bucket-columns.js';
import { DAY_MS, PERIOD_MS } from '../../electron/core/store/compactor.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import { bucketize, coarsen, type Bucket } from '../../electron/core/store/rollup.js';
import { HOUR_MS, MINUTE_MS, type Series } from '../../electron/core/store/series.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-forecast-read-');

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: { rawMs: 6 * HOUR_MS, minuteMs: 3 * DAY_MS, hourMs: 90 * DAY_MS },
  walFlushMs: 5,
  checkpointEveryMs: 30 * MINUTE_MS,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 10 * MINUTE_MS,
  diskBudgetBytes: 1e15,
  headIdleMs: HOUR_MS,
  backend: 'inline',
};

/** The end of the 30-day span T0 is in (T0 is 4 days and 2 hours before it). */
const BOUNDARY = T0 - (T0 % PERIOD_MS) + PERIOD_MS;

/** What each series is sent: agent, metric, every how many ms (a latency keeps sketches). */
const SERIES = [
  ['a1', 'cpu', 10 * MINUTE_MS],
  ['a1', 'response_time', 5 * MINUTE_MS],
  ['a2', 'disk', 30 * MINUTE_MS],
] as const;

function samples(name: string, from: number, to: number, everyMs: number): Sample[] {
  const out: Sample[] = [];
  for (let ts = from; ts < to; ts += everyMs)
    out.push({ name, ts, value: Math.round(((ts / 1000 + name.length * 7) % 977) * 100) / 100 });
  return out;
}

async function openStore(clock: ManualClock): Promise<MetricStore> {
  const store = new MetricStore(dir(), { clock, logger: silentLogger }, OPTS);
  await store.open();
  await store.maintain();
  return store;
}

/** Send [from, to) hour by hour, as agents do, with flushes and compactions on their timers. */
async function sendHours(
  store: MetricStore,
  clock: ManualClock,
  sent: Map<string, Sample[]>,
  from: number,
  to: number,
  series: readonly (readonly [string, string, number])[] = SERIES,
): Promise<void> {
  for (let t = from; t < to; t += HOUR_MS) {
    for (const agent of new Set(series.map(([a]) => a))) {
      const batch = series
        .filter(([a]) => a === agent)
        .flatMap(([, name, every]) => {
          const list = samples(name, t, t + HOUR_MS, every);
          sent.set(`${agent}/${name}`, [...(sent.get(`${agent}/${name}`) ?? []), ...list]);
          return list;
        })
        .sort((x, y) => x.ts - y.ts);
      if (clock.now() < t + HOUR_MS - 1) clock.advance(t + HOUR_MS - 1 - clock.now());
      const r = store.append(agent, batch);
      clock.advance(OPTS.walFlushMs);
      await r.durable;
      await store.flushing;
    }
  }
}

/** The buckets of what was sent: 1-minute, or hours folded from them (as the store does). */
function expected(list: readonly Sample[], tier: '1m' | '1h', from: number, to: number): Bucket[] {
  const minutes: Bucket[] = [];
  const ts = list.map((s) => s.ts);
  bucketize(
    ts,
    list.map((s) => s.value),
    list.length,
    MINUTE_MS,
    (b) => minutes.push(b),
  );
  let out = minutes;
  if (tier === '1h') {
    out = [];
    coarsen(minutes, HOUR_MS, (b) => out.push(b));
  }
  return out.filter((b) => b.start >= from && b.start < to);
}

const fields = ({ start, min, max, sum, count, last }: Bucket) => ({
  start,
  min,
  max,
  sum,
  count,
  last,
});

function rows(c: BucketColumns): ReturnType<typeof fields>[] {
  return Array.from({ length: c.length }, (_, i) => ({
    start: c.start[i]!,
    min: c.min[i]!,
    max: c.max[i]!,
    sum: c.sum[i]!,
    count: c.count[i]!,
    last: c.last[i]!,
  }));
}

const blockNames = async () => (await readdir(join(dir(), 'tsdb', 'blocks'))).sort();
/** [start, end] of each 1-hour block: of single hours (`hours`), or of days and spans. */
async function hourBlocks(hours = false): Promise<number[][]> {
  return (await blockNames())
    .filter((n) => n.startsWith('1h-'))
    .map((n) => n.split('-').slice(1, 3).map(Number))
    .filter(([start, end]) => (end! - start! === HOUR_MS) === hours);
}

/** Both reads of `list` over [from, to) equal what was sent, in the order asked. */
function expectReads(
  store: MetricStore,
  list: Series[],
  sent: Map<string, Sample[]>,
  tier: '1m' | '1h',
  from: number,
  to: number,
): void {
  const objects = store.bucketsOfMany(list, tier, from, to);
  const columns = store.bucketColumnsOfMany(list, tier, from, to);
  list.forEach((s, i) => {
    const want = expected(sent.get(`${s.agentId}/${s.name}`)!, tier, from, to).map(fields);
    expect(objects[i]!.map(fields)).toEqual(want);
    // Latency-like series keep a sketch per bucket; the columns carry none.
    expect(objects[i]!.every((b) => (b.sketch !== undefined) === keepsSketch(s.name))).toBe(true);
    expect(rows(columns[i]!)).toEqual(want);
  });
}

describe('reading many series over weeks', () => {
  // CPU-bound (a month of hourly blocks): 7 s idle, 20 s seen loaded; the bound leaves room for a busier machine.
  it('merges a 30-day span’s 1-hour blocks as days complete; reads are exact across every source', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const sent = new Map<string, Sample[]>();
    // Past the 30-day boundary by three days and three hours.
    const end = BOUNDARY + 3 * DAY_MS + 3 * HOUR_MS;
    await sendHours(store, clock, sent, T0, end);
    await store.flush();
    await store.maintain();
    // The span that ended is one block; the one going holds its three whole days in one.
    expect(await hourBlocks()).toEqual([
      [BOUNDARY - PERIOD_MS, BOUNDARY],
      [BOUNDARY, BOUNDARY + 3 * DAY_MS],
    ]);
    // The current day's compacted hours are in blocks of an hour (1-minute and 1-hour
    // buckets), the last ones still in flushes or the head.
    const today = BOUNDARY + 3 * DAY_MS;
    const names = await blockNames();
    expect(names.some((n) => n.startsWith(`1m-${today}-`))).toBe(true);
    const single = await hourBlocks(true);
    expect(single[0]).toEqual([today, today + HOUR_MS]);
    expect(single.every(([start]) => start! >= today && start! < end - HOUR_MS)).toBe(true);
    // Asked in an order unlike the ids, one series twice.
    const all = SERIES.map(([agent, name]) =>
      [...store.seriesOf(name)].find((s) => s.agentId === agent)!,
    );
    const list = [all[2]!, all[0]!, all[1]!, all[0]!];
    for (const [from, to] of [
      [T0, end], // everything
      [BOUNDARY - 5 * HOUR_MS, BOUNDARY + 5 * HOUR_MS], // across the 30-day boundary
      [BOUNDARY + 3 * DAY_MS - 2 * HOUR_MS, end], // the span's block, hourly blocks, the head
      [T0 + 90 * MINUTE_MS, BOUNDARY + 26 * HOUR_MS + 30 * MINUTE_MS], // not on hour edges
    ] as const)
      expectReads(store, list, sent, '1h', from, to);
    // 1-minute buckets (kept 3 days): day blocks, hourly blocks and the head.
    expectReads(store, list, sent, '1m', end - 3 * DAY_MS + HOUR_MS, end);
    // Each result is its own: the series asked twice does not share arrays.
    const twice = store.bucketsOfMany(list, '1h', T0, end);
    expect(twice[1]).toEqual(twice[3]);
    expect(twice[1]).not.toBe(twice[3]);
    await store.close();
  }, 180_000);

  it('merges a day that gets late samples again into its span’s block', async () => {
    const clock = new ManualClock(BOUNDARY);
    const store = await openStore(clock);
    const sent = new Map<string, Sample[]>();
    const end = BOUNDARY + 2 * DAY_MS + 2 * HOUR_MS;
    await sendHours(store, clock, sent, BOUNDARY, end);
    await store.flush();
    await store.maintain();
    expect(await hourBlocks()).toEqual([[BOUNDARY, BOUNDARY + 2 * DAY_MS]]);
    const seqOf = (n: string) => Number(n.split('-')[3]!.replace('.blk', ''));
    const before = (await blockNames()).find((n) => n.startsWith(`1h-${BOUNDARY}-`))!;
    // A host that was cut off sends the last hours of yesterday (within raw retention).
    const late = [['a3', 'cpu', 5 * MINUTE_MS]] as const;
    const lateFrom = BOUNDARY + 2 * DAY_MS - 3 * HOUR_MS;
    await sendHours(store, clock, sent, lateFrom, lateFrom + 3 * HOUR_MS, late);
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    // Still one block for the span, written anew (a higher seq), with the late day in it.
    const names = (await blockNames()).filter((n) => {
      const [tier, start, stop] = n.split('-');
      return tier === '1h' && Number(stop) - Number(start) > HOUR_MS;
    });
    expect(names).toHaveLength(1);
    expect(names[0]!.startsWith(`1h-${BOUNDARY}-${BOUNDARY + 2 * DAY_MS}-`)).toBe(true);
    expect(seqOf(names[0]!)).toBeGreaterThan(seqOf(before));
    const all = [...SERIES, ...late].map(([agent, name]) =>
      [...store.seriesOf(name)].find((s) => s.agentId === agent)!,
    );
    expectReads(store, all, sent, '1h', BOUNDARY, clock.now());
    await store.close();
  });
});

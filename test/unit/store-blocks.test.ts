// The metric store on disk: flushes, hourly compaction into raw and 1-minute blocks, daily and
// 30-day merges, retention per tier, the disk budget, idle series leaving memory, damaged
// files, and the move from a v1 checkpoint. Real files in a temp dir; the compaction runs in
// the same thread (the storage worker runs the same code); a manual clock drives time.
import { readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import { silentLogger } from '../../electron/core/logger.js';
import type { BlockInfo } from '../../electron/core/store/compactor.js';
import {
  MetricStore,
  type MetricStoreOptions,
  type StoreObserver,
} from '../../electron/core/store/metric-store.js';
import { bucketize, coarsen, type Bucket } from '../../electron/core/store/rollup.js';
import { HOUR_MS, MINUTE_MS } from '../../electron/core/store/series.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-blocks-');
const DAY = 24 * HOUR_MS;

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: { rawMs: 6 * HOUR_MS, minuteMs: 3 * DAY, hourMs: 60 * DAY },
  walFlushMs: 5,
  checkpointEveryMs: 5 * MINUTE_MS,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 10 * MINUTE_MS,
  diskBudgetBytes: 1e15,
  headIdleMs: HOUR_MS,
  backend: 'inline',
};

function recorder() {
  const seen = { damaged: [] as string[], deleted: [] as BlockInfo[], used: 0 };
  const observer: StoreObserver = {
    damaged: (what) => seen.damaged.push(...what.map((d) => `${d.name}: ${d.problem}`)),
    usage: (used, _budget, deleted) => {
      seen.used = used;
      seen.deleted.push(...deleted);
    },
    flushFailed: (err) => seen.damaged.push(`flush: ${err.message}`),
    flushed: () => {},
  };
  return { seen, observer };
}

async function openStore(
  clock: ManualClock,
  opts: Partial<MetricStoreOptions> = {},
  observer?: StoreObserver,
) {
  const store = new MetricStore(dir(), { clock, logger: silentLogger }, { ...OPTS, ...opts });
  if (observer) store.observe(observer);
  await store.open();
  await store.maintain();
  return store;
}

/** Samples every `everyMs` from `from` to `to` (exclusive), value from the time. */
function samples(name: string, from: number, to: number, everyMs: number): Sample[] {
  const out: Sample[] = [];
  for (let ts = from; ts < to; ts += everyMs)
    out.push({ name, ts, value: Math.round(((ts / 1000) % 977) * 100) / 100 });
  return out;
}

/** Append in batches of a minute, moving the clock along and flushing on its timer. */
async function ingest(
  store: MetricStore,
  clock: ManualClock,
  agent: string,
  list: Sample[],
): Promise<void> {
  for (let i = 0; i < list.length; i += 60) {
    const batch = list.slice(i, i + 60);
    const last = batch[batch.length - 1]!.ts;
    if (last > clock.now()) clock.advance(last - clock.now());
    const r = store.append(agent, batch);
    clock.advance(OPTS.walFlushMs);
    await r.durable;
    await store.flushing;
  }
}

function readAll(
  store: MetricStore,
  name: string,
  from = -Infinity,
  to = Infinity,
): [number, number][] {
  const out: [number, number][] = [];
  for (const s of store.seriesOf(name))
    store.raw(s, from, to).forEach((ts, v) => out.push([ts, v]));
  return out;
}

function expectedBuckets(list: Sample[], bucketMs: number): Bucket[] {
  const minutes: Bucket[] = [];
  bucketize(
    list.map((s) => s.ts),
    list.map((s) => s.value),
    list.length,
    MINUTE_MS,
    (b) => minutes.push(b),
  );
  if (bucketMs === MINUTE_MS) return minutes;
  const out: Bucket[] = [];
  coarsen(minutes, bucketMs, (b) => out.push(b));
  return out;
}

const blockNames = async () => (await readdir(join(dir(), 'tsdb', 'blocks'))).sort();

/** The name of a block of `tier` whose span covers `t` (an hourly block, or a merged day). */
async function blockCovering(tier: string, t: number): Promise<string | undefined> {
  return (await blockNames()).find((n) => {
    const [kind, start, end] = n.split('-');
    return kind === tier && Number(start) <= t && t < Number(end);
  });
}

describe('metric store blocks', () => {
  it('flushes to an L0 block; the head keeps only open chunks; everything reads back after a restart', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const list = samples('cpu', T0, T0 + 20 * MINUTE_MS, 1000);
    await ingest(store, clock, 'a1', list);
    await store.flush();
    expect((await blockNames()).filter((n) => n.startsWith('l0-')).length).toBeGreaterThan(0);
    const head = store.head.headStats();
    expect(head.rows).toBeLessThan(240); // at most the open chunk (and one closed since)
    expect(readAll(store, 'cpu')).toEqual(list.map((s) => [s.ts, s.value]));
    await store.close();
    const again = await openStore(clock);
    expect(readAll(again, 'cpu')).toEqual(list.map((s) => [s.ts, s.value]));
    await again.close();
  });

  it('compacts closed hours into raw and 1-minute blocks; queries read the same before and after', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const list = samples('cpu', T0, T0 + 2 * HOUR_MS, 1000);
    await ingest(store, clock, 'a1', list);
    const series = [...store.seriesOf('cpu')][0]!;
    const before = store.buckets(series, '1m', T0, T0 + 2 * HOUR_MS);
    expect(before).toEqual(expectedBuckets(list, MINUTE_MS));
    // Past the first hour's end + the out-of-order window + a flush: it is compacted.
    clock.advance(30 * MINUTE_MS);
    await store.flush();
    await store.maintain();
    const names = await blockNames();
    expect(names.some((n) => n.startsWith(`raw-${T0}-`))).toBe(true);
    expect(await blockCovering('1m', T0)).toBeDefined();
    expect(store.buckets(series, '1m', T0, T0 + 2 * HOUR_MS)).toEqual(before);
    expect(store.buckets(series, '1h', T0, T0 + 2 * HOUR_MS)).toEqual(
      expectedBuckets(list, HOUR_MS),
    );
    expect(readAll(store, 'cpu')).toEqual(list.map((s) => [s.ts, s.value]));
    await store.close();
    const again = await openStore(clock);
    const s2 = [...again.seriesOf('cpu')][0]!;
    expect(again.buckets(s2, '1m', T0, T0 + 2 * HOUR_MS)).toEqual(before);
    expect(readAll(again, 'cpu')).toEqual(list.map((s) => [s.ts, s.value]));
    await again.close();
  });

  it('merges a day of 1-minute blocks into one, with its 1-hour buckets; data past raw retention stays as buckets', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const list = samples('disk', T0, T0 + 26 * HOUR_MS, 30_000);
    await ingest(store, clock, 'a1', list);
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    const names = await blockNames();
    const day = T0 - (T0 % DAY);
    // The first day is one merged block: no hourly 1-minute blocks are left for it.
    expect(names.filter((n) => n.startsWith(`1m-${day}-${day + DAY}-`))).toHaveLength(1);
    expect(
      names.filter((n) => n.startsWith('1m-') && Number(n.split('-')[1]) < day + DAY),
    ).toHaveLength(1);
    // Its 1-hour buckets are in a 1-hour block that covers it (with the next day's: the days
    // of a 30-day span are merged as they come).
    const hourly = (await blockCovering('1h', day))?.split('-');
    expect(Number(hourly?.[2])).toBeGreaterThanOrEqual(day + DAY);
    // Raw blocks older than 6 h are gone; their hours are still there as buckets.
    const rawStarts = names.filter((n) => n.startsWith('raw-')).map((n) => Number(n.split('-')[1]));
    expect(Math.min(...rawStarts)).toBeGreaterThanOrEqual(
      clock.now() - OPTS.retention.rawMs - HOUR_MS,
    );
    const series = [...store.seriesOf('disk')][0]!;
    const early = list.filter((s) => s.ts < T0 + 3 * HOUR_MS);
    expect(store.buckets(series, '1m', T0, T0 + 3 * HOUR_MS)).toEqual(
      expectedBuckets(early, MINUTE_MS),
    );
    expect(store.buckets(series, '1h', T0, T0 + 3 * HOUR_MS)).toEqual(
      expectedBuckets(early, HOUR_MS),
    );
    expect(readAll(store, 'disk', T0, T0 + 3 * HOUR_MS)).toEqual([]);
    await store.close();
  });

  it('reads many series at once, block by block, the same as one by one (the forecasting input)', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    // Two days and a bit: merged daily blocks, hourly blocks, and hours still in the head.
    const end = T0 + 50 * HOUR_MS;
    const sent = new Map<string, Sample[]>();
    for (const [agent, name, every] of [
      ['a1', 'cpu', 60_000],
      ['a1', 'disk', 300_000],
      ['a2', 'cpu', 120_000],
    ] as const)
      sent.set(`${agent}/${name}`, samples(name, T0, end, every));
    for (let t = T0; t < end; t += HOUR_MS)
      for (const [key, list] of sent) {
        const [agent] = key.split('/');
        await ingest(
          store,
          clock,
          agent!,
          list.filter((s) => s.ts >= t && s.ts < t + HOUR_MS),
        );
      }
    await store.flush();
    await store.maintain();
    expect((await blockNames()).some((n) => n.startsWith('1h-'))).toBe(true);
    // Asked in an order unlike the series ids: answers come back in the order asked.
    const list = [...sent.keys()].reverse().map((key) => {
      const [agent, name] = key.split('/');
      return [...store.seriesOf(name!)].find((s) => s.agentId === agent)!;
    });
    for (const [tier, ms] of [
      ['1h', HOUR_MS],
      ['1m', MINUTE_MS],
    ] as const) {
      const many = store.bucketsOfMany(list, tier, T0, end);
      list.forEach((series, i) => {
        const key = [...sent.keys()].reverse()[i]!;
        expect(many[i]).toEqual(expectedBuckets(sent.get(key)!, ms));
        expect(many[i]).toEqual(store.buckets(series, tier, T0, end));
      });
    }
    await store.close();
  });

  it('deletes each tier past its retention, oldest data first', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const list = samples('mem', T0, T0 + 2 * HOUR_MS, 60_000);
    await ingest(store, clock, 'a1', list);
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    const series = [...store.seriesOf('mem')][0]!;
    // After the 1-minute retention (3 days) only 1-hour buckets are left. A pass already under
    // way (as after a flush) read the clock before: the call after the advance still gets one
    // that judges retention at the new time.
    void store.maintain();
    clock.advance(4 * DAY);
    await store.maintain();
    expect(store.buckets(series, '1h', T0, T0 + 2 * HOUR_MS)).toEqual(
      expectedBuckets(list, HOUR_MS),
    );
    expect((await blockNames()).filter((n) => n.startsWith('1m-') || n.startsWith('raw-'))).toEqual(
      [],
    );
    // After the 1-hour retention, nothing.
    void store.maintain();
    clock.advance(60 * DAY);
    await store.maintain();
    expect(store.buckets(series, '1h', T0, T0 + 2 * HOUR_MS)).toEqual([]);
    expect(await blockNames()).toEqual([]);
    await store.close();
  });

  it('keeps within the disk budget by deleting the oldest blocks first, and says so', async () => {
    const clock = new ManualClock(T0);
    const { seen, observer } = recorder();
    const store = await openStore(clock, {}, observer);
    await ingest(store, clock, 'a1', samples('cpu', T0, T0 + 4 * HOUR_MS, 1000));
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    const used = seen.used;
    expect(used).toBeGreaterThan(0);
    await store.close();
    const tight = await openStore(clock, { diskBudgetBytes: Math.floor(used / 2) }, observer);
    expect(seen.deleted.length).toBeGreaterThan(0);
    expect(seen.used).toBeLessThanOrEqual(Math.floor(used / 2));
    const deletedNewest = Math.max(...seen.deleted.map((b) => b.maxTs));
    const keptOldest = Math.min(
      ...(await blockNames()).map((n) => Number(n.split('-')[1])).filter((n) => Number.isFinite(n)),
    );
    expect(deletedNewest).toBeLessThan(keptOldest + HOUR_MS);
    await tight.close();
  });

  it('an idle series leaves memory at the next flush; its history stays readable', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const list = samples('gone', T0, T0 + 10 * MINUTE_MS, 1000);
    await ingest(store, clock, 'old-host', list);
    expect(store.head.headStats().active).toBe(1);
    clock.advance(2 * HOUR_MS);
    await store.flush();
    expect(store.head.headStats()).toMatchObject({ active: 0, rows: 0, bytes: 0 });
    expect(readAll(store, 'gone')).toEqual(list.map((s) => [s.ts, s.value]));
    await store.close();
  });

  it('compacts an hour again when older samples arrive after it was compacted', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const a = samples('cpu', T0, T0 + HOUR_MS, 10_000);
    await ingest(store, clock, 'a1', a);
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    // A second agent reconnects and sends the same hour (in order for its own series).
    const b = samples('cpu', T0, T0 + HOUR_MS, 20_000);
    const r = store.append('a2', b);
    clock.advance(OPTS.walFlushMs);
    await r.durable;
    await store.flush();
    await store.maintain();
    const [s1, s2] = [...store.seriesOf('cpu')];
    expect(store.buckets(s1!, '1m', T0, T0 + HOUR_MS)).toEqual(expectedBuckets(a, MINUTE_MS));
    expect(store.buckets(s2!, '1m', T0, T0 + HOUR_MS)).toEqual(expectedBuckets(b, MINUTE_MS));
    // One current raw and one 1-minute block for the hour, not two of each.
    const names = await blockNames();
    expect(names.filter((n) => n.startsWith(`raw-${T0}-`))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('l0-'))).toEqual([]);
    await store.close();
  });

  it('sets aside a torn block at start and reports it; a damaged chunk is skipped and reported', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    await ingest(store, clock, 'a1', samples('cpu', T0, T0 + 2 * HOUR_MS, 1000));
    await ingest(store, clock, 'a2', samples('mem', T0, T0 + 2 * HOUR_MS, 1000));
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    await store.close();
    const blocks = join(dir(), 'tsdb', 'blocks');
    const raw = (await blockNames()).find((n) => n.startsWith(`raw-${T0}-`))!;
    const m1 = (await blockCovering('1m', T0))!;
    // Tear the raw block (its footer is gone), flip a byte in the first chunk of the 1m block.
    const size = (await readFile(join(blocks, raw))).length;
    await truncate(join(blocks, raw), size - 20);
    const bytes = await readFile(join(blocks, m1));
    bytes[48 + 5]! ^= 0xff;
    await writeFile(join(blocks, m1), bytes);

    const { seen, observer } = recorder();
    const again = await openStore(clock, {}, observer);
    expect(seen.damaged.some((d) => d.includes(raw) && d.includes('torn'))).toBe(true);
    expect(await readdir(blocks)).toContain(`${raw}.damaged`);
    const [cpu, mem] = [...again.seriesOf('cpu'), ...again.seriesOf('mem')];
    const cpuBuckets = again.buckets(cpu!, '1m', T0, T0 + HOUR_MS);
    const memBuckets = again.buckets(mem!, '1m', T0, T0 + HOUR_MS);
    // The series whose chunk was damaged reads nothing for that hour; the other is whole.
    expect([cpuBuckets.length, memBuckets.length].sort()).toEqual([0, 60]);
    expect(seen.damaged.some((d) => d.includes(m1) && d.includes('checksum'))).toBe(true);
    await again.close();
  });

  it('a block left behind by a crash between a re-compaction and the removal of the old one is swept', async () => {
    const clock = new ManualClock(T0);
    const store = await openStore(clock);
    const a = samples('cpu', T0, T0 + HOUR_MS, 10_000);
    await ingest(store, clock, 'a1', a);
    clock.advance(HOUR_MS);
    await store.flush();
    await store.maintain();
    const blocks = join(dir(), 'tsdb', 'blocks');
    const old = (await blockNames()).find((n) => n.startsWith(`raw-${T0}-`))!;
    const bytes = await readFile(join(blocks, old));
    // More samples of that hour: it is compacted again, and the old raw block goes.
    const b = samples('cpu', T0, T0 + HOUR_MS, 20_000);
    const r = store.append('a2', b);
    clock.advance(OPTS.walFlushMs);
    await r.durable;
    await store.flush();
    await store.maintain();
    expect(await blockNames()).not.toContain(old);
    await store.close();
    // As if the process died before the old block was deleted.
    await writeFile(join(blocks, old), bytes);
    const again = await openStore(clock);
    expect(await blockNames()).not.toContain(old);
    expect((await blockNames()).filter((n) => n.startsWith(`raw-${T0}-`))).toHaveLength(1);
    expect(readAll(again, 'cpu', T0, T0 + HOUR_MS)).toHaveLength(a.length + b.length);
    await again.close();
  });
});

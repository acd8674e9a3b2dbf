// Figures for the metric store (issue 8): RSS over hours of simulated time, memory per active
// series, bytes on disk per sample and per rollup point, query latency cold and warm, the
// forecasting input (30 d of 1 h rollups for 1,000 series), and start-up after a crash.
// The store runs as in the console (compiled, so compaction runs in its worker thread); a
// manual clock drives time, so hours take minutes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../shared/clock.js';
import type { Sample } from '../shared/protocol.js';
import { silentLogger } from '../electron/core/logger.js';
import { MetricStore, type MetricStoreOptions } from '../electron/core/store/metric-store.js';
import { queryRange } from '../electron/core/store/query.js';
import { DEFAULT_RETENTION, HOUR_MS, MINUTE_MS } from '../electron/core/store/tsdb.js';
import type { WriteAheadLog } from '../electron/core/store/wal.js';
import { ms, percentile, type BenchOptions, type Figure, type Section } from './harness.js';

const MB = 2 ** 20;
const DAY_MS = 24 * HOUR_MS;

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 1_000,
  retention: DEFAULT_RETENTION,
  walFlushMs: 50,
  checkpointEveryMs: 5 * MINUTE_MS,
  checkpointWalBytes: 256 * MB,
  outOfOrderWindowMs: HOUR_MS,
  diskBudgetBytes: 100 * 2 ** 30,
  headIdleMs: HOUR_MS,
};

/** A seeded uniform [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/**
 * One agent's batch: 20 series as a fleet's gauges look (reported at their unit's precision,
 * as the reference agent does): noisy percentages, slowly filling disks, latencies, counters.
 */
class FleetGenerator {
  private readonly random = prng(42);
  private readonly disk: Float64Array;
  private readonly counters: Float64Array;
  readonly batches: Sample[][];

  constructor(
    readonly agents: number,
    readonly seriesPerAgent = 20,
  ) {
    this.disk = Float64Array.from({ length: agents * 5 }, () => 20 + this.random() * 50);
    this.counters = new Float64Array(agents * 5);
    this.batches = Array.from({ length: agents }, () =>
      Array.from({ length: seriesPerAgent }, (_, k) => ({ name: `m${k}`, ts: 0, value: 0 })),
    );
  }

  fill(agent: number, ts: number): Sample[] {
    const r = this.random;
    const batch = this.batches[agent]!;
    const daily = Math.sin((ts / DAY_MS) * 2 * Math.PI + agent);
    for (let k = 0; k < batch.length; k++) {
      const s = batch[k]!;
      s.ts = ts;
      const kind = k % 4;
      const i = agent * 5 + (k >> 2);
      let v: number;
      if (kind === 0) v = Math.round((40 + 12 * daily + (r() - 0.5) * 14) * 100) / 100;
      else if (kind === 1)
        v = Math.round((this.disk[i] = Math.min(99, this.disk[i]! + 0.0004 * r())) * 100) / 100;
      else if (kind === 2) v = Math.round((120 + 40 * daily + (r() - 0.5) * 50) * 10) / 10;
      else v = this.counters[i] = this.counters[i]! + Math.round(r() * 500);
      s.value = v;
    }
    return batch;
  }
}

interface Soak {
  store: MetricStore;
  clock: ManualClock;
  dir: string;
  rss: { hours: number; rssMb: number }[];
  appendCpuUs: number;
  samples: number;
}

/** `agents` × 20 series at 1 sample/s for `hours` of simulated time. */
async function soak(agents: number, hours: number, start: number): Promise<Soak> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-bench-store-'));
  const clock = new ManualClock(start);
  const store = new MetricStore(dir, { clock, logger: silentLogger }, OPTS);
  await store.open();
  const gen = new FleetGenerator(agents);
  const rss: Soak['rss'] = [];
  let cpu = 0;
  let samples = 0;
  const seconds = hours * 3_600;
  for (let s = 0; s < seconds; s++) {
    const ts = clock.now();
    const before = process.cpuUsage();
    let durable: Promise<void> = Promise.resolve();
    for (let a = 0; a < agents; a++) durable = store.append(`agt-${a}`, gen.fill(a, ts)).durable;
    const used = process.cpuUsage(before);
    cpu += used.user + used.system;
    samples += agents * gen.seriesPerAgent;
    clock.advance(1_000);
    // Acks wait for fsync: every 10 simulated seconds the loop waits for the WAL to catch up
    // (one fsync per simulated second would make this a test of the disk, not of the store).
    if (s % 10 === 9) await durable;
    if (s % 600 === 0) {
      await store.flushing;
      global.gc?.();
      rss.push({ hours: s / 3_600, rssMb: process.memoryUsage().rss / MB });
      if (s % 3_600 === 0) {
        // RSS against the JS heap (all threads' heaps are in RSS; these figures are this
        // thread's) and memory outside it, to tell heap growth from allocator slack.
        const m = process.memoryUsage();
        process.stderr.write(
          `  storage: ${s / 3_600} h simulated, RSS ${rss.at(-1)!.rssMb.toFixed(0)} MB (heap ${(m.heapUsed / MB).toFixed(0)} of ${(m.heapTotal / MB).toFixed(0)} MB, external ${(m.external / MB).toFixed(0)} MB)\n`,
        );
      }
    }
  }
  await store.flushing;
  await store.maintain();
  global.gc?.();
  rss.push({ hours, rssMb: process.memoryUsage().rss / MB });
  return { store, clock, dir, rss, appendCpuUs: cpu / samples, samples };
}

/** RSS vs time, bytes per sample and per rollup point, start-up after a crash, query latency. */
export async function storageSoak({ quick }: BenchOptions): Promise<Section> {
  const HOURS = Number(process.env.BENCH_SOAK_HOURS ?? (quick ? 3 : 6));
  const AGENTS = Number(process.env.BENCH_SOAK_AGENTS ?? (quick ? 20 : 1_000));
  const start = Math.floor((Date.now() - HOURS * HOUR_MS - HOUR_MS) / HOUR_MS) * HOUR_MS;
  const run = await soak(AGENTS, HOURS, start);
  const { store, clock, dir } = run;
  const report = await store.storageReport();
  const tier = (t: string) => report.tiers.find((x) => x.tier === t)!;
  const perPoint = (t: string) => (tier(t).rows ? (tier(t).bytes / tier(t).rows).toFixed(2) : '—');
  // After the head window, RSS should stay flat: compare the last hours.
  const after = run.rss.filter((r) => r.hours >= 2);
  const peak = Math.max(...run.rss.map((r) => r.rssMb));
  const slopePerHour =
    after.length >= 2
      ? (after.at(-1)!.rssMb - after[0]!.rssMb) / (after.at(-1)!.hours - after[0]!.hours)
      : 0;
  const at3h = run.rss.find((r) => r.hours >= 3)?.rssMb ?? run.rss.at(-1)!.rssMb;

  // Crash: the WAL is left as it is (no final flush), then the store is opened again.
  await (store as unknown as { wal: WriteAheadLog }).wal.close();
  const reopenStarted = performance.now();
  const again = new MetricStore(dir, { clock, logger: silentLogger }, OPTS);
  const opened = await again.open();
  const startupMs = performance.now() - reopenStarted;

  // Query 24 h (as much as there is) of one series at the API's default resolution, and at
  // the finest the raw tier serves; cold = the first query after the restart.
  const series = [...again.seriesOf('m0')].find((s) => s.agentId === 'agt-7')!;
  const now = clock.now();
  const q = (from: number, step: number) =>
    queryRange(
      again,
      {
        metric: 'm0',
        agentIds: new Set(['agt-7']),
        labels: {},
        from,
        to: now,
        step,
        agg: 'avg',
        perSeries: true,
      },
      now,
    );
  const timeQuery = (from: number, step: number) => {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      q(from, step);
      times.push(performance.now() - t0);
    }
    return times;
  };
  const cold0 = performance.now();
  q(now - DAY_MS, 288_000);
  const coldMs = performance.now() - cold0;
  const warm = timeQuery(now - DAY_MS, 288_000);
  const rawWarm = timeQuery(now - OPTS.retention.rawMs, 1_000);
  void series;
  await again.close();
  await rm(dir, { recursive: true, force: true });

  const figures: Figure[] = [
    {
      name: `simulated`,
      value: `${AGENTS.toLocaleString('en')} agents × 20 series at 1 sample/s (${((AGENTS * 20) / 1000).toFixed(0)}k samples/s) for ${HOURS} h`,
    },
    ...run.rss
      .filter((r) => Number.isInteger(r.hours))
      .map((r) => ({ name: `RSS at ${r.hours} h`, value: `${r.rssMb.toFixed(0)} MB` })),
    {
      name: 'RSS at 3 h',
      value: `${at3h.toFixed(0)} MB`,
      target: '≤ 500 MB',
      met: at3h <= 500,
    },
    { name: 'peak RSS', value: `${peak.toFixed(0)} MB` },
    {
      name: 'RSS growth after the head window (2 h on)',
      value: `${slopePerHour.toFixed(1)} MB/h`,
      note: 'flat means bounded by active series',
    },
    {
      name: 'extrapolated RSS at 24 h',
      value: `${(run.rss.at(-1)!.rssMb + slopePerHour * (24 - HOURS)).toFixed(0)} MB`,
    },
    {
      name: 'store CPU per sample (append + WAL line, ingest thread)',
      value: `${run.appendCpuUs.toFixed(2)} µs`,
    },
    {
      name: 'raw on disk per sample (compacted hours)',
      value:
        report.rawBytesPerSample === null ? '—' : `${report.rawBytesPerSample.toFixed(2)} bytes`,
      target: '≤ 2 bytes',
      met: report.rawBytesPerSample !== null && report.rawBytesPerSample <= 2,
    },
    { name: '1-minute rollup point on disk', value: `${perPoint('1m')} bytes` },
    { name: '1-hour rollup point on disk', value: `${perPoint('1h')} bytes` },
    {
      name: 'on disk in total',
      value: `${(report.totalBytes / MB).toFixed(0)} MB (raw ${(tier('raw').bytes / MB).toFixed(0)}, 1m ${(tier('1m').bytes / MB).toFixed(1)}, 1h ${(tier('1h').bytes / MB).toFixed(2)})`,
    },
    {
      name: `start-up after a crash (${HOURS} h of data; ${opened.lines.toLocaleString('en')} WAL batches replayed)`,
      value: ms(startupMs),
      target: '≤ 5 s',
      met: startupMs <= 5_000,
    },
    {
      name: `query ${Math.min(24, HOURS)} h of one series (24 h range, 300 points), cold after restart`,
      value: ms(coldMs),
    },
    {
      name: '… warm: p50 / p99 of 50',
      value: `${ms(percentile(warm, 50))} / ${ms(percentile(warm, 99))}`,
      target: '≤ 20 / ≤ 50 ms',
      met: percentile(warm, 50) <= 20 && percentile(warm, 99) <= 50 && coldMs <= 50,
    },
    {
      name: 'query 6 h of raw samples of one series (1 s step → 2,000 points): p50 / p99',
      value: `${ms(percentile(rawWarm, 50))} / ${ms(percentile(rawWarm, 99))}`,
    },
  ];
  return {
    title: 'Metric store: RSS over time, disk, start-up, queries',
    command: 'npm run bench -- storage (BENCH_SOAK_HOURS, BENCH_SOAK_AGENTS to resize)',
    figures,
  };
}

/** Memory per active series at 100k series, 1 sample/s, after 2 min (as measured for Prometheus) and 10 min. */
export async function memoryPerSeries({ quick }: BenchOptions): Promise<Section> {
  const AGENTS = quick ? 50 : 1_000;
  const PER_AGENT = 100;
  const dir = await mkdtemp(join(tmpdir(), 'meridian-bench-series-'));
  const clock = new ManualClock(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS);
  global.gc?.();
  const base = process.memoryUsage();
  const store = new MetricStore(dir, { clock, logger: silentLogger }, OPTS);
  await store.open();
  const gen = new FleetGenerator(AGENTS, PER_AGENT);
  const at: Record<number, NodeJS.MemoryUsage> = {};
  for (let s = 1; s <= 600; s++) {
    const ts = clock.now();
    let durable: Promise<void> = Promise.resolve();
    for (let a = 0; a < AGENTS; a++) durable = store.append(`agt-${a}`, gen.fill(a, ts)).durable;
    clock.advance(1_000);
    if (s % 10 === 0) await durable;
    if (s === 120 || s === 600) {
      await store.flushing;
      global.gc?.();
      at[s] = process.memoryUsage();
    }
  }
  const series = AGENTS * PER_AGENT;
  await store.close();
  await rm(dir, { recursive: true, force: true });
  const perSeries = (s: number, k: keyof NodeJS.MemoryUsage) => (at[s]![k] - base[k]) / series;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
  // Where RSS goes: the JS heap V8 reserved (heapTotal) and used, memory outside it (typed
  // arrays' buffers and the like), and the rest: allocator slack, code, thread stacks.
  const split = (s: number) =>
    `heap used ${perSeries(s, 'heapUsed').toFixed(0)} B of ${perSeries(s, 'heapTotal').toFixed(0)} B reserved, external ${perSeries(s, 'external').toFixed(0)} B (array buffers ${perSeries(s, 'arrayBuffers').toFixed(0)} B)`;
  return {
    title: 'Metric store: memory per active series',
    command: 'npm run bench -- series',
    figures: [
      { name: 'series', value: series.toLocaleString('en') },
      {
        name: 'RSS per series after 2 min at 1 sample/s',
        value: kb(perSeries(120, 'rss')),
        target: '≤ 3 KB',
        met: perSeries(120, 'rss') / 1024 <= 3,
        note: split(120),
      },
      {
        name: '… after 10 min (flushes under way)',
        value: kb(perSeries(600, 'rss')),
        note: split(600),
      },
    ],
  };
}

/** The forecasting input: 30 d of 1 h rollups for 1,000 series. */
export async function forecastInput({ quick }: BenchOptions): Promise<Section> {
  const SERIES = quick ? 100 : 1_000;
  const dir = await mkdtemp(join(tmpdir(), 'meridian-bench-30d-'));
  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const clock = new ManualClock(end - 31 * DAY_MS);
  const store = new MetricStore(dir, { clock, logger: silentLogger }, OPTS);
  await store.open();
  const gen = new FleetGenerator(SERIES / 20);
  // One sample every 5 min: enough to fill every 1-minute and 1-hour bucket span cheaply.
  while (clock.now() < end) {
    const ts = clock.now();
    let durable: Promise<void> = Promise.resolve();
    for (let a = 0; a < SERIES / 20; a++)
      durable = store.append(`agt-${a}`, gen.fill(a, ts)).durable;
    clock.advance(5 * MINUTE_MS);
    await durable;
    await store.flushing;
  }
  await store.flush();
  await store.maintain();
  const all = [...store.head.all()];
  const from = end - 30 * DAY_MS;
  // The forecaster's input: columns per series (no object per bucket). The buckets as objects
  // (with sketches; what query_range and percentiles read) are timed too, for comparison.
  const columns: number[] = [];
  const objects: number[] = [];
  let points = 0;
  for (let r = 0; r < 5; r++) {
    let t0 = performance.now();
    points = 0;
    for (const c of store.bucketColumnsOfMany(all, '1h', from, end)) points += c.length;
    columns.push(performance.now() - t0);
    t0 = performance.now();
    let asObjects = 0;
    for (const b of store.bucketsOfMany(all, '1h', from, end)) asObjects += b.length;
    objects.push(performance.now() - t0);
    if (asObjects !== points)
      throw new Error(`${asObjects} buckets as objects, ${points} as columns`);
  }
  const files = (store.lastMaintain?.blocks ?? []).filter(
    (b) => b.tier === '1h' && b.end > from,
  ).length;
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return {
    title: 'Metric store: the forecasting input',
    command: 'npm run bench -- forecast-input',
    figures: [
      {
        name: 'series × 30 d of 1 h buckets',
        value: `${all.length.toLocaleString('en')} series, ${points.toLocaleString('en')} buckets`,
      },
      {
        name: '1-hour block files read (30-day spans merged as days complete)',
        value: String(files),
      },
      {
        name: 'read time, as columns: p50 of 5 (first: cold)',
        value: `${ms(percentile(columns, 50))} (first ${ms(columns[0]!)})`,
        target: '≤ 1 s',
        met: percentile(columns, 50) <= 1_000,
      },
      {
        name: 'read time, as bucket objects: p50 of 5 (first)',
        value: `${ms(percentile(objects, 50))} (first ${ms(objects[0]!)})`,
      },
    ],
  };
}

import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import type { Logger } from '../../electron/core/logger.js';
import {
  CHECKPOINT_FILE,
  readCheckpoint,
  writeCheckpoint,
} from '../../electron/core/store/checkpoint.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import type { Bucket } from '../../electron/core/store/rollup.js';
import {
  DEFAULT_RETENTION,
  MINUTE_MS,
  TimeSeriesStore,
  type Series,
} from '../../electron/core/store/tsdb.js';
import { encodeLine, WriteAheadLog } from '../../electron/core/store/wal.js';

/** Hour-aligned. */
const T0 = 1_699_999_200_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

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
    const bytes = await writeCheckpoint(dir, store, 7, T0 + 1);
    expect(bytes).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual([CHECKPOINT_FILE]);
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(dir, fresh)).toEqual({ walSegment: 7, series: 3 });
    expect(view(fresh)).toEqual(view(store));
    expect(fresh.stats().samples).toBe(3602);
    expect(fresh.seriesCount('a1')).toBe(2);
    expect(fresh.seriesCount('a2')).toBe(1);
    expect(fresh.metricNames()).toEqual(['cpu', 'mem']);
    expect([...fresh.seriesOf('cpu')].length).toBe(2);
  });

  it('reads nothing from a directory without a checkpoint', async () => {
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(join(dir, 'none'), fresh)).toEqual({ walSegment: 0, series: 0 });
    expect(fresh.seriesCount()).toBe(0);
  });

  it('appending after a restore continues the series: lastTs is a duplicate, later samples extend', async () => {
    const store = filledStore();
    await writeCheckpoint(dir, store, 1, T0);
    const fresh = new TimeSeriesStore(100);
    await readCheckpoint(dir, fresh);
    const cpu = find(fresh, 'a1', 'cpu');
    expect(cpu.lastTs).toBe(T0 + 2_999_000);
    expect(fresh.append('a1', [{ name: 'cpu', ts: T0 + 2_999_000, value: 5 }])).toEqual({
      accepted: 0,
      duplicates: 1,
      outOfOrder: 0,
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
    await writeCheckpoint(dir, store, 1, T0);
    const fresh = new TimeSeriesStore(10);
    await readCheckpoint(dir, fresh);
    fresh.append('a1', [{ name: 'cpu', ts: T0 + 3000, value: 6 }]);
    const cpu = find(fresh, 'a1', 'cpu');
    const one = { start: T0, min: 1, max: 6, sum: 9, count: 3, last: 6 };
    expect.soft(tier(cpu.minute)).toEqual([one]);
    expect.soft(tier(cpu.hour)).toEqual([one]);
  });

  it('captures the head when called: samples appended while it is written are not in it', async () => {
    const store = filledStore();
    const writing = writeCheckpoint(dir, store, 3, T0);
    store.append('a1', [{ name: 'cpu', ts: T0 + 10_000_000, value: 1 }]);
    store.append('a3', [{ name: 'disk', ts: T0, value: 1 }]);
    await writing;
    const fresh = new TimeSeriesStore(100);
    expect(await readCheckpoint(dir, fresh)).toEqual({ walSegment: 3, series: 3 });
    expect(find(fresh, 'a1', 'cpu').lastTs).toBe(T0 + 2_999_000);
    expect(fresh.stats().samples).toBe(3602);
  });
});

// --- MetricStore ---------------------------------------------------------------------------

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: DEFAULT_RETENTION,
  walFlushMs: 5,
  checkpointEveryMs: 24 * 3_600_000,
  checkpointWalBytes: 1e12,
};

function recordingLogger() {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => warnings.push([msg, fields]),
    error() {},
  };
  return { logger, warnings };
}

function batch(seq: number, from: number, n: number, name = 'cpu'): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ name, ts: from + i * 1000, value: seq * 100 + i }));
}

async function openStore(clock: ManualClock, logger?: Logger) {
  const store = new MetricStore(dir, { clock, logger: logger ?? recordingLogger().logger }, OPTS);
  await store.open();
  return store;
}

/** Append a batch and wait until it is durable (the manual clock drives the group commit). */
async function appendDurable(
  store: MetricStore,
  clock: ManualClock,
  agent: string,
  samples: Sample[],
) {
  const r = store.append(agent, samples);
  clock.advance(OPTS.walFlushMs);
  await r.durable;
  return r.outcome;
}

/** A kill: the WAL file is closed, no final checkpoint is written. */
async function crash(store: MetricStore): Promise<void> {
  await (store as unknown as { wal: WriteAheadLog }).wal.close();
}

async function lastSegment(store: MetricStore): Promise<string> {
  const names = (await readdir(store.dir)).filter((n) => n.startsWith('wal-')).sort();
  return join(store.dir, names.at(-1)!);
}

function allRaw(store: MetricStore): [string, string, number, number][] {
  const out: [string, string, number, number][] = [];
  for (const s of store.head.all())
    s.forEachRaw(-Infinity, Infinity, (ts, v) => out.push([s.agentId, s.name, ts, v]));
  return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2] - b[2]);
}

function expectedRaw(agent: string, ...batches: Sample[][]): [string, string, number, number][] {
  return batches
    .flat()
    .map((s) => [agent, s.name, s.ts, s.value] as [string, string, number, number])
    .sort((a, b) => a[1].localeCompare(b[1]) || a[2] - b[2]);
}

describe('MetricStore', () => {
  it('open, append, close, open again: the data survives', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    expect(s1.lastOpen).toEqual({ lines: 0, corrupt: 0, segments: 0, checkpointSeries: 0, ms: 0 });
    const b1 = batch(1, T0, 5);
    const b2 = batch(2, T0 + 5000, 5, 'mem');
    expect(await appendDurable(s1, clock, 'a1', b1)).toEqual({
      accepted: 5,
      duplicates: 0,
      outOfOrder: 0,
      overLimit: 0,
    });
    await appendDurable(s1, clock, 'a1', b2);
    await s1.close();

    const s2 = await openStore(clock);
    expect(s2.lastOpen).toMatchObject({ checkpointSeries: 2, lines: 0, corrupt: 0 });
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2));
    await s2.close();
  });

  it('a crash with no checkpoint: the WAL alone brings every durable batch back', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 4);
    const b2 = batch(2, T0 + 4000, 4);
    const b3 = [{ name: 'cpu', labels: { core: '1' }, ts: T0, value: 0.125 }];
    await appendDurable(s1, clock, 'a1', b1);
    await appendDurable(s1, clock, 'a2', b2);
    await appendDurable(s1, clock, 'a2', b3);
    await crash(s1);
    const s2 = await openStore(clock);
    expect(s2.lastOpen).toMatchObject({ checkpointSeries: 0, corrupt: 0, segments: 1 });
    expect(allRaw(s2)).toEqual([...expectedRaw('a1', b1), ...expectedRaw('a2', b2, b3)]);
    const labelled = [...s2.head.seriesForAgent('a2')].find((s) => s.labels.core === '1')!;
    expect(labelled.labels).toEqual({ core: '1' });
    expect(s2.head.seriesCount()).toBe(3);
    await s2.close();
  });

  it('checkpoint, more appends, close, reopen: every sample present exactly once', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 10);
    const b2 = batch(2, T0 + 10_000, 10);
    const b3 = batch(3, T0 + 20_000, 10);
    await appendDurable(s1, clock, 'a1', b1);
    await s1.checkpoint();
    expect(s1.checkpoints).toBe(1);
    await appendDurable(s1, clock, 'a1', b2);
    // A resend of a batch already in the checkpoint is stored once.
    expect(await appendDurable(s1, clock, 'a1', b1)).toMatchObject({
      accepted: 0,
      duplicates: 10,
    });
    await appendDurable(s1, clock, 'a1', b3);
    await s1.close();

    const s2 = await openStore(clock);
    expect(s2.head.stats().samples).toBe(30);
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2, b3));
    await s2.close();
  });

  it('checkpoint, more appends, crash, reopen: the checkpoint plus the WAL after it, once each', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 10);
    const b2 = batch(2, T0 + 10_000, 10);
    const b3 = batch(3, T0 + 20_000, 10);
    const m1 = batch(4, T0 + 20_000, 3, 'mem');
    await appendDurable(s1, clock, 'a1', b1);
    await appendDurable(s1, clock, 'a1', b2);
    await s1.checkpoint();
    // The WAL segment the checkpoint covers is gone; the current one is left.
    expect((await readdir(s1.dir)).sort()).toEqual([CHECKPOINT_FILE, 'wal-00000002.ndjson']);
    await appendDurable(s1, clock, 'a1', b2); // resend: duplicates, not logged
    await appendDurable(s1, clock, 'a1', b3); // a series from before the checkpoint
    await appendDurable(s1, clock, 'a1', m1); // a series created after it
    await crash(s1);

    const s2 = await openStore(clock);
    expect(s2.lastOpen).toMatchObject({ checkpointSeries: 1, corrupt: 0, segments: 1 });
    expect(s2.head.stats().samples).toBe(33);
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2, b3, m1));
    // New samples after the restart extend the same series (no duplicate series).
    const b4 = batch(5, T0 + 30_000, 2);
    await appendDurable(s2, clock, 'a1', b4);
    expect(s2.head.seriesCount('a1')).toBe(2);
    // And once more through a clean close.
    await s2.close();
    const s3 = await openStore(clock);
    expect(allRaw(s3)).toEqual(expectedRaw('a1', b1, b2, b3, b4, m1));
    expect(s3.head.seriesCount('a1')).toBe(2);
    await s3.close();
  });

  it('two crashes in a row with no checkpoint between: everything replays once', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 3);
    await appendDurable(s1, clock, 'a1', b1);
    await crash(s1);
    const s2 = await openStore(clock);
    const b2 = batch(2, T0 + 3000, 3);
    const m1 = batch(3, T0, 2, 'mem');
    await appendDurable(s2, clock, 'a1', b2);
    await appendDurable(s2, clock, 'a1', m1);
    await crash(s2);
    const s3 = await openStore(clock);
    expect(s3.lastOpen).toMatchObject({ checkpointSeries: 0, corrupt: 0, segments: 2 });
    expect(allRaw(s3)).toEqual(expectedRaw('a1', b1, b2, m1));
    expect(s3.head.seriesCount('a1')).toBe(2);
    await s3.close();
  });

  it('skips a torn tail line of the WAL, counts it and loads the rest', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 3);
    const b2 = batch(2, T0 + 3000, 3);
    await appendDurable(s1, clock, 'a1', b1);
    await appendDurable(s1, clock, 'a1', b2);
    await crash(s1);
    // The start of a third line, cut short by the kill.
    const seg = await lastSegment(s1);
    await appendFile(seg, encodeLine('B\t0,1700000000000,1;0,1000,2').slice(0, 15));

    const { logger, warnings } = recordingLogger();
    const s2 = await openStore(clock, logger);
    expect(s2.lastOpen).toMatchObject({ corrupt: 1, segments: 1, checkpointSeries: 0 });
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2));
    expect(warnings).toEqual([['WAL lines skipped on replay (torn or corrupt)', { corrupt: 1 }]]);
    // The torn segment is not appended to: new batches go to a fresh segment.
    const b3 = batch(3, T0 + 6000, 3);
    await appendDurable(s2, clock, 'a1', b3);
    await crash(s2);
    expect(await lastSegment(s2)).not.toBe(seg);
    const s3 = await openStore(clock);
    expect(s3.lastOpen).toMatchObject({ corrupt: 1, segments: 2 });
    expect(allRaw(s3)).toEqual(expectedRaw('a1', b1, b2, b3));
    await s3.close();
  });

  it('skips garbage appended to the WAL', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 3);
    await appendDurable(s1, clock, 'a1', b1);
    await crash(s1);
    await appendFile(await lastSegment(s1), '\u0000\u0000\u0000garbage\n{"half":');
    const s2 = await openStore(clock);
    expect(s2.lastOpen).toMatchObject({ corrupt: 2 });
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1));
    await s2.close();
  });

  it('a batch with nothing accepted is not logged and is durable at once', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 2);
    await appendDurable(s1, clock, 'a1', b1);
    const bytes = s1.walBytes;
    expect(bytes).toBeGreaterThan(0);
    await appendDurable(s1, clock, 'a1', b1);
    expect(s1.walBytes).toBe(bytes);
    await s1.close();
  });

  it('onStored sees only stored samples', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const seen: number[] = [];
    const b1 = batch(1, T0, 3);
    s1.append('a1', b1, (_s, sample) => seen.push(sample.ts));
    const r = s1.append('a1', [...b1, ...batch(2, T0 + 3000, 1)], (_s, sample) =>
      seen.push(sample.ts),
    );
    expect(seen).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
    clock.advance(OPTS.walFlushMs);
    await r.durable;
    await s1.close();
  });

  it('a resent batch is not reported durable before the original batch is on disk', async () => {
    // The ack of a resend must not overtake the flush of the original: if it did, a crash
    // right after that ack would lose a batch the agent was told is stored.
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 2);
    const original = s1.append('a1', b1);
    const resend = s1.append('a1', b1);
    expect(resend.outcome).toMatchObject({ accepted: 0, duplicates: 2 });
    let originalDone = false;
    let resendDone = false;
    void original.durable.then(() => (originalDone = true));
    void resend.durable.then(() => (resendDone = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(originalDone).toBe(false);
    expect(resendDone).toBe(false);
    clock.advance(OPTS.walFlushMs);
    await Promise.all([original.durable, resend.durable]);
    await s1.close();
  });
});

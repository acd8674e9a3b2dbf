import { describe, it, expect } from 'vitest';
import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../shared/clock.js';
import type { Sample } from '../../shared/protocol.js';
import type { Logger } from '../../electron/core/logger.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../../electron/core/store/tsdb.js';
import { encodeLine, WriteAheadLog } from '../../electron/core/store/wal.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-checkpoint-');

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: DEFAULT_RETENTION,
  walFlushMs: 5,
  checkpointEveryMs: 24 * 3_600_000,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 0,
  diskBudgetBytes: 1e15,
  headIdleMs: 3_600_000,
  backend: 'inline',
};

function recordingLogger() {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => warnings.push([msg, fields]),
    error: (msg, fields) => warnings.push([msg, fields]),
  };
  return { logger, warnings };
}

function batch(seq: number, from: number, n: number, name = 'cpu'): Sample[] {
  return Array.from({ length: n }, (_, i) => ({ name, ts: from + i * 1000, value: seq * 100 + i }));
}

async function openStore(clock: ManualClock, logger?: Logger) {
  const store = new MetricStore(dir(), { clock, logger: logger ?? recordingLogger().logger }, OPTS);
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

/** Every stored sample, read the way queries read: blocks, chunks in flight and the head. */
function allRaw(store: MetricStore): [string, string, number, number][] {
  const out: [string, string, number, number][] = [];
  for (const s of store.head.all())
    store.raw(s, -Infinity, Infinity).forEach((ts, v) => out.push([s.agentId, s.name, ts, v]));
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
    expect(s1.lastOpen).toEqual({
      lines: 0,
      corrupt: 0,
      torn: 0,
      segments: 0,
      snapshotSeries: 0,
      migratedSeries: 0,
      orphanSamples: 0,
      blocks: 0,
      ms: 0,
    });
    const b1 = batch(1, T0, 5);
    const b2 = batch(2, T0 + 5000, 5, 'mem');
    expect(await appendDurable(s1, clock, 'a1', b1)).toEqual({
      accepted: 5,
      late: 0,
      duplicates: 0,
      tooOld: 0,
      overLimit: 0,
    });
    await appendDurable(s1, clock, 'a1', b2);
    await s1.close();

    const s2 = await openStore(clock);
    // A clean close flushed: the open chunks come back from the snapshot, no WAL to replay.
    expect(s2.lastOpen).toMatchObject({ snapshotSeries: 2, lines: 0, corrupt: 0 });
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
    expect(s2.lastOpen).toMatchObject({ snapshotSeries: 0, corrupt: 0, segments: 1 });
    expect(allRaw(s2)).toEqual([...expectedRaw('a1', b1), ...expectedRaw('a2', b2, b3)]);
    const labelled = [...s2.head.seriesForAgent('a2')].find((s) => s.labels.core === '1')!;
    expect(labelled.labels).toEqual({ core: '1' });
    expect(s2.head.seriesCount()).toBe(3);
    await s2.close();
  });

  it('flush, more appends, close, reopen: every sample present exactly once', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 10);
    const b2 = batch(2, T0 + 10_000, 10);
    const b3 = batch(3, T0 + 20_000, 10);
    await appendDurable(s1, clock, 'a1', b1);
    await s1.flush();
    expect(s1.flushes).toBe(1);
    await appendDurable(s1, clock, 'a1', b2);
    // A resend of a batch already in the checkpoint is stored once.
    expect(await appendDurable(s1, clock, 'a1', b1)).toMatchObject({
      accepted: 0,
      duplicates: 10,
    });
    await appendDurable(s1, clock, 'a1', b3);
    await s1.close();

    const s2 = await openStore(clock);
    expect(allRaw(s2)).toHaveLength(30);
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2, b3));
    await s2.close();
  });

  it('flush, more appends, crash, reopen: the snapshot plus the WAL after it, once each', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 10);
    const b2 = batch(2, T0 + 10_000, 10);
    const b3 = batch(3, T0 + 20_000, 10);
    const m1 = batch(4, T0 + 20_000, 3, 'mem');
    await appendDurable(s1, clock, 'a1', b1);
    await appendDurable(s1, clock, 'a1', b2);
    await s1.flush();
    // The WAL segment the flush covers is gone; the current one is left.
    expect((await readdir(s1.dir)).sort()).toEqual([
      'blocks',
      'head.snap',
      'series.ndjson',
      'wal-00000002.ndjson',
    ]);
    await appendDurable(s1, clock, 'a1', b2); // resend: duplicates, not logged
    await appendDurable(s1, clock, 'a1', b3); // a series from before the checkpoint
    await appendDurable(s1, clock, 'a1', m1); // a series created after it
    await crash(s1);

    const s2 = await openStore(clock);
    expect(s2.lastOpen).toMatchObject({ snapshotSeries: 1, corrupt: 0, segments: 1 });
    expect(allRaw(s2)).toHaveLength(33);
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
    expect(s3.lastOpen).toMatchObject({ snapshotSeries: 0, corrupt: 0, segments: 2 });
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
    expect(s2.lastOpen).toMatchObject({ corrupt: 0, torn: 1, segments: 1, snapshotSeries: 0 });
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1, b2));
    // A torn tail is what a crash mid-write leaves (never acked): counted, not an error.
    expect(warnings).toEqual([]);
    // The torn segment is not appended to: new batches go to a fresh segment.
    const b3 = batch(3, T0 + 6000, 3);
    await appendDurable(s2, clock, 'a1', b3);
    await crash(s2);
    expect(await lastSegment(s2)).not.toBe(seg);
    const s3 = await openStore(clock);
    expect(s3.lastOpen).toMatchObject({ corrupt: 0, torn: 1, segments: 2 });
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
    const { logger, warnings } = recordingLogger();
    const s2 = await openStore(clock, logger);
    expect(s2.lastOpen).toMatchObject({ corrupt: 1, torn: 1 });
    expect(warnings).toEqual([
      ['damaged WAL lines skipped on replay', { corrupt: 1, orphanSamples: 0 }],
    ]);
    expect(allRaw(s2)).toEqual(expectedRaw('a1', b1));
    await s2.close();
  });

  it('a resent batch is logged again, and replay still holds each sample once', async () => {
    // Its ack then depends on its own write, never on an earlier one that may have failed.
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    const b1 = batch(1, T0, 2);
    await appendDurable(s1, clock, 'a1', b1);
    const bytes = s1.walBytes;
    expect(bytes).toBeGreaterThan(0);
    await appendDurable(s1, clock, 'a1', b1);
    expect(s1.walBytes).toBeGreaterThan(bytes);
    await s1.close({ checkpoint: false });
    const s2 = await openStore(clock);
    expect(allRaw(s2)).toHaveLength(2);
    await s2.close();
  });

  it('a batch with nothing to store or re-log (all out of order) is durable at once', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const s1 = await openStore(clock);
    await appendDurable(s1, clock, 'a1', batch(1, T0 + 10_000, 1));
    const bytes = s1.walBytes;
    const r = s1.append('a1', batch(2, T0, 1));
    expect(r.outcome.tooOld).toBe(1);
    await r.durable;
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

  it('a batch resent after it was flushed is a duplicate, not a late or refused sample', async () => {
    for (const window of [0, 3_600_000]) {
      const clock = new ManualClock(T0 + 100_000);
      const store = new MetricStore(
        dir(),
        { clock, logger: recordingLogger().logger },
        { ...OPTS, outOfOrderWindowMs: window },
      );
      await store.open();
      const b = batch(1, T0, 125);
      await appendDurable(store, clock, `a-${window}`, b);
      await store.flush();
      const series = [...store.head.seriesForAgent(`a-${window}`)][0]!;
      expect(series.headRows()).toBeLessThan(125); // the closed chunk went to a block
      expect(await appendDurable(store, clock, `a-${window}`, b.slice(0, 10))).toMatchObject({
        accepted: 0,
        late: 0,
        tooOld: 0,
        duplicates: 10,
      });
      expect(allRaw(store).filter((r) => r[0] === `a-${window}`)).toHaveLength(125);
      await store.close();
    }
  });
});

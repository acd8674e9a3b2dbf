import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../shared/clock.js';
import { silentLogger } from '../electron/core/logger.js';
import { MetricStore } from '../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../electron/core/store/tsdb.js';
import { WriteAheadLog } from '../electron/core/store/wal.js';
import { CORE_DEFAULTS, count, ms, type Section } from './harness.js';

const MB = 2 ** 20;

const round1 = (v: number) => String(Math.round(v * 10) / 10);
const duration = (s: number) =>
  s >= 3_600 ? `${round1(s / 3_600)} h` : s >= 60 ? `${round1(s / 60)} min` : `${s} s`;

/** The note under a replay section, from the run's own figures. */
export function replayNote(run: {
  seconds: number;
  samples: number;
  replayMs: number;
  /** Does this WAL stand for the most a console keeps (a forced flush at its byte limit)? */
  bounded: boolean;
  walLimitBytes: number;
}): string {
  const took = `Start-up replay of ${duration(run.seconds)} of WAL (${count(run.samples)} samples) took ${ms(run.replayMs)}.`;
  if (run.bounded) {
    return (
      `${took} A console replays only the WAL written since its last flush: every ` +
      `${CORE_DEFAULTS.checkpointEveryMs / 60_000} min, and early once the WAL reaches ` +
      `${(run.walLimitBytes / MB).toFixed(0)} MiB, so this is the most a start-up replays (section \`replay-max\`).`
    );
  }
  return (
    `${took} So much WAL cannot build up any more: a flush is forced at ` +
    `${(run.walLimitBytes / MB).toFixed(0)} MiB of WAL, and a failing flush raises an alert ` +
    '(the figure is kept as the replay rate, and for comparison with the first store).'
  );
}

/** Seconds of WAL at 10,000 samples/s (~10 bytes a sample) that fill the console's WAL limit. */
export const maxWalSeconds = () => Math.ceil(CORE_DEFAULTS.checkpointWalBytes / (10 * 10_000));

/**
 * Start-up replay of `seconds` of WAL written at 10,000 samples/s (1 h: 36 M samples), for the
 * section `name`. With `bounded`, the WAL is the most a console keeps: the 5 s target applies.
 */
export async function walReplay(name: string, seconds: number, bounded: boolean): Promise<Section> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-wal-'));
  const AGENTS = 100;
  const SERIES_PER_AGENT = 100;
  const SECONDS = Number(process.env.BENCH_WAL_SECONDS ?? seconds);
  const wal = new WriteAheadLog(join(dataDir, 'tsdb'), systemClock, 50);
  await wal.open();
  const start = Date.now() - SECONDS * 1000;
  // 10,000 samples a second: every agent sends one batch of its 100 series each second,
  // written in the WAL's own line format (see MetricStore.append).
  let pending: Promise<void>[] = [];
  for (let a = 0; a < AGENTS; a++) {
    for (let k = 0; k < SERIES_PER_AGENT; k++) {
      pending.push(
        wal.append(
          `S\t${a * SERIES_PER_AGENT + k}\tagt-${a}\t${JSON.stringify([`bench_metric_${k}`, {}])}`,
        ),
      );
    }
  }
  for (let s = 0; s < SECONDS; s++) {
    const ts = start + s * 1000;
    for (let a = 0; a < AGENTS; a++) {
      let body = '';
      for (let k = 0; k < SERIES_PER_AGENT; k++) {
        body += `${k ? ';' : ''}${a * SERIES_PER_AGENT + k},${k ? 0 : ts},${(a + k + s) % 100}`;
      }
      pending.push(wal.append(`B\t${body}`));
    }
    if (pending.length >= 20_000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await wal.close();
  const walBytes = wal.bytesWritten;
  const clock = new ManualClock(Date.now());
  const store = new MetricStore(
    dataDir,
    { clock, logger: silentLogger },
    {
      maxSeriesPerAgent: 1_000,
      retention: DEFAULT_RETENTION,
      walFlushMs: 50,
      checkpointEveryMs: 3_600_000,
      checkpointWalBytes: Number.MAX_SAFE_INTEGER,
      outOfOrderWindowMs: 3_600_000,
      diskBudgetBytes: Number.MAX_SAFE_INTEGER,
      headIdleMs: 3_600_000,
    },
  );
  const t0 = performance.now();
  const opened = await store.open();
  const replayMs = performance.now() - t0;
  const samples = store.head.headStats().rows;
  await store.close({ checkpoint: false });
  await rm(dataDir, { recursive: true, force: true });
  return {
    title: `Metric store: start-up replay of ${duration(SECONDS)} of WAL`,
    command: `npm run bench (section ${name})`,
    figures: [
      {
        name: `WAL replayed (written at ${count(AGENTS * SERIES_PER_AGENT)} samples/s)`,
        value: `${(walBytes / MB).toFixed(0)} MB, ${count(opened.lines)} batches`,
      },
      { name: 'samples restored', value: count(samples) },
      {
        name: 'replay time',
        value: ms(replayMs),
        ...(bounded ? { target: '≤ 5 s', met: replayMs <= 5_000 } : {}),
      },
      { name: 'WAL bytes per sample', value: (walBytes / samples).toFixed(1) },
    ],
    notes: [
      replayNote({
        seconds: SECONDS,
        samples,
        replayMs,
        bounded,
        walLimitBytes: CORE_DEFAULTS.checkpointWalBytes,
      }),
    ],
  };
}

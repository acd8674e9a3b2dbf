// The out-of-order rule, live and on replay: live ingest stores a late sample in place when it
// is within the window (and refuses older ones); the WAL records what live ingest stored, in
// the order it stored it; replay applies every logged sample it does not hold, whatever the
// order. So what replay loads is exactly what live ingest acked.
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import type { Bucket } from '../../electron/core/store/rollup.js';
import { CHUNK_ROWS } from '../../electron/core/store/series.js';
import {
  HOUR_MS,
  MINUTE_MS,
  TimeSeriesStore,
  type Series,
} from '../../electron/core/store/tsdb.js';
import { BatchLineBuilder, seriesLine, WalReplay } from '../../electron/core/store/wal-lines.js';
import { headBuckets, headPairs, T0 } from './support/store-fixture.js';

const WINDOW = 10 * MINUTE_MS;
const s = (ts: number, value: number, name = 'cpu'): Sample => ({ name, ts, value });

/**
 * The buckets these samples give when they come in time order, computed here from scratch
 * (not with rollup.ts, which the buckets under test come from).
 */
function expectedBuckets(samples: [number, number][], bucketMs: number): Bucket[] {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const out: Bucket[] = [];
  for (const [ts, v] of sorted) {
    const start = ts - (ts % bucketMs);
    const b = out[out.length - 1];
    if (b && b.start === start) {
      b.min = Math.min(b.min, v);
      b.max = Math.max(b.max, v);
      b.sum += v;
      b.count++;
      b.last = v;
    } else out.push({ start, min: v, max: v, sum: v, count: 1, last: v });
  }
  return out;
}

function only(store: TimeSeriesStore): Series {
  const all = [...store.all()];
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('out-of-order samples in the head', () => {
  it('stores a late sample within the window in place; its buckets are as if it came in order', () => {
    const store = new TimeSeriesStore(10, undefined, WINDOW);
    store.append('a1', [s(T0 + 60_000, 1), s(T0 + 65_000, 2), s(T0 + 190_000, 3)]);
    const out = store.append('a1', [s(T0 + 62_000, 9), s(T0 + 130_000, 0.5), s(T0 + 200_000, 4)]);
    expect(out).toEqual({ accepted: 1, late: 2, duplicates: 0, tooOld: 0, overLimit: 0 });
    const series = only(store);
    const all: [number, number][] = [
      [T0 + 60_000, 1],
      [T0 + 62_000, 9],
      [T0 + 65_000, 2],
      [T0 + 130_000, 0.5],
      [T0 + 190_000, 3],
      [T0 + 200_000, 4],
    ];
    expect(headPairs(series)).toEqual(all);
    expect(series.lastTs).toBe(T0 + 200_000);
    expect(series.lastValue).toBe(4);
    // The 1-minute bucket at +120 s did not exist before: it is created between its neighbours.
    expect(headBuckets(series, '1m')).toEqual(expectedBuckets(all, MINUTE_MS));
    expect(headBuckets(series, '1h')).toEqual(expectedBuckets(all, HOUR_MS));
  });

  it('refuses a sample older than the window and counts a late resend as a duplicate', () => {
    const store = new TimeSeriesStore(10, undefined, WINDOW);
    store.append('a1', [s(T0 + WINDOW + 5_000, 1)]);
    expect(store.append('a1', [s(T0 + 4_999, 2)])).toMatchObject({ tooOld: 1, late: 0 });
    expect(store.append('a1', [s(T0 + 5_000, 3)])).toMatchObject({ late: 1 });
    expect(store.append('a1', [s(T0 + 5_000, 3)])).toMatchObject({ late: 0, duplicates: 1 });
    expect(headPairs(only(store))).toEqual([
      [T0 + 5_000, 3],
      [T0 + WINDOW + 5_000, 1],
    ]);
  });

  it('with a zero window, anything older than the newest is refused (the strict rule)', () => {
    const store = new TimeSeriesStore(10);
    store.append('a1', [s(T0 + 2_000, 1)]);
    expect(store.append('a1', [s(T0 + 1_000, 2)])).toMatchObject({ tooOld: 1, late: 0 });
  });

  it('late samples go to the late chunk (the open one only grows at its end); all are found and read in order', () => {
    const store = new TimeSeriesStore(10, undefined, HOUR_MS);
    const n = CHUNK_ROWS * 2 + 10;
    const batch: Sample[] = [];
    for (let i = 0; i < n; i++) batch.push(s(T0 + 1_000 + i * 1_000, i));
    store.append('a1', batch);
    const series = only(store);
    expect(series.closed.map((c) => c.rows)).toEqual([CHUNK_ROWS, CHUNK_ROWS]);
    const openFirst = series.open!.firstTs;
    expect(openFirst).toBe(T0 + 1_000 + 2 * CHUNK_ROWS * 1_000);
    const late = [
      s(T0, -1), // before the first closed chunk
      s(T0 + 1_500, -2), // inside the first closed chunk
      s(T0 + 1_000 + CHUNK_ROWS * 1_000 - 500, -3), // between the two closed chunks
      s(openFirst - 500, -4), // just before the open chunk
      s(openFirst + 500, -5), // inside the open chunk
    ];
    expect(store.append('a1', late)).toMatchObject({ late: 5 });
    // The closed and open chunks are left as they were: all five are in `late`.
    expect(series.closed.map((c) => c.rows)).toEqual([CHUNK_ROWS, CHUNK_ROWS]);
    expect(series.late!.length).toBe(5);
    expect([...series.late!.times()]).toEqual(late.map((l) => l.ts));
    expect(series.open!.rows).toBe(10);
    expect(series.open!.firstTs).toBe(openFirst);
    expect(series.late!.has(openFirst + 500)).toBe(true);
    for (const l of late) expect(series.has(l.ts), `${l.ts - T0}`).toBe(true);
    const got = headPairs(series);
    expect(got).toHaveLength(n + late.length);
    expect(got.every(([ts], i) => i === 0 || ts > got[i - 1]![0])).toBe(true);
    expect(got.slice(0, 3)).toEqual([
      [T0, -1],
      [T0 + 1_000, 0],
      [T0 + 1_500, -2],
    ]);
    const expected = [...batch, ...late].map((x): [number, number] => [x.ts, x.value]);
    expect(got).toEqual([...expected].sort((a, b) => a[0] - b[0]));
    expect(headBuckets(series, '1m')).toEqual(expectedBuckets(expected, MINUTE_MS));
    expect(headBuckets(series, '1h')).toEqual(expectedBuckets(expected, HOUR_MS));
    // A resend of the late samples is a duplicate now, wherever they went.
    expect(store.append('a1', late)).toMatchObject({ late: 0, duplicates: 5 });
    // Appends after the inserts still go on at the end.
    store.append('a1', [s(series.lastTs + 1_000, 7)]);
    expect(headPairs(series).at(-1)).toEqual([series.lastTs, 7]);
  });

  it('a late sample does not take over a bucket’s last value from a later one', () => {
    const store = new TimeSeriesStore(10, undefined, WINDOW);
    store.append('a1', [s(T0 + 10_000, 1), s(T0 + 50_000, 2), s(T0 + 70_000, 3)]);
    store.append('a1', [s(T0 + 30_000, 8)]);
    expect(headBuckets(only(store), '1m')[0]).toEqual({
      start: T0,
      min: 1,
      max: 8,
      sum: 11,
      count: 3,
      last: 2,
    });
  });
});

/** Append the way MetricStore does (definitions before and after the batch) and return the lines. */
function logAppend(store: TimeSeriesStore, agentId: string, samples: Sample[]): string[] {
  const batch = new BatchLineBuilder();
  const created: Series[] = [];
  const log = (series: Series, sample: Sample) => batch.add(series, sample);
  store.append(agentId, samples, log, created, log, log);
  const defs = created.map(seriesLine);
  return [...defs, batch.line(), ...defs];
}

function replayLines(lines: string[]): { head: TimeSeriesStore; replay: WalReplay } {
  const head = new TimeSeriesStore(10);
  const replay = new WalReplay(head);
  for (const line of lines) {
    const buf = Buffer.from(line);
    replay.apply(buf, 0, buf.length);
  }
  return { head, replay };
}

describe('WAL replay follows what live ingest logged', () => {
  it('loads a late batch logged after newer ones (the disk-full-then-resend case)', () => {
    const live = new TimeSeriesStore(10, undefined, WINDOW);
    const lines = [
      ...logAppend(live, 'a1', [s(T0 + 100_000, 1), s(T0 + 101_000, 2)]),
      // Older batches, resent after the newer one was acked: logged after it.
      ...logAppend(live, 'a1', [s(T0 + 40_000, 3), s(T0 + 41_000, 4)]),
      // A resend of samples held already: logged again, loaded once.
      ...logAppend(live, 'a1', [s(T0 + 40_000, 3), s(T0 + 100_000, 1)]),
    ];
    const { head } = replayLines(lines);
    expect(headPairs(only(head))).toEqual(headPairs(only(live)));
    expect(headPairs(only(head))).toHaveLength(4);
    expect(headBuckets(only(head), '1m')).toEqual(headBuckets(only(live), '1m'));
  });

  it('one damaged definition line loses nothing: the copy after the batch defines the series', () => {
    const live = new TimeSeriesStore(10, undefined, WINDOW);
    const lines = [
      ...logAppend(live, 'a1', [s(T0, 1)]),
      ...logAppend(live, 'a1', [s(T0 + 1_000, 2)]),
    ];
    expect(lines[0]).toMatch(/^S\t/);
    const { head, replay } = replayLines(lines.slice(1)); // the first copy is gone
    expect(headPairs(only(head))).toEqual([
      [T0, 1],
      [T0 + 1_000, 2],
    ]);
    expect(replay.orphanSamples()).toBe(0);
  });

  it('samples whose series is never defined are counted as lost, not applied to another series', () => {
    const live = new TimeSeriesStore(10);
    const lines = logAppend(live, 'a1', [s(T0, 1)]).filter((l) => !l.startsWith('S'));
    const { head, replay } = replayLines(lines);
    expect(head.seriesCount()).toBe(0);
    expect(replay.orphanSamples()).toBe(1);
  });
});

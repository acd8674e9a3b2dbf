import { describe, it, expect } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import { BatchLineBuilder, seriesLine, WalReplay } from '../../electron/core/store/wal-lines.js';
import { TimeSeriesStore, type Series } from '../../electron/core/store/tsdb.js';
import { headPairs } from './support/store-fixture.js';

const T0 = 1_700_000_000_000;

const replays = new WeakMap<TimeSeriesStore, WalReplay>();

function apply(head: TimeSeriesStore, line: string): void {
  // Surround the payload with other bytes, as replay hands a range of a bigger buffer.
  const buf = Buffer.from(`xx\n${line}\nB\t9,9,9\n`);
  let replay = replays.get(head);
  if (!replay) replays.set(head, (replay = new WalReplay(head)));
  replay.apply(buf, 3, 3 + Buffer.byteLength(line));
}

/** Append to `src` the way MetricStore does and return the WAL lines it would write. */
function logAppend(src: TimeSeriesStore, agentId: string, samples: Sample[]): string[] {
  const batch = new BatchLineBuilder();
  const created: Series[] = [];
  const out = src.append(agentId, samples, (s, sample) => batch.add(s, sample), created);
  if (out.accepted === 0) return [];
  return [...created.map(seriesLine), batch.line()];
}

function raw(store: TimeSeriesStore): [number, string, number, number][] {
  const out: [number, string, number, number][] = [];
  for (const s of store.all())
    for (const [ts, v] of headPairs(s)) out.push([s.id, s.agentId, ts, v]);
  return out.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
}

describe('WAL line formats', () => {
  it('a batch line built as bytes is the text of String() for every figure, as it always was', () => {
    // The format as it was first written, by string concatenation: what replay reads.
    const asText = (entries: [number, number, number][]) => {
      let body = '';
      let prev = 0;
      for (const [id, ts, value] of entries) {
        body += `${body ? ';' : ''}${id},${ts - prev},${value}`;
        prev = ts;
      }
      return `B\t${body}`;
    };
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21];
    values.push(0.1, -2.5, 1e-7, 123456789.123, Number.MIN_VALUE, -Number.MAX_VALUE, 1 / 3);
    for (let round = 0; round < 200; round++) {
      const entries: [number, number, number][] = [];
      for (let i = 0, n = Math.floor(random() * 300); i < n; i++) {
        const value =
          random() < 0.3
            ? values[Math.floor(random() * values.length)]!
            : (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
        const ts = random() < 0.9 ? T0 + Math.floor(random() * 1e7) : random() * 1e13;
        entries.push([Math.floor(random() * 2 ** 24), ts, value]);
      }
      const batch = new BatchLineBuilder();
      for (const [id, ts, value] of entries)
        batch.add({ id } as Series, { name: 'm', ts, value } as Sample);
      expect(batch.bytes().toString('latin1')).toBe(asText(entries));
      expect(batch.line()).toBe(asText(entries));
    }
  });

  it('a series line carries id, agent, name and labels', () => {
    const store = new TimeSeriesStore(10);
    const created: Series[] = [];
    store.append(
      'a1',
      [{ name: 'cpu', labels: { core: '0' }, ts: T0, value: 1 }],
      undefined,
      created,
    );
    expect(seriesLine(created[0]!)).toBe(`S\t${created[0]!.id}\ta1\t["cpu",{"core":"0"}]`);
  });

  it('a batch line holds id,Δts,value with the first ts absolute and deltas that may be negative', () => {
    const store = new TimeSeriesStore(10);
    const lines = logAppend(store, 'a1', [
      { name: 'cpu', ts: T0, value: 1.5 },
      { name: 'mem', ts: T0 + 250, value: -2 },
      { name: 'cpu', ts: T0 + 1000, value: 3 },
      { name: 'mem', ts: T0 + 1000, value: 4 },
      { name: 'cpu', ts: T0 + 500, value: 9 }, // out of order: not stored, not logged
    ]);
    const [cpu, mem] = [...store.all()];
    expect(lines).toEqual([
      seriesLine(cpu!),
      seriesLine(mem!),
      `B\t${cpu!.id},${T0},1.5;${mem!.id},250,-2;${cpu!.id},750,3;${mem!.id},0,4`,
    ]);
  });

  it('replaying the lines into an empty head gives the same series, ids and values, bit for bit', () => {
    const values = [
      0,
      1,
      -1,
      0.1,
      12.34,
      99.99,
      -0.000123,
      1 / 3,
      0.1 + 0.2,
      2 / 3,
      123456789.012345,
      123456789012345,
      1234567890123456,
      2 ** 53 + 2,
      1e21,
      1.5e-7,
      5e-324,
      Number.MAX_VALUE,
      -Number.MIN_VALUE,
      Math.PI * 1e10,
      4.35,
      0.000001,
    ];
    const src = new TimeSeriesStore(10);
    const lines = [
      ...logAppend(
        src,
        'a1',
        values.map((value, i) => ({ name: 'v', ts: T0 + i * 1000, value })),
      ),
      ...logAppend(src, 'a2', [
        { name: 'v', labels: { k: 'ü ✓' }, ts: T0 - 5, value: 7 },
        { name: 'w', ts: T0 + 3, value: 8 },
      ]),
      ...logAppend(src, 'a1', [{ name: 'v', ts: T0 + 999_999, value: -42.5 }]),
    ];
    const dst = new TimeSeriesStore(10);
    for (const line of lines) apply(dst, line);
    expect(raw(dst)).toEqual(raw(src));
    const restored = raw(dst).filter((r) => r[1] === 'a1');
    values.forEach((v, i) => expect(Object.is(restored[i]![3], v), `value ${v}`).toBe(true));
    const labelled = [...dst.seriesForAgent('a2')].find((s) => s.name === 'v')!;
    expect(labelled.labels).toEqual({ k: 'ü ✓' });
    // New series after replay get fresh ids, not reused ones.
    const created: Series[] = [];
    dst.append('a3', [{ name: 'z', ts: T0, value: 1 }], undefined, created);
    expect(created[0]!.id).toBeGreaterThan(Math.max(...[...src.all()].map((s) => s.id)));
  });

  it('round-trips 20,000 pseudo-random decimals exactly', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const magnitude = 10 ** Math.floor(rnd() * 16 - 6);
      const decimals = Math.floor(rnd() * 10);
      const x = (rnd() - 0.3) * magnitude;
      values.push(i % 2 ? Number(x.toFixed(decimals)) : x);
    }
    const src = new TimeSeriesStore(10);
    const lines = logAppend(
      src,
      'a1',
      values.map((value, i) => ({ name: 'v', ts: T0 + i, value })),
    );
    const dst = new TimeSeriesStore(10);
    for (const line of lines) apply(dst, line);
    const got = raw(dst).map((r) => r[3]);
    // -0 is written as "0" (template literals drop the sign): equal as numbers, not as bits.
    const wrong = values.filter((v, i) => got[i] !== v);
    expect(wrong).toEqual([]);
  });

  it('replay skips samples already held and a repeated series line', () => {
    const src = new TimeSeriesStore(10);
    const lines = logAppend(src, 'a1', [
      { name: 'cpu', ts: T0, value: 1 },
      { name: 'cpu', ts: T0 + 1000, value: 2 },
    ]);
    const dst = new TimeSeriesStore(10);
    for (const line of [...lines, ...lines]) apply(dst, line);
    expect(raw(dst)).toEqual(raw(src));
    expect(dst.seriesCount()).toBe(1);
  });

  it('a batch for a series never defined is skipped; an unknown line kind is refused', () => {
    const dst = new TimeSeriesStore(10);
    apply(dst, `B\t17,${T0},1`);
    expect(dst.seriesCount()).toBe(0);
    expect(() => apply(dst, 'X\tnothing')).toThrow();
  });
});

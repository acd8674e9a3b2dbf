// The head's shared tables: slab cells (reuse, growth, pages given back), the open-chunk
// table (slots growing and reused), interned names and labels, the snapshot of open chunks
// round-tripping through a file, and what a series costs in array buffers.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ByteSlab } from '../../electron/core/store/byte-slab.js';
import { decodeChunk } from '../../electron/core/store/codec.js';
import {
  captureHead,
  loadSnapshot,
  writeSnapshot,
} from '../../electron/core/store/head-snapshot.js';
import { IdBits, SeriesCatalogue } from '../../electron/core/store/series-catalogue.js';
import { CHUNK_ROWS, MAX_SERIES_ID } from '../../electron/core/store/series.js';
import { OpenChunks } from '../../electron/core/store/stream-chunk.js';
import { TimeSeriesStore } from '../../electron/core/store/tsdb.js';
import { encodeLine } from '../../electron/core/store/wal.js';
import { appendFile } from 'node:fs/promises';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-head-tables-');
// A full collection on demand, for the one test that counts live array buffers.
setFlagsFromString('--expose-gc');

/** Every sample the head holds for a series, in time order. */
function held(store: TimeSeriesStore, id: number): [number, number][] {
  const s = store.seriesById(id)!;
  const out: [number, number][] = [];
  for (const c of s.closed) {
    const d = decodeChunk(c.bytes);
    d.ts.forEach((t, i) => out.push([t, d.values[i]!]));
  }
  const open = s.open;
  if (open) {
    const d = open.decode();
    d.ts.forEach((t, i) => out.push([t, d.values[i]!]));
  }
  return out.sort((a, b) => a[0] - b[0]);
}

describe('ByteSlab', () => {
  it('gives cells of the size class that fits, reuses freed cells, and keeps bytes when a cell grows', () => {
    const slab = new ByteSlab();
    const a = slab.alloc(10);
    expect(slab.capacity(a)).toBe(16);
    expect(slab.capacity(slab.alloc(17))).toBe(32);
    const page = slab.page(a);
    page.set([1, 2, 3], slab.offset(a));
    const b = slab.grow(a, 3, 100);
    expect(slab.capacity(b)).toBe(128);
    const at = slab.offset(b);
    expect([...slab.page(b).subarray(at, at + 3)]).toEqual([1, 2, 3]);
    // a went back to its class: the next cell of 16 is the same one.
    expect(slab.alloc(16)).toBe(a);
    expect(() => slab.alloc(slab.maxCellBytes + 1)).toThrow(RangeError);
  });

  it('a size class left empty gives its pages back; cells in use keep theirs', () => {
    const slab = new ByteSlab();
    const small = Array.from({ length: 10_000 }, () => slab.alloc(16));
    const big = slab.alloc(256);
    const before = slab.stats();
    expect(before.cells).toBe(10_001);
    expect(before.pageBytes).toBeGreaterThanOrEqual(10_000 * 16 + 256);
    // As open chunks do: every small cell grows into a larger class.
    const grown = small.map((c) => slab.grow(c, 0, 64));
    const after = slab.stats();
    expect(after.cells).toBe(10_001);
    expect(after.cellBytes).toBe(10_000 * 64 + 256);
    // The 16-byte class holds no page now (10,000 × 16 bytes would otherwise stay).
    expect(after.pageBytes).toBeLessThan(10_000 * 64 + 256 + 64 * 1024 * 2);
    for (const c of grown) slab.free(c);
    slab.free(big);
    expect(slab.stats()).toEqual({ pageBytes: 0, cellBytes: 0, cells: 0 });
  });
});

describe('OpenChunks', () => {
  it('grows its columns past their first size without losing a chunk, and reuses released slots', () => {
    const table = new OpenChunks();
    const slots = Array.from({ length: 500 }, () => table.acquire());
    expect(table.capacity).toBeGreaterThanOrEqual(500);
    // Different shapes: decimals, integers, floats, a widening exponent.
    const value = (slot: number, i: number) =>
      slot % 4 === 0
        ? i / 100
        : slot % 4 === 1
          ? i * 7
          : slot % 4 === 2
            ? Math.PI * i
            : i + (i > 5 ? 0.5 : 0);
    for (let i = 0; i < CHUNK_ROWS; i++)
      for (const slot of slots) table.append(slot, T0 + i * 1000 + (slot % 3), value(slot, i));
    for (const slot of slots) {
      const d = decodeChunk(table.bytes(slot));
      expect(d.ts.length).toBe(CHUNK_ROWS);
      expect(d.ts[CHUNK_ROWS - 1]).toBe(T0 + (CHUNK_ROWS - 1) * 1000 + (slot % 3));
      expect(Array.from(d.values)).toEqual(
        Array.from({ length: CHUNK_ROWS }, (_, i) => value(slot, i)),
      );
    }
    expect(table.size).toBe(500);
    table.release(slots[7]!);
    table.release(slots[300]!);
    expect(table.size).toBe(498);
    const again = table.acquire();
    expect([slots[7], slots[300]]).toContain(again);
    // A reused slot starts empty, and its neighbours are untouched.
    expect(table.rows[again]).toBe(0);
    table.append(again, T0, 42);
    expect(Array.from(table.decode(again).values)).toEqual([42]);
    expect(decodeChunk(table.bytes(slots[8]!)).ts.length).toBe(CHUNK_ROWS);
  });
});

describe('TimeSeriesStore with shared head tables', () => {
  it('a series evicted from the head gives its slot back; a new series takes it; both read right', () => {
    const store = new TimeSeriesStore(100);
    store.append('a1', [
      { name: 'cpu', ts: T0, value: 1 },
      { name: 'mem', ts: T0, value: 2 },
    ]);
    const [cpu, mem] = [store.seriesOf('cpu')[0]!, store.seriesOf('mem')[0]!];
    const slot = mem.slot;
    expect(store.heads.open.size).toBe(2);
    const taken = mem.takeForFlush(true, T0);
    expect(taken.map((c) => [...decodeChunk(c.bytes).values])).toEqual([[2]]);
    expect(mem.slot).toBe(-1);
    expect(store.heads.open.size).toBe(1);
    store.append('a2', [{ name: 'disk', ts: T0 + 1000, value: 3 }]);
    const disk = store.seriesOf('disk')[0]!;
    expect(disk.slot).toBe(slot);
    store.append('a1', [{ name: 'cpu', ts: T0 + 1000, value: 4 }]);
    expect(held(store, cpu.id)).toEqual([
      [T0, 1],
      [T0 + 1000, 4],
    ]);
    expect(held(store, disk.id)).toEqual([[T0 + 1000, 3]]);
    // The evicted series keeps its newest sample (a resend is a duplicate) and opens anew.
    expect(mem.lastTs).toBe(T0);
    expect(store.append('a1', [{ name: 'mem', ts: T0, value: 2 }]).duplicates).toBe(1);
    store.append('a1', [{ name: 'mem', ts: T0 + 5000, value: 5 }]);
    expect(held(store, mem.id)).toEqual([[T0 + 5000, 5]]);
  });

  it('interns label sets: series with equal labels share one frozen object, in key order', () => {
    const store = new TimeSeriesStore(100);
    store.append('a1', [{ name: 'fs', labels: { mount: '/', dev: 'sda' }, ts: T0, value: 1 }]);
    store.append('a2', [{ name: 'fs', labels: { dev: 'sda', mount: '/' }, ts: T0, value: 1 }]);
    store.append('a2', [{ name: 'fs', labels: { dev: 'sdb', mount: '/' }, ts: T0, value: 1 }]);
    const [a, b, c] = store.seriesOf('fs');
    expect(a!.labels).toBe(b!.labels);
    expect(c!.labels).not.toBe(a!.labels);
    expect(Object.isFrozen(a!.labels)).toBe(true);
    expect(Object.keys(a!.labels)).toEqual(['dev', 'mount']);
    expect(store.strings.size.labelSets).toBe(2);
    // The agents' series stay apart: same labels, other agent, other series.
    expect(a!.id).not.toBe(b!.id);
    expect(store.seriesCount()).toBe(3);
  });

  it('20,000 series with a sample each hold under 250 bytes of array buffers each', () => {
    // Live buffers only: tables that grew leave their old columns to the collector.
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const store = new TimeSeriesStore(1_000);
    for (let a = 0; a < 200; a++) {
      const batch = Array.from({ length: 100 }, (_, k) => ({ name: `m${k}`, ts: T0, value: k }));
      store.append(`agent-${a}`, batch);
    }
    expect(store.seriesCount()).toBe(20_000);
    gc();
    const perSeries = (process.memoryUsage().arrayBuffers - before) / 20_000;
    // An open chunk of its own held two arrays sized for a full chunk: 512 bytes a series.
    expect(perSeries).toBeLessThan(250);
  });
});

describe('head snapshot', () => {
  it('open chunks written at a flush come back into the series of a fresh store', async () => {
    const store = new TimeSeriesStore(1_000);
    for (let i = 0; i < CHUNK_ROWS + 30; i++) {
      store.append('a1', [
        { name: 'cpu', ts: T0 + i * 1000, value: Math.round(i * 1.37 * 100) / 100 },
        { name: 'noise', ts: T0 + i * 1000, value: Math.sin(i) },
        ...(i < 10 ? [{ name: 'short', labels: { k: 'v' }, ts: T0 + i * 1000, value: -i }] : []),
      ]);
    }
    // One series leaves the head first: its slot is free, and it is not in the snapshot.
    const short = store.seriesOf('short')[0]!;
    short.takeForFlush(true, T0);
    const entries = captureHead(store);
    expect(entries.map((e) => store.seriesById(e.seriesId)!.name).sort()).toEqual(['cpu', 'noise']);
    const path = join(dir(), 'head.snap');
    await writeSnapshot(path, 7, entries);

    const fresh = new TimeSeriesStore(1_000);
    for (const s of store.all()) fresh.define(s.id, s.agentId, s.name, s.labels);
    const load = await loadSnapshot(path, fresh);
    expect(load).toEqual({ walSegment: 7, series: 2, problem: null });
    for (const name of ['cpu', 'noise']) {
      const s = store.seriesOf(name)[0]!;
      const openRows = s.open!.decode();
      expect(held(fresh, s.id)).toEqual(Array.from(openRows.ts, (t, i) => [t, openRows.values[i]]));
      expect(fresh.seriesById(s.id)!.lastTs).toBe(T0 + (CHUNK_ROWS + 29) * 1000);
    }
    expect(fresh.seriesById(short.id)!.open).toBeNull();
  });
});

describe('series ids', () => {
  it('IdBits holds ids as bits, growing as needed', () => {
    const bits = new IdBits();
    for (const id of [0, 7, 8, 100_000, MAX_SERIES_ID]) {
      expect(bits.has(id)).toBe(false);
      bits.add(id);
      expect(bits.has(id)).toBe(true);
    }
    expect(bits.has(1)).toBe(false);
    expect(bits.has(99_999)).toBe(false);
  });

  it('a catalogue line with an id past the table limit is damage, not a series', async () => {
    const path = join(dir(), 'series.ndjson');
    await appendFile(
      path,
      encodeLine(JSON.stringify([2 ** 40, 'a1', 'cpu', {}])) +
        encodeLine(JSON.stringify([3, 'a1', 'mem', {}])),
    );
    const head = new TimeSeriesStore(10);
    const cat = new SeriesCatalogue(path);
    expect(await cat.open(head)).toEqual({ series: 1, corrupt: 1 });
    expect(head.seriesById(3)!.name).toBe('mem');
    await cat.close();
  });
});

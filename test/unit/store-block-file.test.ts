// Block files: what is written is found again by series and time, across fence boundaries;
// a torn or damaged file is refused with an error naming the problem, never half-read.
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BlockDamagedError,
  BlockReader,
  BlockWriter,
  type BlockMeta,
} from '../../electron/core/store/block-file.js';
import { decodeChunk, encodeChunk } from '../../electron/core/store/codec.js';
import { T0, useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-block-');
const META: BlockMeta = { tier: 'l0', start: T0, end: T0 + 3_600_000, seq: 7 };

function chunkFor(seriesId: number, from: number, n: number): Uint8Array {
  const ts = Array.from({ length: n }, (_, i) => from + i * 1000);
  return encodeChunk(
    ts,
    ts.map((_, i) => seriesId * 1000 + i),
    n,
  );
}

async function writeBlock(
  path: string,
  series: number[],
  chunksEach = 2,
  inOrder = false,
): Promise<number> {
  const w = await BlockWriter.create(path, META);
  // Added out of order by default: the index is sorted at finish (so the chunks are not in
  // file order; the store's own writers add them in order).
  for (const id of inOrder ? series : [...series].reverse()) {
    for (const c of inOrder
      ? [...Array(chunksEach).keys()]
      : [...Array(chunksEach).keys()].reverse()) {
      const from = T0 + c * 120_000;
      w.add(id, 120, from, from + 119_000, chunkFor(id, from, 120));
    }
  }
  return w.finish();
}

describe('block files', () => {
  it('finds every series by id and time range, across fence boundaries', async () => {
    const path = join(dir(), 'a.blk');
    const ids = Array.from({ length: 300 }, (_, i) => i * 3 + 1);
    const bytes = await writeBlock(path, ids);
    const r = new BlockReader(path);
    expect(r.bytes).toBe(bytes);
    expect(r.meta).toEqual(META);
    expect(r.records).toBe(600);
    expect([r.minTs, r.maxTs]).toEqual([T0, T0 + 239_000]);
    for (const id of ids) {
      const refs = r.chunksOf(id);
      expect(refs.map((c) => c.minTs)).toEqual([T0, T0 + 120_000]);
      const decoded = decodeChunk(r.chunk(refs[1]!));
      expect(decoded.values[0]).toBe(id * 1000);
      expect(decoded.ts[0]).toBe(T0 + 120_000);
      expect(r.chunksOf(id, T0 + 130_000, T0 + 140_000)).toHaveLength(1);
    }
    expect(r.chunksOf(0)).toEqual([]);
    expect(r.chunksOf(2)).toEqual([]);
    expect(r.chunksOf(10_000)).toEqual([]);
    expect(r.chunksOf(1, T0 + 240_000)).toEqual([]);
    expect([...r.allChunks()].map((c) => c.seriesId)).toEqual(ids.flatMap((id) => [id, id]));
    r.close();
    expect(await readdir(dir())).toEqual(['a.blk']);
  });

  it('finds a series whose chunks span several fence runs', async () => {
    const path = join(dir(), 'b.blk');
    const w = await BlockWriter.create(path, META);
    for (let c = 0; c < 200; c++) w.add(5, 1, T0 + c, T0 + c, chunkFor(5, T0 + c, 1));
    w.add(4, 1, T0, T0, chunkFor(4, T0, 1));
    w.add(6, 1, T0, T0, chunkFor(6, T0, 1));
    await w.finish();
    const r = new BlockReader(path);
    expect(r.chunksOf(5)).toHaveLength(200);
    expect(r.chunksOf(4)).toHaveLength(1);
    expect(r.chunksOf(6)).toHaveLength(1);
    r.close();
  });

  it('an empty block opens and holds nothing', async () => {
    const path = join(dir(), 'empty.blk');
    const w = await BlockWriter.create(path, META);
    await w.finish();
    const r = new BlockReader(path);
    expect(r.records).toBe(0);
    expect(r.chunksOf(1)).toEqual([]);
    r.close();
  });

  it('refuses a torn file (no footer) and a damaged index at open', async () => {
    const torn = join(dir(), 'torn.blk');
    await writeBlock(torn, [1, 2, 3]);
    const full = await readFile(torn);
    await truncate(torn, full.length - 10);
    expect(() => new BlockReader(torn)).toThrow(BlockDamagedError);
    expect(() => new BlockReader(torn)).toThrow(/torn/);

    const bad = join(dir(), 'bad-index.blk');
    const copy = Buffer.from(full);
    copy[copy.length - 40 - 5]! ^= 0xff; // a byte of the last index record
    await writeFile(bad, copy);
    expect(() => new BlockReader(bad)).toThrow(/index checksum/);
  });

  it('refuses a damaged chunk when it is read', async () => {
    const path = join(dir(), 'c.blk');
    await writeBlock(path, [1, 2]);
    const bytes = await readFile(path);
    bytes[48 + 3]! ^= 0xff; // inside the first chunk's data
    await writeFile(path, bytes);
    const r = new BlockReader(path);
    const all = [...r.allChunks()];
    const damaged = all.find((c) => c.offset === 48)!;
    expect(() => r.chunk(damaged)).toThrow(/checksum mismatch/);
    for (const c of all.filter((x) => x !== damaged)) expect(() => r.chunk(c)).not.toThrow();
    r.close();
  });

  it('reads the chunks of many series at once, the same as series by series', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => i * 3 + 1);
    for (const inOrder of [true, false]) {
      const path = join(dir(), `many-${inOrder}.blk`);
      await writeBlock(path, ids, 2, inOrder);
      const r = new BlockReader(path);
      const oneByOne = (want: number[], from: number, to: number) =>
        want.flatMap((id) => r.chunksOf(id, from, to).map((ref) => [ref, [...r.chunk(ref)]]));
      const many = (want: number[], from: number, to: number) => {
        const got: unknown[] = [];
        r.readChunksOf(
          want,
          from,
          to,
          (ref, bytes) => got.push([ref, [...bytes]]),
          (err) => {
            throw err;
          },
        );
        return got;
      };
      for (const [want, from, to] of [
        [ids, -Infinity, Infinity], // every series: index and chunks in one stretch each
        [[1, 4, 7, 10], -Infinity, Infinity], // a few neighbours
        [[1, 400, 898], -Infinity, Infinity], // far apart, in separate fence runs and stretches
        [[0, 2, 4, 5, 898, 10_000], -Infinity, Infinity], // some absent
        [ids.slice(40, 230), T0 + 120_000, T0 + 240_000], // the second chunk of each only
        [ids, T0 + 60_000, T0 + 120_001], // both chunks overlap
        [ids, T0 + 240_000, Infinity], // none
      ] as const) {
        const expected = oneByOne([...want], from, to);
        expect(many([...want], from, to)).toEqual(expected);
      }
      expect(many(ids, -Infinity, Infinity)).toHaveLength(600);
      r.close();
    }
  });

  it('reading many series at once reports a damaged chunk and reads the rest', async () => {
    const path = join(dir(), 'd.blk');
    await writeBlock(path, [1, 2, 3], 2, true);
    const bytes = await readFile(path);
    bytes[48 + 3]! ^= 0xff; // inside the first chunk's data (series 1)
    await writeFile(path, bytes);
    const r = new BlockReader(path);
    const read: number[] = [];
    const damaged: BlockDamagedError[] = [];
    r.readChunksOf(
      [1, 2, 3],
      -Infinity,
      Infinity,
      (ref) => read.push(ref.seriesId),
      (err) => damaged.push(err),
    );
    expect(read).toEqual([1, 2, 2, 3, 3]);
    expect(damaged.map((e) => e.message)).toEqual(['d.blk: chunk of series 1 checksum mismatch']);
    r.close();
  });

  it('abort leaves no temp file', async () => {
    const w = await BlockWriter.create(join(dir(), 'x.blk'), META);
    w.add(1, 1, T0, T0, chunkFor(1, T0, 1));
    await w.abort();
    expect(await readdir(dir())).toEqual([]);
  });
});

// The block files of a store: their names, listing, and merging their indexes.
//
//   blocks/l0-<seq>.blk                    one flush of the head (raw samples, any times)
//   blocks/raw-<start>-<end>-<seq>.blk     raw samples of one hour, compacted
//   blocks/1m-<start>-<end>-<seq>.blk      1-minute buckets of an hour, or of a day
//   blocks/1h-<start>-<end>-<seq>.blk      1-hour buckets of an hour, a day, or up to 30 days
//
// `seq` of a derived block is the highest flush merged into it: for one hour, the block with
// the highest seq is the current one (a re-compaction after late data replaces, never adds).
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockDamagedError, BlockReader, type BlockTier, type ChunkRef } from './block-file.js';

export const BLOCKS_DIR = 'blocks';
const NAME = /^(l0|raw|1m|1h)-(\d+)(?:-(\d+)-(\d+))?\.blk$/;

export function blockName(tier: BlockTier, start: number, end: number, seq: number): string {
  if (tier === 'l0') return `l0-${String(seq).padStart(10, '0')}.blk`;
  return `${tier}-${start}-${end}-${seq}.blk`;
}

export interface BlockListing {
  readers: BlockReader[];
  /** Files that could not be opened: moved aside as `<name>.damaged`, with the reason. */
  damaged: { name: string; problem: string }[];
}

/**
 * Open every block in `dir`: leftover temp files (a write cut short) are deleted, damaged
 * files are moved aside and reported, never half-read.
 */
export async function openBlocks(dir: string): Promise<BlockListing> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { readers: [], damaged: [] };
    throw err;
  }
  const readers: BlockReader[] = [];
  const damaged: { name: string; problem: string }[] = [];
  for (const name of names.sort()) {
    if (name.endsWith('.tmp')) {
      await rm(join(dir, name), { force: true });
      continue;
    }
    if (!NAME.test(name)) continue;
    try {
      readers.push(new BlockReader(join(dir, name)));
    } catch (err) {
      if (!(err instanceof BlockDamagedError)) throw err;
      await rename(join(dir, name), join(dir, `${name}.damaged`)).catch(() => {});
      damaged.push({ name, problem: err.message });
    }
  }
  return { readers, damaged };
}

/** One series' chunk refs from each of several blocks, series by series in id order. */
export interface SeriesChunks {
  seriesId: number;
  /** Per input block (same order as given): its chunks of this series. */
  perBlock: ChunkRef[][];
}

/**
 * Walk several blocks' indexes together, series by series (a k-way merge of sorted indexes),
 * so a compaction holds one series at a time in memory.
 */
export function* mergeIndexes(blocks: readonly BlockReader[]): Generator<SeriesChunks> {
  const iters = blocks.map((b) => b.allChunks());
  const heads = iters.map((it) => it.next());
  for (;;) {
    let id = Infinity;
    for (const h of heads) if (!h.done && h.value.seriesId < id) id = h.value.seriesId;
    if (id === Infinity) return;
    const perBlock = heads.map((h, i) => {
      const refs: ChunkRef[] = [];
      let cur = h;
      while (!cur.done && cur.value.seriesId === id) {
        refs.push(cur.value);
        cur = iters[i]!.next();
      }
      heads[i] = cur;
      return refs;
    });
    yield { seriesId: id, perBlock };
  }
}

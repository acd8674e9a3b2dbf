// The head's open chunks at the moment of a flush, so that start-up replays only the WAL
// written since (minutes, not hours). It is a block file (block-file.ts) whose seq is the WAL
// segment it covers: written whole to a temp file and renamed, so a crash leaves the old one.
import { rm } from 'node:fs/promises';
import { BlockDamagedError, BlockReader, BlockWriter } from './block-file.js';
import { ChunkArena, type ArenaChunk } from './chunk-arena.js';
import { decodeChunk } from './codec.js';
import { openChunkInto } from './series.js';
import type { TimeSeriesStore } from './tsdb.js';

export const SNAPSHOT_FILE = 'head.snap';

export interface SnapshotEntry {
  seriesId: number;
  chunk: ArenaChunk;
}

/**
 * Capture every open chunk now (synchronously: the flush takes its chunks at this instant),
 * copied end to end into arena pages of their own: an array per series would be 100,000
 * allocations a flush, each with its bookkeeping.
 */
export function captureHead(head: TimeSeriesStore): SnapshotEntry[] {
  const out: SnapshotEntry[] = [];
  const arena = new ChunkArena();
  const table = head.heads.open;
  for (const s of head.all()) {
    const slot = s.slot;
    if (slot < 0 || table.rows[slot] === 0) continue;
    // Already encoded as it grew: a copy, not an encode.
    const chunk = openChunkInto(arena, table, slot);
    out.push({ seriesId: s.id, chunk });
  }
  return out;
}

export async function writeSnapshot(
  path: string,
  walSegment: number,
  entries: readonly SnapshotEntry[],
): Promise<number> {
  const w = await BlockWriter.create(path, { tier: 'l0', start: 0, end: 0, seq: walSegment });
  try {
    for (const { seriesId, chunk } of entries)
      w.add(seriesId, chunk.rows, chunk.minTs, chunk.maxTs, chunk.bytes);
    return await w.finish();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

export interface SnapshotLoad {
  /** The WAL segment the snapshot covers (0: no snapshot). */
  walSegment: number;
  series: number;
  /** Why an existing snapshot could not be used (it is deleted; the WAL is replayed whole). */
  problem: string | null;
}

/** Put the snapshot's open chunks back into the heads of known series. */
export async function loadSnapshot(path: string, head: TimeSeriesStore): Promise<SnapshotLoad> {
  let reader: BlockReader;
  try {
    reader = new BlockReader(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { walSegment: 0, series: 0, problem: null };
    if (!(err instanceof BlockDamagedError)) throw err;
    await rm(path, { force: true });
    return { walSegment: 0, series: 0, problem: err.message };
  }
  try {
    let series = 0;
    for (const ref of reader.allChunks()) {
      const s = head.seriesById(ref.seriesId);
      if (!s) continue;
      const d = decodeChunk(reader.chunk(ref));
      for (let i = 0; i < d.ts.length; i++) s.insert(d.ts[i]!, d.values[i]!);
      series++;
    }
    return { walSegment: reader.meta.seq, series, problem: null };
  } catch (err) {
    if (!(err instanceof BlockDamagedError)) throw err;
    return { walSegment: 0, series: 0, problem: err.message };
  } finally {
    reader.close();
  }
}

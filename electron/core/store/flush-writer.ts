// Writing raw samples into block files: a flush of the head as an L0 block, and the chunking
// of raw samples that compaction uses too. Runs in the storage worker.
import { basename, join } from 'node:path';
import { BlockWriter } from './block-file.js';
import { blockName } from './block-dir.js';
import { decodeChunk, encodeColumns } from './codec.js';
import type { BlockInfo, FlushSeries } from './compactor.js';
import { SampleBuffer } from './sample-buffer.js';

/** Most rows in one compacted raw chunk. */
const RAW_CHUNK_ROWS = 4096;

/**
 * Write one flush of the head as an L0 block: per series its samples merged. Series are
 * written as they are merged (one in memory at a time); an L0 header carries no span (0, 0):
 * its footer has the times it covers.
 */
export async function writeFlush(
  dir: string,
  seq: number,
  series: readonly FlushSeries[],
): Promise<BlockInfo | null> {
  if (series.length === 0) return null;
  const path = join(dir, blockName('l0', 0, 0, seq));
  const w = await BlockWriter.create(path, { tier: 'l0', start: 0, end: 0, seq });
  let minTs = Infinity;
  let maxTs = -Infinity;
  try {
    for (const s of [...series].sort((a, b) => a.seriesId - b.seriesId)) {
      const buf = new SampleBuffer();
      for (const c of s.chunks) {
        const d = decodeChunk(c);
        buf.pushRange(d.ts, d.values, -Infinity, Infinity);
      }
      if (buf.length === 0) continue;
      buf.sortDedup();
      // L0 blocks live an hour or two, until their hour is compacted: no deflate (a zlib
      // stream per series every flush costs the worker more than the disk it saves).
      for (const p of encodeRaw(buf, false)) w.add(s.seriesId, p.rows, p.min, p.max, p.bytes);
      minTs = Math.min(minTs, buf.ts[0]!);
      maxTs = Math.max(maxTs, buf.ts[buf.length - 1]!);
      await w.room();
    }
    if (w.chunks === 0) {
      await w.abort();
      return null;
    }
    const rows = w.rows;
    const bytes = await w.finish();
    return { name: basename(path), tier: 'l0', start: 0, end: 0, seq, rows, minTs, maxTs, bytes };
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** Raw samples as chunks of at most RAW_CHUNK_ROWS rows (L0 flushes and compacted hours). */
export function encodeRaw(
  buf: SampleBuffer,
  deflate = true,
): { bytes: Uint8Array; rows: number; min: number; max: number }[] {
  const out = [];
  for (let at = 0; at < buf.length; at += RAW_CHUNK_ROWS) {
    const n = Math.min(RAW_CHUNK_ROWS, buf.length - at);
    const ts = buf.ts.subarray(at, at + n);
    out.push({
      bytes: encodeColumns(ts, [buf.values.subarray(at, at + n)], n, deflate),
      rows: n,
      min: ts[0]!,
      max: ts[n - 1]!,
    });
  }
  return out;
}

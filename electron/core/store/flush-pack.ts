import type { FlushSeries } from './compactor.js';

/**
 * A flush as one buffer, for the storage worker: thousands of small chunk arrays cloned one
 * by one cost the worker an object each; one transferred buffer costs nothing to send.
 */
export interface PackedFlush {
  /** Per series: id, then how many chunks. */
  heads: Uint32Array;
  /** Per chunk: its byte length, in order. */
  lengths: Uint32Array;
  data: Uint8Array;
}

export function packFlush(series: readonly FlushSeries[]): PackedFlush {
  let chunks = 0;
  let bytes = 0;
  for (const s of series) {
    chunks += s.chunks.length;
    for (const c of s.chunks) bytes += c.length;
  }
  const heads = new Uint32Array(series.length * 2);
  const lengths = new Uint32Array(chunks);
  const data = new Uint8Array(bytes);
  let h = 0;
  let l = 0;
  let at = 0;
  for (const s of series) {
    heads[h++] = s.seriesId;
    heads[h++] = s.chunks.length;
    for (const c of s.chunks) {
      lengths[l++] = c.length;
      data.set(c, at);
      at += c.length;
    }
  }
  return { heads, lengths, data };
}

export function unpackFlush(p: PackedFlush): FlushSeries[] {
  const out: FlushSeries[] = [];
  let l = 0;
  let at = 0;
  for (let h = 0; h < p.heads.length; h += 2) {
    const chunks: Uint8Array[] = [];
    for (let c = 0; c < p.heads[h + 1]!; c++) {
      const n = p.lengths[l++]!;
      chunks.push(p.data.subarray(at, at + n));
      at += n;
    }
    out.push({ seriesId: p.heads[h]!, chunks });
  }
  return out;
}

/** The buffers to transfer (not copy) with a packed flush. */
export const transferables = (p: PackedFlush): ArrayBuffer[] => [
  p.heads.buffer as ArrayBuffer,
  p.lengths.buffer as ArrayBuffer,
  p.data.buffer as ArrayBuffer,
];

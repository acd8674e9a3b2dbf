// A flush packed into one buffer for the storage worker comes out as it went in.
import { describe, expect, it } from 'vitest';
import { packFlush, transferables, unpackFlush } from '../../electron/core/store/flush-pack.js';

describe('packFlush / unpackFlush', () => {
  it('round-trips series, chunk boundaries and bytes, empty chunk lists included', () => {
    const series = [
      { seriesId: 7, chunks: [Uint8Array.of(1, 2, 3), Uint8Array.of(4)] },
      { seriesId: 0, chunks: [] },
      { seriesId: 4_000_000_000, chunks: [new Uint8Array(1000).fill(9)] },
    ];
    const packed = packFlush(series);
    expect(transferables(packed)).toHaveLength(3);
    expect(
      unpackFlush(packed).map((s) => ({ id: s.seriesId, chunks: s.chunks.map((c) => [...c]) })),
    ).toEqual(series.map((s) => ({ id: s.seriesId, chunks: s.chunks.map((c) => [...c]) })));
    expect(unpackFlush(packFlush([]))).toEqual([]);
  });
});

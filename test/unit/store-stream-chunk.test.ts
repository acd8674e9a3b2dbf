// The open chunk encodes as samples arrive and decodes to exactly what went in, widening its
// decimal exponent (or falling back to floats) when a later value needs it.
import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeColumns } from '../../electron/core/store/codec.js';
import { StreamChunk } from '../../electron/core/store/stream-chunk.js';

const T0 = 1_700_000_000_000;

function fill(values: number[], step = 1000): StreamChunk {
  const c = new StreamChunk();
  values.forEach((v, i) => c.append(T0 + i * step + (i % 3), v));
  return c;
}

function roundTrip(values: number[]): void {
  const c = fill(values);
  const d = decodeChunk(c.bytes());
  expect([...d.ts]).toEqual(values.map((_, i) => T0 + i * 1000 + (i % 3)));
  values.forEach((v, i) => expect(Object.is(d.values[i], v), `value ${i}`).toBe(true));
  expect(c.rows).toBe(values.length);
}

describe('StreamChunk', () => {
  it('matches the codec byte for byte on decimal gauges', () => {
    const values = Array.from(
      { length: 120 },
      (_, i) => Math.round((40 + Math.sin(i) * 9) * 100) / 100,
    );
    const c = fill(values);
    const ts = values.map((_, i) => T0 + i * 1000 + (i % 3));
    // The same bytes the codec writes for these samples without deflate.
    expect([...c.bytes()]).toEqual([...encodeColumns(ts, [values], values.length, false)]);
    const d = decodeChunk(c.bytes());
    expect([...d.values]).toEqual(values);
    // Far smaller than 12 bytes a sample of typed arrays.
    expect(c.bytes().length / values.length).toBeLessThan(4);
  });

  it('widens its exponent when a value needs more decimals, and stays exact', () => {
    roundTrip([1, 2, 3.5, 4.25, 5.125, 6]);
    roundTrip([10, 20, 0.1 + 0.2, 40]); // not decimal at all: floats from there on
    roundTrip([1e12, 2e12, 0.5]); // a big value that no wider exponent can hold: floats
    roundTrip([0, -0, 1]);
    roundTrip([Number.MAX_VALUE, -Number.MIN_VALUE, 3]);
  });

  it('answers has() and decodes for reads', () => {
    const c = fill([1, 2, 3, 4]);
    expect(c.has(T0 + 1000 + 1)).toBe(true);
    expect(c.has(T0 + 1000)).toBe(false);
    expect(c.has(T0 - 1)).toBe(false);
    expect([...c.decode().values]).toEqual([1, 2, 3, 4]);
    expect(new StreamChunk().decode().ts.length).toBe(0);
  });
});

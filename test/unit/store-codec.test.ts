// The chunk codec round-trips exactly, whatever the values and timestamps, and compresses
// steady gauges well.
import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk } from '../../electron/core/store/codec.js';

const T0 = 1_700_000_000_000;

/** Seeded uniform [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function roundTrip(ts: number[], values: number[]): Uint8Array {
  const buf = encodeChunk(ts, values, ts.length);
  const out = decodeChunk(buf);
  expect([...out.ts]).toEqual(ts);
  // Bit for bit: Object.is tells −0 from 0.
  values.forEach((v, i) => expect(Object.is(out.values[i], v), `value ${i}: ${v}`).toBe(true));
  return buf;
}

const steady = (n: number, interval = 1000) =>
  Array.from({ length: n }, (_, i) => T0 + i * interval);

describe('chunk codec', () => {
  it('round-trips random full-precision floats', () => {
    const r = prng(1);
    const values = Array.from({ length: 500 }, () => (r() - 0.5) * 1e6);
    roundTrip(steady(500), values);
  });

  it('round-trips constants, one sample, and monotonic counters', () => {
    roundTrip(steady(300), Array(300).fill(42));
    roundTrip([T0], [3.25]);
    let c = 0;
    roundTrip(
      steady(300),
      Array.from({ length: 300 }, (_, i) => (c += i * 17)),
    );
  });

  it('round-trips edge values: ±0, huge and tiny, max safe integers, subnormals', () => {
    const edge = [
      0,
      -0,
      1,
      -1,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      Number.EPSILON,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 52 + 0.5,
      1e-300,
      1e300,
      0.1 + 0.2,
      123.456,
    ];
    roundTrip(steady(edge.length), edge);
    // Mixed into an otherwise decimal chunk, one awkward value sends it down the float path.
    roundTrip(steady(4), [1.5, 2.25, 0.1 + 0.2, 4]);
    roundTrip(steady(3), [1.5, -0, 2]);
  });

  it('round-trips timestamps with jitter, gaps, duplicates and steps back', () => {
    const r = prng(2);
    const ts: number[] = [];
    let t = T0;
    for (let i = 0; i < 400; i++) {
      t += i % 50 === 0 ? 3_600_000 : 1000 + Math.round((r() - 0.5) * 20);
      ts.push(t);
    }
    ts.splice(10, 0, ts[9]!); // a duplicate timestamp
    ts.splice(20, 0, ts[19]! - 5); // a step back
    roundTrip(
      ts,
      ts.map((_, i) => i),
    );
  });

  it('keeps a 1 s gauge at two decimals under 2 bytes a sample, a slow one far under', () => {
    const r = prng(3);
    const n = 3600;
    const ts: number[] = [];
    let t = T0;
    for (let i = 0; i < n; i++) ts.push((t += 1000 + Math.round((r() - 0.5) * 8)));
    // cpu-like noise at 0.1 % resolution, and a slowly filling disk at 0.01 %.
    const cpu = ts.map(() => Math.round((40 + (r() - 0.5) * 16) * 10) / 10);
    let disk = 40;
    const slow = ts.map(() => Math.round((disk += 0.0005 * r()) * 100) / 100);
    expect(roundTrip(ts, cpu).length / n).toBeLessThan(2);
    expect(roundTrip(ts, slow).length / n).toBeLessThan(1);
  });

  it('refuses damaged input with an error instead of garbage', () => {
    const buf = encodeChunk(steady(200), steady(200), 200);
    expect(() => decodeChunk(buf.subarray(0, 10))).toThrow();
    expect(() => decodeChunk(Uint8Array.of(0xff, 1, 1))).toThrow(/flags/);
    expect(() => encodeChunk([], [], 0)).toThrow();
  });
});

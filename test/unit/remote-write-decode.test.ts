// The remote-write decoder's fast path for Samples against the generic protobufjs reading it
// replaced (test/helpers/write-request-reference.ts): on random requests, random corruptions
// of them and every odd encoding of a Sample, both give the same series, values (bit for bit)
// and timestamps, or refuse with the same code.
import protobuf from 'protobufjs';
import { describe, expect, it, vi } from 'vitest';
import {
  BadWriteRequest,
  DEFAULT_WRITE_CAPS,
  decodeWriteRequest,
  type WriteRequest,
  type WriteRequestCaps,
} from '../../electron/core/remote-write/write-request.js';
import { STALE, snappyCompress, writeRequestBytes } from '../helpers/remote-write.js';
import { referenceDecode } from '../helpers/write-request-reference.js';
import { seededRandom } from '../../agent/prng.js';

/** Seeded, so a failure names the seed that reproduces it. */
const rng = seededRandom;

type Outcome =
  | { ok: true; series: { labels: string[]; values: string[]; timestamps: number[] }[] }
  | { ok: false; code: string };

const bitsOf = (v: number) => Buffer.from(new Float64Array([v]).buffer).toString('hex');

function outcome(decode: () => WriteRequest): Outcome {
  try {
    return {
      ok: true,
      series: decode().timeseries.map((s) => ({
        labels: s.labels.map((l) => `${l.name}=${l.value}`),
        values: s.values.map(bitsOf),
        timestamps: s.timestamps,
      })),
    };
  } catch (err) {
    if (!(err instanceof BadWriteRequest)) throw err;
    return { ok: false, code: err.code };
  }
}

function expectSame(body: Uint8Array, caps: WriteRequestCaps = DEFAULT_WRITE_CAPS): Outcome {
  const ours = outcome(() => decodeWriteRequest(body, caps));
  expect(ours).toEqual(outcome(() => referenceDecode(body, caps)));
  return ours;
}

function randomValue(r: () => number): number | typeof STALE {
  const pick = r();
  if (pick < 0.15) return 0;
  if (pick < 0.2) return STALE;
  if (pick < 0.25) return [NaN, Infinity, -Infinity, -0][Math.floor(r() * 4)]!;
  if (pick < 0.5) return Math.round(r() * 1000);
  return (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10);
}

function randomTimestamp(r: () => number): number {
  const pick = r();
  if (pick < 0.1) return 0;
  if (pick < 0.2) return Math.floor(r() * 300);
  if (pick < 0.3) return -Math.floor(r() * 2 ** 40);
  if (pick < 0.4) return Math.floor(r() * 2 ** 53);
  return 1_700_000_000_000 + Math.floor(r() * 1e9);
}

function randomRequest(r: () => number): Parameters<typeof writeRequestBytes>[0] {
  return Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) => ({
    labels: {
      __name__: `m_${i}`,
      instance: `h${Math.floor(r() * 3)}:9100`,
      ...(r() < 0.5 ? { device: 'é'.repeat(Math.floor(r() * 3)) + String(r()) } : {}),
    },
    samples: Array.from({ length: Math.floor(r() * 8) }, () => ({
      value: randomValue(r),
      ts: randomTimestamp(r),
    })),
  }));
}

describe('decodeWriteRequest: the Sample fast path', () => {
  it('reads random requests exactly as the generic reader, and as they were written', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const spec = randomRequest(r);
      const got = expectSame(snappyCompress(writeRequestBytes(spec)));
      expect(got.ok, `seed ${seed}`).toBe(true);
      if (!got.ok) continue;
      expect(got.series.map((s) => s.timestamps)).toEqual(
        spec.map((s) => s.samples.map((x) => x.ts)),
      );
    }
  });

  it('agrees with the generic reader on random corruptions (flips, cuts, insertions)', () => {
    let refused = 0;
    for (let seed = 1; seed <= 2_000; seed++) {
      const r = rng(seed);
      const bytes = Buffer.from(writeRequestBytes(randomRequest(r)));
      let mutated: Buffer = bytes;
      for (let k = 0, n = 1 + Math.floor(r() * 3); k < n && mutated.length > 0; k++) {
        const at = Math.floor(r() * mutated.length);
        const kind = r();
        if (kind < 0.5) {
          mutated = Buffer.from(mutated);
          mutated[at] = Math.floor(r() * 256);
        } else if (kind < 0.75) mutated = mutated.subarray(0, at);
        else
          mutated = Buffer.concat([
            mutated.subarray(0, at),
            Buffer.from([Math.floor(r() * 256)]),
            mutated.subarray(at),
          ]);
      }
      const caps = { ...DEFAULT_WRITE_CAPS, maxSamples: 20, maxLabelsPerSeries: 3 };
      if (!expectSame(snappyCompress(mutated), caps).ok) refused++;
    }
    // The corruptions reach the refusals too, not only harmless bytes.
    expect(refused).toBeGreaterThan(100);
  });

  it('reads every other encoding of a Sample as the generic reader does', () => {
    const sample = (build: (w: protobuf.Writer) => void) => {
      const w = protobuf.Writer.create();
      w.uint32(10).fork();
      w.uint32(10).fork().uint32(10).string('__name__').uint32(18).string('m').ldelim();
      w.uint32(18).fork();
      build(w);
      w.ldelim().ldelim();
      return snappyCompress(w.finish());
    };
    const cases: [string, (w: protobuf.Writer) => void, [number, number] | null][] = [
      ['timestamp before value', (w) => w.uint32(16).int64(7).uint32(9).double(1.5), [1.5, 7]],
      ['value 0 left out', (w) => w.uint32(16).int64(1_700_000_000_000), [0, 1_700_000_000_000]],
      ['timestamp 0 left out', (w) => w.uint32(9).double(2.5), [2.5, 0]],
      ['an empty Sample', () => {}, [0, 0]],
      [
        'an unknown field after',
        (w) => w.uint32(9).double(3).uint32(16).int64(5).uint32(24).uint32(1),
        [3, 5],
      ],
      ['a 10-byte negative timestamp', (w) => w.uint32(9).double(1).uint32(16).int64(-5), [1, -5]],
      [
        'a timestamp of 2^52',
        (w) =>
          w
            .uint32(9)
            .double(1)
            .uint32(16)
            .int64(2 ** 52),
        [1, 2 ** 52],
      ],
      [
        'the value twice (the last wins)',
        (w) => w.uint32(9).double(1).uint32(9).double(4).uint32(16).int64(5),
        [4, 5],
      ],
      [
        'a length of 2 varint bytes',
        (w) => w.uint32(9).double(1).uint32(16).int64(5).uint32(26).bytes(new Uint8Array(130)),
        [1, 5],
      ],
      ['a truncated double', (w) => w.uint32(9).fixed32(1), null],
      ['a timestamp of wire type 1', (w) => w.uint32(17).double(1), [0, 0]],
    ];
    for (const [what, build, want] of cases) {
      const got = expectSame(sample(build));
      if (want === null) expect(got, what).toEqual({ ok: false, code: 'bad_protobuf' });
      else
        expect(got, what).toEqual({
          ok: true,
          series: [{ labels: ['__name__=m'], values: [bitsOf(want[0])], timestamps: [want[1]] }],
        });
    }
  });

  it('still counts samples against the cap on the fast path', () => {
    const body = snappyCompress(
      writeRequestBytes([
        {
          labels: { __name__: 'm' },
          samples: Array.from({ length: 11 }, (_, i) => ({ value: i, ts: 1_700_000_000_000 + i })),
        },
      ]),
    );
    expect(expectSame(body, { ...DEFAULT_WRITE_CAPS, maxSamples: 10 })).toEqual({
      ok: false,
      code: 'too_large',
    });
    expect(expectSame(body, { ...DEFAULT_WRITE_CAPS, maxSamples: 11 }).ok).toBe(true);
  });

  it('reads well-formed Samples without the generic int64 reading (an object per timestamp)', () => {
    const int64 = vi.spyOn(protobuf.Reader.prototype, 'int64');
    try {
      const got = expectSame(
        snappyCompress(
          writeRequestBytes([
            {
              labels: { __name__: 'm' },
              samples: Array.from({ length: 50 }, (_, i) => ({ value: i, ts: 1.7e12 + i })),
            },
          ]),
        ),
      );
      expect(got.ok).toBe(true);
      // Only the reference decoder's 50 reads, none from decodeWriteRequest.
      expect(int64).toHaveBeenCalledTimes(50);
    } finally {
      int64.mockRestore();
    }
  });
});

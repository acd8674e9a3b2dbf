import { describe, expect, it } from 'vitest';
import {
  hostnameOf,
  mapWriteRequest,
  samplesOf,
} from '../../electron/core/remote-write/series-mapping.js';
import {
  BadWriteRequest,
  DEFAULT_WRITE_CAPS,
  decodeWriteRequest,
  isStaleMarker,
} from '../../electron/core/remote-write/write-request.js';
import { STALE, writeRequestBody } from '../helpers/remote-write.js';

const opts = { regionLabel: 'region', defaultRegion: null };
const series = (labels: Record<string, string>, value = 1, ts = 1_700_000_000_000) => ({
  labels: Object.entries(labels).map(([name, v]) => ({ name, value: v })),
  values: [value],
  timestamps: [ts],
});

describe('decodeWriteRequest', () => {
  it('round-trips labels, float values and int64 ms timestamps as numbers', () => {
    const decoded = decodeWriteRequest(
      writeRequestBody([
        {
          labels: { __name__: 'a', instance: 'x:1' },
          samples: [{ value: 1.5, ts: 1_700_000_000_123 }],
        },
      ]),
    );
    expect(decoded.timeseries).toHaveLength(1);
    const ts = decoded.timeseries[0]!;
    expect(ts.labels.map((l) => [l.name, l.value])).toEqual([
      ['__name__', 'a'],
      ['instance', 'x:1'],
    ]);
    expect(ts.values).toEqual([1.5]);
    expect(ts.timestamps).toEqual([1_700_000_000_123]);
  });

  it('knows the stale marker from other NaNs after decoding', () => {
    const decoded = decodeWriteRequest(
      writeRequestBody([
        {
          labels: { __name__: 'a' },
          samples: [
            { value: STALE, ts: 1 },
            { value: Number.NaN, ts: 2 },
          ],
        },
      ]),
    );
    const [stale, nan] = decoded.timeseries[0]!.values;
    expect(isStaleMarker(stale!)).toBe(true);
    expect(isStaleMarker(nan!)).toBe(false);
    expect(isStaleMarker(1)).toBe(false);
  });

  it('refuses caps before decoding objects', () => {
    const body = writeRequestBody(
      Array.from({ length: 11 }, (_, i) => ({ labels: { __name__: `m${i}` }, samples: [] })),
    );
    expect(() => decodeWriteRequest(body, { ...DEFAULT_WRITE_CAPS, maxSeries: 10 })).toThrow(
      BadWriteRequest,
    );
    expect(() => decodeWriteRequest(body, { ...DEFAULT_WRITE_CAPS, maxDecodedBytes: 16 })).toThrow(
      /declares/,
    );
  });
});

describe('mapWriteRequest', () => {
  it('groups series by region and instance, keeps other labels, drops empty-valued ones', () => {
    const mapped = mapWriteRequest(
      [
        series({
          __name__: 'a',
          instance: 'web-1:9100',
          region: 'eu-west-1',
          job: 'node',
          empty: '',
        }),
        series({ __name__: 'b', instance: 'web-1:9100', region: 'eu-west-1' }),
        series({ __name__: 'a', instance: 'web-1:9100', region: 'us-east-1' }),
      ],
      opts,
    );
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.batches.map((b) => b.key)).toEqual([
      'eu-west-1/web-1_9100',
      'us-east-1/web-1_9100',
    ]);
    expect(samplesOf(mapped.batches[0]!)).toEqual([
      { name: 'a', value: 1, ts: 1_700_000_000_000, labels: { job: 'node' } },
      { name: 'b', value: 1, ts: 1_700_000_000_000 },
    ]);
  });

  it('uses the configured region label and default region', () => {
    const mapped = mapWriteRequest(
      [series({ __name__: 'a', dc: 'ap-south-1' }), series({ __name__: 'b' })],
      {
        regionLabel: 'dc',
        defaultRegion: 'us-east-1',
      },
    );
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.batches.map((b) => b.key)).toEqual([
      'ap-south-1/remote-write',
      'us-east-1/remote-write',
    ]);
  });

  it('refuses the whole request for a series without a name, a region, or with a label twice', () => {
    const good = series({ __name__: 'a', region: 'eu-west-1' });
    expect(mapWriteRequest([good, series({ region: 'eu-west-1' })], opts)).toMatchObject({
      ok: false,
      code: 'bad_series',
    });
    expect(mapWriteRequest([good, series({ __name__: 'a' })], opts)).toMatchObject({
      ok: false,
      code: 'missing_region',
    });
    const twice = {
      labels: [
        { name: '__name__', value: 'a' },
        { name: '__name__', value: 'b' },
      ],
      values: [],
      timestamps: [],
    };
    expect(mapWriteRequest([twice], opts)).toMatchObject({ ok: false, code: 'bad_series' });
  });

  it('skips, and counts, series the console cannot hold, and non-finite values', () => {
    const tooMany: Record<string, string> = { __name__: 'a', region: 'eu-west-1' };
    for (let i = 0; i < 17; i++) tooMany[`l${i}`] = 'x';
    const mapped = mapWriteRequest(
      [
        series(tooMany),
        series({ __name__: 'a', region: 'eu-west-1', _private: 'x' }),
        series({ __name__: 'a', region: 'eu-west-1' }, Number.POSITIVE_INFINITY),
        series({ __name__: 'ok', region: 'eu-west-1' }, 2),
      ],
      opts,
    );
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.skipped).toEqual({ stale_marker: 0, non_finite: 1, unrepresentable: 2 });
    expect(mapped.batches.flatMap((b) => samplesOf(b).map((s) => s.name))).toEqual(['ok']);
    expect(mapped.batches.map((b) => b.count)).toEqual([1]);
  });

  it('makes no Sample objects itself: samplesOf makes an instance’s when it is stored', () => {
    const labels = { __name__: 'a', instance: 'h:1', region: 'eu-west-1', job: 'node' };
    const decoded = {
      labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
      values: [1, Number.NaN, 3],
      timestamps: [1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002],
    };
    const mapped = mapWriteRequest([decoded, series({ ...labels, instance: 'h:2' }, 7)], opts);
    if (!mapped.ok) throw new Error(mapped.message);
    // The batches hold the decoded columns, not samples.
    expect(mapped.batches[0]!.runs[0]!.values).toBe(decoded.values);
    expect(mapped.batches.map((b) => b.count)).toEqual([2, 1]);
    const first = samplesOf(mapped.batches[0]!);
    expect(first).toEqual([
      { name: 'a', value: 1, ts: 1_700_000_000_000, labels: { job: 'node' } },
      { name: 'a', value: 3, ts: 1_700_000_000_002, labels: { job: 'node' } },
    ]);
    // One labels object per series, shared by its samples (the store keys a run of them once).
    expect(first[0]!.labels).toBe(first[1]!.labels);
    expect(samplesOf(mapped.batches[1]!)).toEqual([
      { name: 'a', value: 7, ts: 1_700_000_000_000, labels: { job: 'node' } },
    ]);
  });

  it('makes hostnames the registry takes from any instance', () => {
    expect(hostnameOf('web-1:9100')).toBe('web-1_9100');
    expect(hostnameOf('[::1]:9090')).toBe('rw___1__9090');
    expect(hostnameOf('')).toBe('remote-write');
  });
});

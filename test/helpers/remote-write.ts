// Remote-write 1.0 requests as Prometheus sends them (snappy block format around a protobuf
// WriteRequest), built with the same libraries the console decodes with, for tests and the bench.
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

export interface SeriesSpec {
  labels: Record<string, string>;
  samples: { value: number; ts: number }[];
}

/** Prometheus' stale marker as its two little-endian 32-bit words (0x7ff0000000000002). */
export const STALE_MARKER_WORDS = [0x0000_0002, 0x7ff0_0000] as const;
/** A sample value that is written as the exact stale-marker bits. */
export const STALE = Symbol('stale');

/** The protobuf bytes of a WriteRequest (uncompressed). Labels are sorted, as senders do. */
export function writeRequestBytes(
  series: readonly (
    | SeriesSpec
    | { labels: Record<string, string>; samples: { value: number | typeof STALE; ts: number }[] }
  )[],
): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32(10).fork();
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)))
      w.uint32(10).fork().uint32(10).string(name).uint32(18).string(value).ldelim();
    for (const x of s.samples) {
      w.uint32(18).fork();
      if (x.value === STALE)
        w.uint32(9).fixed32(STALE_MARKER_WORDS[0]).fixed32(STALE_MARKER_WORDS[1]);
      else w.uint32(9).double(x.value);
      w.uint32(16).int64(x.ts).ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

export function snappyCompress(bytes: Uint8Array): Buffer {
  return Buffer.from(snappy.compress(bytes));
}

/** A remote-write body: snappy of the WriteRequest. */
export function writeRequestBody(series: Parameters<typeof writeRequestBytes>[0]): Buffer {
  return snappyCompress(writeRequestBytes(series));
}

/** The headers a remote-write 1.0 sender sends. */
export function remoteWriteHeaders(token: string | null): Record<string, string> {
  return {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
    ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
  };
}

/** The ingest port's HTTP base URL from its ws:// URL. */
export function ingestHttpUrl(ingestUrl: string): string {
  return ingestUrl.replace(/^ws/, 'http');
}

export interface WriteAnswer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string } } | null;
}

/** POST a body to /api/v1/write over real HTTP. */
export async function postWrite(
  ingestUrl: string,
  body: Uint8Array,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<WriteAnswer> {
  const res = await fetch(`${ingestHttpUrl(ingestUrl)}/api/v1/write`, {
    method: 'POST',
    headers: { ...remoteWriteHeaders(token), ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as WriteAnswer['body']) : null,
  };
}

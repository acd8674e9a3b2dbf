// config.json's `remoteWrite`: the long-term stores the console forwards every sample to
// (docs/interop.md, "Remote write out"). Checked with the rest of the file (../../config.ts).
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../config-error.js';

export const DEFAULT_MAX_SHARDS = 4;
export const MAX_SHARDS = 16;
export const DEFAULT_BATCH_SAMPLES = 2_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

export const RemoteWriteSetting = Type.Array(
  Type.Object(
    {
      url: Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s#]*$', maxLength: 2048 }),
      bearer: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
      basicAuth: Type.Optional(
        Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 256 }),
            password: Type.String({ maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
      ),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000 })),
      maxShards: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SHARDS })),
      batchSamples: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
      headers: Type.Optional(
        Type.Record(
          Type.String({ pattern: '^[A-Za-z0-9-]{1,128}$' }),
          Type.String({ maxLength: 4096, pattern: '^[^\\r\\n]*$' }),
        ),
      ),
    },
    { additionalProperties: false },
  ),
  { maxItems: 16 },
);
export type RemoteWriteConfig = Static<typeof RemoteWriteSetting>[number];

/** The headers remote-write itself sets: a config may not replace them. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-encoding',
  'content-length',
  'x-prometheus-remote-write-version',
  'authorization',
  'host',
]);

/** What the schema cannot say: one kind of credential, each URL once, no reserved header. */
export function checkRemoteWrite(
  list: readonly RemoteWriteConfig[] | undefined,
  path: string,
): void {
  const seen = new Set<string>();
  (list ?? []).forEach((rw, i) => {
    if (rw.basicAuth && rw.bearer)
      throw new ConfigError(`${path}: field 'remoteWrite/${i}' give basicAuth or bearer, not both`);
    if (seen.has(rw.url))
      throw new ConfigError(`${path}: field 'remoteWrite/${i}/url' is listed twice`);
    seen.add(rw.url);
    for (const name of Object.keys(rw.headers ?? {}))
      if (RESERVED_HEADERS.has(name.toLowerCase()))
        throw new ConfigError(
          `${path}: field 'remoteWrite/${i}/headers/${name}' is set by remote write itself`,
        );
  });
}

/** A destination as the sender runs it: defaults filled in, an id for its cursor file. */
export interface RemoteWriteTarget {
  /** Stable across restarts while the URL stays: names `<data-dir>/remote-write/<id>.pos`. */
  id: string;
  url: string;
  /** The URL as shown on /metrics and in the UI: no user info, no query (may hold keys). */
  label: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxShards: number;
  batchSamples: number;
}

export function remoteWriteTarget(rw: RemoteWriteConfig): RemoteWriteTarget {
  const headers: Record<string, string> = { ...rw.headers };
  if (rw.bearer) headers['Authorization'] = `Bearer ${rw.bearer}`;
  if (rw.basicAuth) {
    const { username, password } = rw.basicAuth;
    headers['Authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const u = new URL(rw.url);
  return {
    id: createHash('sha256').update(rw.url).digest('hex').slice(0, 16),
    url: rw.url,
    label: `${u.protocol}//${u.host}${u.pathname}`,
    headers,
    timeoutMs: rw.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxShards: Math.min(MAX_SHARDS, rw.maxShards ?? DEFAULT_MAX_SHARDS),
    batchSamples: rw.batchSamples ?? DEFAULT_BATCH_SAMPLES,
  };
}

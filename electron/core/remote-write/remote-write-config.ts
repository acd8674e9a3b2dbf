// config.json's `remoteWriteReceiver`: how series that Prometheus-style senders push to the ingest port
// map to agents and regions, and how long such an agent may stay silent. Checked with the rest
// of the file (electron/core/config.ts).
import { Type, type Static } from '@sinclair/typebox';

export const RemoteWriteSetting = Type.Object(
  {
    /** The label that names a series' region (Prometheus: an `external_labels` entry). */
    regionLabel: Type.Optional(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]{0,63}$' })),
    /** The region of series without that label; none: such a request is refused (400). */
    defaultRegion: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
    /** A sender's agent counts as offline after this long without a write. */
    offlineAfterMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 24 * 3_600_000 })),
    /** Largest request body taken, compressed (413 above it). */
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 256 * 1024 * 1024 })),
  },
  { additionalProperties: false },
);
export type RemoteWriteSetting = Static<typeof RemoteWriteSetting>;

export interface RemoteWriteConfig {
  regionLabel: string;
  defaultRegion: string | null;
  offlineAfterMs: number;
  maxBodyBytes: number;
}

export const DEFAULT_REMOTE_WRITE: RemoteWriteConfig = {
  regionLabel: 'region',
  defaultRegion: null,
  // Prometheus sends what a scrape gathered within its batch deadline (5 s): with a 1 min
  // scrape interval, a write a minute. Two missed scrapes and a margin before "offline".
  offlineAfterMs: 150_000,
  maxBodyBytes: 16 * 1024 * 1024,
};

export function remoteWriteConfig(setting: RemoteWriteSetting | undefined): RemoteWriteConfig {
  return {
    regionLabel: setting?.regionLabel ?? DEFAULT_REMOTE_WRITE.regionLabel,
    defaultRegion: setting?.defaultRegion ?? DEFAULT_REMOTE_WRITE.defaultRegion,
    offlineAfterMs: setting?.offlineAfterMs ?? DEFAULT_REMOTE_WRITE.offlineAfterMs,
    maxBodyBytes: setting?.maxBodyBytes ?? DEFAULT_REMOTE_WRITE.maxBodyBytes,
  };
}

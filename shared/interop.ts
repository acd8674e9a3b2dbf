// Interop with the Prometheus ecosystem (electron/core/interop/): what the API says about the
// Alertmanagers the console forwards its alerts to.

import type { RelaysResponse } from './relays.js';
export interface AlertmanagerStatus {
  url: string;
  /** Alerts waiting to be posted (bounded; past the bound the oldest are dropped). */
  queued: number;
  /** Alerts Alertmanager accepted, failed posts, alerts dropped (queue full or refused). */
  sent: number;
  errors: number;
  dropped: number;
  lastSuccessAt: number | null;
  lastError: { at: number; message: string } | null;
  /** When the next retry goes, while posting fails. */
  retryAt: number | null;
}

/** A remote-write destination (config.json `remoteWrite`) and how forwarding to it goes. */
export interface RemoteWriteStatus {
  /** The URL without user info or query. */
  url: string;
  /** Samples queued and not yet acked; the age of the oldest of them. */
  pending: number;
  lagSeconds: number;
  /** Shards the last window went over (at most the destination's maxShards). */
  shards: number;
  /** Samples acked; failed requests; samples given up (4xx other than 429, or the queue cap). */
  sent: number;
  failed: number;
  dropped: number;
  lastSuccessAt: number | null;
  lastError: { at: number; message: string } | null;
  retryAt: number | null;
}

export interface InteropRoutes {
  /** Each configured Alertmanager and how forwarding to it goes. */
  'GET /api/v1/alertmanagers': {
    query: never;
    body: never;
    response: { resendDelayMs: number; alertmanagers: AlertmanagerStatus[] };
  };
  /** Each remote-write destination and how forwarding to it goes. */
  'GET /api/v1/remote-write': {
    query: never;
    body: never;
    response: { destinations: RemoteWriteStatus[] };
  };
  /** Regional relays: link state, agents behind each, queue and lag (shared/relays.ts). */
  'GET /api/v1/relays': {
    query: never;
    body: never;
    response: RelaysResponse;
  };
}

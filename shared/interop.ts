// Interop with the Prometheus ecosystem (electron/core/interop/): what the API says about the
// Alertmanagers the console forwards its alerts to.

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

export interface InteropRoutes {
  /** Each configured Alertmanager and how forwarding to it goes. */
  'GET /api/v1/alertmanagers': {
    query: never;
    body: never;
    response: { resendDelayMs: number; alertmanagers: AlertmanagerStatus[] };
  };
}

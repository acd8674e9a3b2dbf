// The incident manager's settings (config.json may set each; see docs/operations.md).
import type { FlapOptions } from './flapping.js';
import type { IncidentLogOptions } from './incident-log.js';

export interface IncidentOptions extends IncidentLogOptions {
  /** Alerts of one region within this of the incident's last alert join it. */
  groupWindowMs: number;
  /** A resolved incident a related alert fires into within this is reopened. */
  reopenWindowMs: number;
  flap: FlapOptions;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = {
  groupWindowMs: 5 * 60_000,
  reopenWindowMs: 5 * 60_000,
  flap: { maxFires: 3, windowMs: 10 * 60_000 },
  retentionMs: 90 * 86_400_000,
  maxBytes: 64 * 1024 * 1024,
  debounceMs: 1_000,
};

// The core's detection side, built from its parts: the security service fed by `event.stored`,
// its /metrics figures, and its lifecycle. Kept out of core.ts (as recovery-wiring.ts is) so
// the core stays about lifecycle.
import { join } from 'node:path';
import { DEFAULT_REGIONS } from '../../../shared/regions.js';
import type { Clock } from '../clock.js';
import type { CoreConfig } from '../config.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { createSecurityMetrics } from './security-metrics.js';
import { SecurityService } from './security-service.js';

export interface SecurityParts {
  config: Pick<CoreConfig, 'dataDir' | 'regions'>;
  clock: Clock;
  logger: Logger;
  events: CoreEvents;
  metrics: Pick<CoreMetrics, 'registry'>;
  fleet: Pick<Fleet, 'agent'>;
  alerts: AlertBook;
}

export interface Security {
  service: SecurityService;
  /** Load the rules (before ingest listens). */
  open(): Promise<void>;
  /** Sweep on the clock (after the alerts are restored). */
  start(): void;
  stop(): void;
  /** The ingest refused an agent token from `source` (wrong or missing, or while throttled). */
  onIngestRefused(source: string, reason: IngestRefusal): void;
}

export type IngestRefusal = 'unauthorized' | 'auth_rate_limited';

/** Where operators put their own Sigma rules. */
export const detectionsDir = (dataDir: string) => join(dataDir, 'detections');

export function createSecurity(p: SecurityParts): Security {
  let service: SecurityService | null = null;
  const metrics = createSecurityMetrics(p.metrics.registry, {
    evictions: () => service?.evictions() ?? {},
  });
  service = new SecurityService(
    {
      clock: p.clock,
      logger: p.logger,
      alerts: p.alerts,
      hostnameOf: (id) => p.fleet.agent(id)?.hostname,
      metrics,
    },
    {
      operatorDir: detectionsDir(p.config.dataDir),
      sweepEveryMs: 10_000,
      plainQuietMs: 5 * 60_000,
      maxRecent: 1_000,
      regions: [
        ...DEFAULT_REGIONS,
        ...p.config.regions.filter((r) => !DEFAULT_REGIONS.some((d) => d.id === r.id)),
      ],
    },
  );
  const started = service;
  let unsubscribe: (() => void) | null = null;
  return {
    service: started,
    open: () => started.load(),
    start: () => {
      unsubscribe = p.events.on('event.stored', ({ event }) => started.onEvent(event));
      started.start();
    },
    stop: () => {
      unsubscribe?.();
      started.stop();
    },
    onIngestRefused: (source, reason) =>
      started.onConsoleEvent(ingestRefusalEvent(p.clock.now(), source, reason)),
  };
}

/** The console's own security event for a refused agent token (docs/security.md). */
export function ingestRefusalEvent(ts: number, source: string, reason: IngestRefusal) {
  return {
    ts,
    category: 'security' as const,
    severity: 'warning' as const,
    source: 'ingest',
    message:
      reason === 'unauthorized'
        ? `ingest refused a missing or wrong agent token from ${source}`
        : `ingest refused ${source} without checking its token: too many wrong tokens`,
    attributes: { 'event.type': 'ingest_auth_refused', src_ip: source, reason },
    hostname: 'console',
  };
}

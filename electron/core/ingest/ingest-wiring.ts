// The core's ingest side: the pipeline that takes agents' frames into the fleet, the store,
// the rules and the anomaly detectors, and the WebSocket server in front of it. Kept out of
// core.ts (as api-wiring.ts is) so the core stays about lifecycle.
import { hostname, networkInterfaces } from 'node:os';
import type { Clock } from '../clock.js';
import type { CoreConfig } from '../config.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { NetLimits } from '../net/limits.js';
import type { LiveFigures } from '../stats.js';
import type { IngestCredentials } from './ingest-auth.js';
import { RemoteWriteReceiver } from '../remote-write/receiver.js';
import { remoteWriteConfig } from '../remote-write/remote-write-config.js';
import { IngestPipeline, type PipelineDeps } from './pipeline.js';
import { IngestServer, type IngestDeps } from './server.js';
import type { RelayHub } from '../relay/central/relay-hub.js';

export type IngestParts = Omit<PipelineDeps, 'maxSampleAgeMs'> & {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  logger: Logger;
  fleet: Fleet;
  metrics: CoreMetrics;
  live: LiveFigures;
  /** Each refused agent token, by source address (the security side's ingest-refusal events). */
  onAuthRefused?: IngestDeps['onAuthRefused'];
  /** Regional relays' links (at /relay), fed through the same pipeline. */
  relays?: RelayHub;
};

export function createIngest(
  config: CoreConfig,
  limits: NetLimits,
  credentials: IngestCredentials,
  tls: { cert: string; key: string } | null,
  parts: IngestParts,
): IngestServer {
  const { logger, onAuthRefused, relays, ...deps } = parts;
  const pipeline = new IngestPipeline(
    { ...deps, maxSampleAgeMs: maxSampleAgeMs(config) },
    config.heartbeatIntervalMs,
  );
  const { fleet } = parts;
  relays?.attach(pipeline);
  const remoteWrite = new RemoteWriteReceiver(
    {
      clock: parts.clock,
      logger,
      metrics: parts.metrics,
      handler: pipeline,
      agentExists: (id) => fleet.agent(id) !== undefined,
      alive: (id, silenceAllowedMs) => fleet.heartbeat(id, silenceAllowedMs),
    },
    remoteWriteConfig(config.remoteWriteReceiver),
  );
  return new IngestServer(
    {
      clock: parts.clock,
      logger,
      metrics: parts.metrics,
      handler: pipeline,
      http: remoteWrite,
      ...(relays ? { relays } : {}),
      ...(onAuthRefused ? { onAuthRefused } : {}),
    },
    {
      limits,
      host: config.ingestHost,
      port: config.ingestPort,
      credentials,
      tls,
      pingIntervalMs: config.pingIntervalMs,
      maxSendBufferBytes: config.maxSendBufferBytes,
    },
  );
}

/**
 * The host agents should dial. A wildcard bind (0.0.0.0, ::) is no address to connect to:
 * advertise this machine's first external IPv4 address instead (or its hostname).
 */
export function advertisedHost(bindHost: string): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  }
  return hostname();
}

/**
 * How old a sample may be and still be taken: raw retention less the time an hour waits
 * before compaction (the out-of-order window and a flush) and a margin, so a late sample
 * always finds its hour's raw data to be compacted with.
 */
export function maxSampleAgeMs(config: CoreConfig): number {
  const lag = config.outOfOrderWindowMs + config.checkpointEveryMs + 60_000;
  return Math.max(config.outOfOrderWindowMs, config.retention.rawMs - lag - 10 * 60_000);
}

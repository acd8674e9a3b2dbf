import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { NetLimits } from './limits.js';

/** Log the caps in force (and a warning if they exceed the open-files limit); gauge them. */
export function reportNetLimits(limits: NetLimits, logger: Logger, metrics: CoreMetrics): void {
  const { overBudget, ...figures } = limits;
  logger.info('connection limits', figures);
  if (overBudget) logger.warn('connection limits exceed the open-files limit', { overBudget });
  const gauge = metrics.connectionLimit;
  gauge.set({ port: 'api', kind: 'connections' }, limits.apiMaxConnections);
  gauge.set({ port: 'ingest', kind: 'unauthenticated' }, limits.ingestMaxUnauthenticated);
  gauge.set(
    { port: 'ingest', kind: 'unauthenticated_per_source' },
    limits.ingestMaxUnauthenticatedPerSource,
  );
  gauge.set({ port: 'ingest', kind: 'agent_connections' }, limits.ingestMaxAgentConnections);
}

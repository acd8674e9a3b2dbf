// The core's servers, built from its parts once it has loaded: the ingest pipeline and the
// WebSocket server in front of it, the API's routes, stream and HTTP server. Kept out of
// core.ts so the core stays about lifecycle.
import { createApi } from './api/api-wiring.js';
import type { ApiServer } from './api/server.js';
import type { StreamHub } from './api/stream.js';
import type { MonitoringCore } from './core.js';
import type { CoreCredentials } from './credentials/credentials-wiring.js';
import { createIngest } from './ingest/ingest-wiring.js';
import type { IngestServer } from './ingest/server.js';
import type { NetLimits } from './net/limits.js';
import { previewRule } from './rules/preview.js';

export function createServers(
  core: MonitoringCore,
  limits: NetLimits,
  credentials: CoreCredentials,
): { ingest: IngestServer; api: ApiServer; stream: StreamHub } {
  const ingest = createIngest(core.config, limits, credentials.service, credentials.tls, {
    clock: core.clock,
    ids: core.ids,
    events: core.events,
    logger: core.logger,
    fleet: core.fleet,
    evaluator: core.evaluator,
    anomalies: core.foresight.anomalies,
    store: core.store,
    eventLog: core.eventLog,
    metrics: core.metrics,
    live: core.live,
    admission: core.admission,
    registry: core.registry.log,
    recovery: core.recovery.service,
    onAuthRefused: (source, reason) => core.security.onIngestRefused(source, reason),
    posture: core.compliance,
    forward: core.remoteWrite.sink,
    relays: core.relays,
  });
  const { api, stream } = createApi({
    config: core.config,
    limits,
    clock: core.clock,
    logger: core.logger,
    events: core.events,
    metrics: core.metrics,
    sessionToken: core.sessionToken,
    fleet: core.fleet,
    alerts: core.alerts,
    incidents: core.incidents,
    eventLog: core.eventLog,
    rules: core.ruleBook,
    previewRule: (rule) =>
      previewRule(rule, {
        store: core.store,
        agent: (id) => core.fleet.agent(id),
        now: () => core.clock.now(),
      }),
    audit: core.audit,
    store: core.store,
    analysis: core.analysis,
    forecasting: core.foresight.api(),
    notify: core.notifier,
    recovery: { ...core.recovery, runs: core.recovery.views },
    security: core.security.service,
    credentials: credentials.service,
    compliance: core.compliance,
    session: () => core.session(),
    stats: () => core.stats(),
    storage: () => core.storageReport(),
    decommission: (id, by, comment) => core.registry.decommission(id, by, comment),
    alertmanagers: () => ({
      resendDelayMs: core.config.alertmanagerResendMs,
      alertmanagers: core.alertForwarding.forwarder.status(),
    }),
    remoteWrite: () => ({ destinations: core.remoteWrite.status() }),
    relays: () => ({ relays: core.relays.list() }),
  });
  return { ingest, api, stream };
}

// The core's later pillars, built from its parts: notifications, recovery, security,
// Alertmanager forwarding, compliance, remote write out and regional relays. Kept out of
// core.ts (as core-servers.ts is) so the core stays about lifecycle.
import { createCompliance } from './compliance/compliance-wiring.js';
import type { ComplianceService } from './compliance/compliance-service.js';
import type { MonitoringCore } from './core.js';
import type { IngestServer } from './ingest/server.js';
import { createAlertForwarding, type AlertForwarding } from './interop/alertmanager-wiring.js';
import { createRemoteWrite, type RemoteWrite } from './interop/remote-write-out/wiring.js';
import { createNotifier, type Notifier } from './notify/create-notifier.js';
import { createRecovery, type Recovery } from './recovery/recovery-wiring.js';
import type { RelayHub } from './relay/central/relay-hub.js';
import { createRelayHub } from './relay/central/relay-wiring.js';
import { createSecurity, type Security } from './security/security-wiring.js';
import { auditChainStatus } from './audit/audit-wiring.js';

export interface Pillars {
  notifier: Notifier;
  recovery: Recovery;
  security: Security;
  alertForwarding: AlertForwarding;
  compliance: ComplianceService;
  remoteWrite: RemoteWrite;
  relays: RelayHub;
}

/** `late`: what exists only once the core has started (its ingest server, its API address). */
export function createPillars(
  core: MonitoringCore,
  late: { ingest: () => IngestServer | null; apiUrl: () => string },
): Pillars {
  const notifier = createNotifier({
    clock: core.clock,
    ids: core.ids,
    logger: core.logger,
    events: core.events,
    dataDir: core.config.dataDir,
    registry: core.metrics.registry,
    consoleAlerts: core.consoleAlerts,
    // Deliveries and escalation steps go into the incident's own timeline.
    recordTimeline: (incidentId, entry) => {
      if (core.incidents.manager.get(incidentId)) core.incidents.manager.record(incidentId, entry);
    },
    setEscalation: (incidentId, step, nextAt, nextTo) =>
      core.incidents.manager.setEscalation(incidentId, step, nextAt, nextTo),
    incident: (id) => core.incidents.manager.get(id),
    options: { groupWaitMs: core.config.notifyGroupWaitMs },
  });
  const recovery = createRecovery({
    config: core.config,
    clock: core.clock,
    ids: core.ids,
    logger: core.logger,
    events: core.events,
    metrics: core.metrics,
    fleet: core.fleet,
    alerts: core.alerts,
    incidents: core.incidents,
    rules: () => core.rules,
    audit: core.audit,
    notifier,
    consoleAlerts: core.consoleAlerts,
    store: core.store,
    ingest: late.ingest,
    // Built below: asked only once the core runs.
    relays: () => relays,
  });
  const security = createSecurity({
    config: core.config,
    clock: core.clock,
    logger: core.logger,
    events: core.events,
    metrics: core.metrics,
    fleet: core.fleet,
    alerts: core.alerts,
  });
  const alertForwarding = createAlertForwarding({
    ...{ config: core.config, clock: core.clock, logger: core.logger, events: core.events },
    ...{ metrics: core.metrics, fleet: core.fleet, alerts: core.alerts },
    consoleUrl: late.apiUrl,
  });
  const compliance = createCompliance({
    config: core.config,
    clock: core.clock,
    logger: core.logger,
    metrics: core.metrics,
    fleet: core.fleet,
    audit: core.audit,
    auditStatus: auditChainStatus(core.audit),
    security: security.service,
  });
  const remoteWrite = createRemoteWrite({
    ...{ dataDir: core.config.dataDir, destinations: core.config.remoteWrite },
    ...{ clock: core.clock, logger: core.logger, metrics: core.metrics },
  });
  const relays = createRelayHub(
    core.config,
    {
      ...{ clock: core.clock, ids: core.ids, logger: core.logger, fleet: core.fleet },
      ...{ registry: core.registry.log, consoleAlerts: core.consoleAlerts },
      metricsRegistry: core.metrics.registry,
    },
    () => core.credentials?.service ?? null,
  );
  return { notifier, recovery, security, alertForwarding, compliance, remoteWrite, relays };
}

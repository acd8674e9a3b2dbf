// The core's API side: what route handlers may use (ApiServices), the stream hub and the HTTP
// server, built from the core's parts once it has loaded. Kept out of core.ts so the core
// stays about lifecycle.
import type { ConsoleStats, SessionInfo, StorageReport } from '../../../shared/api.js';
import type { Rule } from '../../../shared/rules.js';
import type { RulePreview } from '../../../shared/api.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RuleBook } from '../rules/rule-book.js';
import type { PerformanceAnalysis } from '../analysis/performance.js';
import type { Clock } from '../clock.js';
import type { CoreConfig } from '../config.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { DecommissionOutcome } from '../fleet/registry-keeper.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { IncidentServices } from '../incidents/incident-services.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { NetLimits } from '../net/limits.js';
import type { EventStore } from '../events/event-store.js';
import type { MetricStore } from '../store/metric-store.js';
import type { Notifier } from '../notify/create-notifier.js';
import type { ForecastingApi } from './route-spec.js';
import type { RecoveryApi } from './routes-recovery.js';
import type { SecurityApi } from './routes-security.js';
import type { CredentialsApi } from './routes-credentials.js';
import type { ComplianceApi } from './routes-compliance.js';
import type { RecoveryRun } from '../../../shared/recovery.js';
import { runRangeQuery } from './routes-metrics.js';
import { INTERNAL_METRICS } from '../fleet/region-history.js';
import type { FederationSource } from '../interop/federation.js';
import type { ApiServices } from './router.js';
import { ApiServer } from './server.js';
import { createStaticHandler } from './static.js';
import { StreamHub } from './stream.js';
import { Tails } from './tails.js';
import { SessionAudit } from '../audit/session-audit.js';

export interface ApiParts {
  config: CoreConfig;
  clock: Clock;
  logger: Logger;
  events: CoreEvents;
  metrics: CoreMetrics;
  limits: NetLimits;
  sessionToken: string;
  fleet: Fleet;
  alerts: AlertBook;
  incidents: IncidentServices;
  eventLog: EventStore;
  store: MetricStore;
  analysis: PerformanceAnalysis;
  forecasting: ForecastingApi;
  notify: Notifier;
  /** The recovery routes' side, and the runs the stream carries. */
  recovery: RecoveryApi & {
    runs: { current(): RecoveryRun[]; run(id: string): RecoveryRun | undefined };
  };
  /** Detections (electron/core/security/). */
  security: SecurityApi;
  /** Agent keys and the enrolment secret (electron/core/credentials/). */
  credentials: CredentialsApi;
  /** Compliance (electron/core/compliance/). */
  compliance: ComplianceApi;
  rules: RuleBook;
  previewRule(rule: Rule): RulePreview;
  audit: AuditLog;
  session(): SessionInfo;
  stats(): ConsoleStats;
  storage(): Promise<StorageReport>;
  decommission(id: string, by: string, comment?: string): Promise<DecommissionOutcome>;
  alertmanagers: ApiServices['alertmanagers'];
  remoteWrite: ApiServices['remoteWrite'];
  relays: ApiServices['relays'];
}

export function createApi(p: ApiParts): { api: ApiServer; stream: StreamHub } {
  const services: ApiServices = {
    session: p.session,
    stats: p.stats,
    rules: p.rules,
    previewRule: p.previewRule,
    audit: p.audit,
    now: () => p.clock.now(),
    store: p.store,
    analysis: p.analysis,
    forecasting: p.forecasting,
    notify: p.notify,
    recovery: p.recovery,
    security: p.security,
    credentials: p.credentials,
    compliance: p.compliance,
    fleet: p.fleet,
    alerts: p.alerts,
    incidents: p.incidents,
    events: p.eventLog,
    decommission: p.decommission,
    storage: p.storage,
    alertmanagers: p.alertmanagers,
    remoteWrite: p.remoteWrite,
    relays: p.relays,
  };
  const stream = new StreamHub({
    clock: p.clock,
    events: p.events,
    fleet: p.fleet,
    alerts: p.alerts,
    incidents: p.incidents.manager,
    runs: p.recovery.runs,
    stats: p.stats,
    tails: new Tails(
      (q) => runRangeQuery(services, q),
      () => p.clock.now(),
    ),
  });
  const sessions = new SessionAudit(p.audit);
  const api = new ApiServer(
    {
      clock: p.clock,
      logger: p.logger,
      metrics: p.metrics,
      stream,
      federation: federationSource(p),
      serveStatic: createStaticHandler(p.config.rendererDir),
      sessionUsed: (req, via) => sessions.used(req, via),
      services,
    },
    {
      port: p.config.apiPort,
      sessionToken: p.sessionToken,
      maxConnections: p.limits.apiMaxConnections,
      headerTimeoutMs: p.limits.apiHeaderTimeoutMs,
    },
  );
  return { api, stream };
}

/** The series /federate reads: every agent's, not the console's own region history. */
function federationSource(p: ApiParts): FederationSource {
  return {
    now: () => p.clock.now(),
    metricNames: () => p.store.metricNames().filter((m) => !INTERNAL_METRICS.has(m)),
    seriesOf: (metric) => p.store.seriesOf(metric),
    agent: (id) => p.fleet.agent(id),
  };
}

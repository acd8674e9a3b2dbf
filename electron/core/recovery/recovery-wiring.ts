// The core's recovery side, built from its parts: the runbook book, the run store and its log,
// the service, the API's views and the /metrics figures. Kept out of core.ts (as
// api-wiring.ts is) so the core stays about lifecycle. The agents' connections come in through
// a port (AgentLink): per agent, the ingest server's direct connection or the relay hub's link
// to the relay the agent is behind (routed-link.ts).
import type { Rule } from '../../../shared/rules.js';
import type { Clock } from '../clock.js';
import type { CoreConfig } from '../config.js';
import type { ConsoleAlerts } from '../console-alerts.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { IdSource } from '../ids.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { IncidentServices } from '../incidents/incident-services.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { FetchFn } from '../notify/http-post.js';
import type { Notifier } from '../notify/notifier.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { MetricStore } from '../store/metric-store.js';
import {
  routedAgentLink,
  type AgentRoute,
  type RelayedRoute,
  type RoutedAgentLink,
} from './routed-link.js';
import { RecoveryLog } from './recovery-log.js';
import { createRecoveryMetrics } from './recovery-metrics.js';
import { RecoveryService } from './recovery-service.js';
import { RecoveryViews } from './recovery-views.js';
import { RunbookBook } from './runbook-book.js';
import { RunStore } from './run-store.js';

export interface RecoveryParts {
  config: Pick<
    CoreConfig,
    | 'dataDir'
    | 'recoveryGraceMs'
    | 'recoveryMaxRunsPerAgentPerHour'
    | 'recoveryRetentionMs'
    | 'recoveryMaxRuns'
  >;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  events: CoreEvents;
  metrics: Pick<CoreMetrics, 'registry'>;
  fleet: Fleet;
  alerts: AlertBook;
  incidents: IncidentServices;
  rules(): readonly Rule[];
  audit: AuditLog;
  notifier: Pick<Notifier, 'escalateNow'>;
  /** Raises the alert for a runbooks.json that could not be used. */
  consoleAlerts: Pick<ConsoleAlerts, 'raise'>;
  /** The metric store: a verification reads which series of a metric the agent has. */
  store?: Pick<MetricStore, 'seriesForAgent'>;
  /** The agents' live connections: the ingest server, once started (null before). */
  ingest(): AgentRoute | null;
  /** Agents behind regional relays: the relay hub (null before it exists). */
  relays?(): RelayedRoute | null;
  fetch?: FetchFn;
}

/** The console alert for a runbooks.json that was unusable at start. */
export const RUNBOOKS_RECOVERED_RULE = 'runbooks_recovered';

export interface Recovery {
  service: RecoveryService;
  views: RecoveryViews;
  book: RunbookBook;
  /** Which actions an agent offers and how an action would reach it now (the runs' own route). */
  reach: RoutedAgentLink['reach'];
  /** Load runbooks and history (after incidents and alerts are loaded). */
  open(): Promise<void>;
  /** Follow alerts and incidents (after the notifier and ingest have started). */
  start(): void;
  stop(): Promise<void>;
  /** Write what is pending of the run and action logs now; resolves once durable. */
  flush(): Promise<void>;
}

export function createRecovery(p: RecoveryParts): Recovery {
  const { clock, logger, incidents } = p;
  const store = new RunStore(
    new RecoveryLog(
      { clock, logger, dataDir: p.config.dataDir },
      { retentionMs: p.config.recoveryRetentionMs, maxRuns: p.config.recoveryMaxRuns },
    ),
  );
  const link = routedAgentLink(
    () => p.ingest(),
    () => p.relays?.() ?? null,
  );
  let service: RecoveryService | null = null;
  const book = new RunbookBook({
    dataDir: p.config.dataDir,
    now: () => clock.now(),
    audit: p.audit,
    ruleExists: (id) => p.rules().some((r) => r.id === id),
    changed: (id, runbook) => service?.runbookChanged(id, runbook),
  });
  service = new RecoveryService({
    clock,
    ids: p.ids,
    logger,
    events: p.events,
    book,
    store,
    link,
    fleet: p.fleet,
    maintenanceOf: (subject) => incidents.maintenance.covering(subject)?.id ?? null,
    incidents: {
      get: (id) => incidents.manager.get(id),
      record: (id, entry) => void incidents.manager.record(id, entry),
    },
    alerts: p.alerts,
    audit: p.audit,
    escalate: (incidentId, text, output) => p.notifier.escalateNow(incidentId, text, output),
    fetch: p.fetch ?? fetch,
    metrics: createRecoveryMetrics(p.metrics.registry),
    graceMs: p.config.recoveryGraceMs,
    maxRunsPerAgentPerHour: p.config.recoveryMaxRunsPerAgentPerHour,
    ...(p.store ? { series: seriesOf(p.store) } : {}),
  });
  const views = new RecoveryViews({
    book,
    store,
    incidents: {
      get: (id) => incidents.manager.get(id),
      list: () => incidents.manager.list({ limit: 100_000 }),
    },
    alerts: p.alerts,
  });
  const started = service;
  return {
    service: started,
    views,
    book,
    reach: (agentId) => link.reach(agentId),
    open: async () => {
      await started.open();
      const r = book.recovery;
      if (!r) return;
      logger.error('runbooks.json was unusable', { ...r });
      const what = r.loaded === 'backup' ? 'loaded its last good copy' : 'started with no runbooks';
      p.consoleAlerts.raise(
        RUNBOOKS_RECOVERED_RULE,
        'runbooks.json',
        'warning',
        `runbooks.json was unusable (${r.problem}); ${what}. The bad file is kept as ${r.preservedAs}.`,
      );
    },
    start: () => started.start(),
    stop: () => started.stop(),
    flush: () => store.flush(),
  };
}

/** The agent's series of `metric` in the store's heads, with their newest sample's time. */
function seriesOf(store: Pick<MetricStore, 'seriesForAgent'>) {
  return function* (agentId: string, metric: string) {
    for (const s of store.seriesForAgent(agentId))
      if (s.name === metric) yield { labels: s.labels, lastTs: s.lastTs };
  };
}

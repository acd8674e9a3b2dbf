import { Foresight } from './forecast/foresight.js';
import { mkdir } from 'node:fs/promises';
import type { ConsoleStats, SessionInfo, StorageReport } from '../../shared/api.js';
import type { StoredEvent } from '../../shared/model.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { unitFor } from '../../shared/metric-unit.js';
import { DEFAULT_RULES, type Rule } from '../../shared/rules.js';
import type { ApiServer } from './api/server.js';
import type { StreamHub } from './api/stream.js';
import { AuditLog } from './audit/audit-log.js';
import { startAuditTrail, stopAuditTrail, type AuditTrailRun } from './audit/audit-wiring.js';
import { RuleBook } from './rules/rule-book.js';
import { systemClock, type Clock } from './clock.js';
import { incidentOptions, type CoreConfig } from './config.js';
import { CoreEvents } from './events.js';
import { Fleet } from './fleet/fleet.js';
import { RegionHistoryRecorder } from './fleet/region-history.js';
import { RegistryKeeper } from './fleet/registry-keeper.js';
import { randomIds, type IdSource } from './ids.js';
import { AlertBook } from './incidents/alert-book.js';
import { RuleEvaluator } from './incidents/evaluator.js';
import { IncidentServices } from './incidents/incident-services.js';
import { ConsoleAlerts, CONSOLE_RULES } from './console-alerts.js';
import { consoleStats, sessionInfo, storageReport } from './core-reports.js';
import { createPillars } from './core-pillars.js';
import { createServers } from './core-servers.js';
import { restoreCore, stateSnapshot, wireBookkeeping } from './core-state.js';
import type { Notifier } from './notify/create-notifier.js';
import type { Recovery as RecoveryParts } from './recovery/recovery-wiring.js';
import type { Security } from './security/security-wiring.js';
import type { ComplianceService } from './compliance/compliance-service.js';
import {
  createAdmission,
  createLowDiskWatch,
  reportReplay,
  storeObserver,
} from './storage-health.js';
import type { IngestAdmission } from './ingest/admission.js';
import type { IngestServer } from './ingest/server.js';
import { advertisedHost } from './ingest/ingest-wiring.js';
import { loadOrCreateAgentToken, newToken } from './ingest/tokens.js';
import { createLogger, type Logger } from './logger.js';
import { createCoreMetrics } from './metrics.js';
import { readOpenFilesLimit } from './net/fd-limit.js';
import { deriveNetLimits, type NetLimits } from './net/limits.js';
import { reportNetLimits } from './net/report-limits.js';
import { StateStore } from './state/state-store.js';
import type { LowDiskWatch } from './store/disk-space.js';
import type { EventStore } from './events/event-store.js';
import { createEventStore, openEventStore } from './events/event-wiring.js';
import { MetricStore } from './store/metric-store.js';
import { DEFAULT_TREND_METRICS, PerformanceAnalysis } from './analysis/performance.js';
import type { AlertForwarding } from './interop/alertmanager-wiring.js';
import type { RemoteWrite } from './interop/remote-write-out/wiring.js';
import { LiveFigures } from './stats.js';
import { VERSION } from './version.js';
import { createCredentials, type CoreCredentials } from './credentials/credentials-wiring.js';
import type { RelayHub } from './relay/central/relay-hub.js';

export interface CoreDeps {
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
  /** The open-files soft limit, or null when unknown (default: read /proc/self/limits). */
  openFilesLimit?: () => number | null;
}

export interface CoreAddresses {
  apiPort: number;
  apiUrl: string;
  /** The console URL a person opens (carries the session token). */
  consoleUrl: string;
  ingestPort: number;
  ingestUrl: string;
}

/**
 * The monitoring core: wires fleet, ingest, rules, alerts, state and API together.
 * The same object runs inside Electron's main process and under `meridian serve`.
 */
export class MonitoringCore {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events = new CoreEvents();
  readonly metrics = createCoreMetrics();
  readonly live: LiveFigures;
  readonly fleet: Fleet;
  readonly alerts: AlertBook;
  readonly evaluator: RuleEvaluator;
  /** Incidents, silences, maintenance windows (electron/core/incidents/incident-services.ts). */
  readonly incidents: IncidentServices;
  /** The rules in force; changed from the console or the API. */
  readonly ruleBook: RuleBook;
  /** Who changed what (audit.ndjson). */
  readonly audit: AuditLog;
  readonly store: MetricStore;
  readonly analysis: PerformanceAnalysis;
  /** Forecasts, the capacity table, anomaly detection and fleet outliers. */
  readonly foresight: Foresight;
  /** The agents' events on disk, indexed (electron/core/events/). */
  readonly eventLog: EventStore;
  readonly state: StateStore;
  readonly admission: IngestAdmission;
  readonly consoleAlerts: ConsoleAlerts;
  readonly lowDisk: LowDiskWatch;
  /** The agent registry on disk (agents.ndjson), its cap alert, and retirement. */
  readonly registry: RegistryKeeper;
  /** Each region's agents online and registered over time, as series in the metric store. */
  readonly regionHistory: RegionHistoryRecorder;
  /** Channels, escalation policies and the notification pipeline, fed by incident.changed. */
  readonly notifier: Notifier;
  /** Runbooks, guardrails, recovery runs and their figures (electron/core/recovery/). */
  readonly recovery: RecoveryParts;
  /** Sigma detections over the agents' events, raised as alerts (electron/core/security/). */
  readonly security: Security;
  /** Alerts forwarded to external Alertmanagers (electron/core/interop/). */
  readonly alertForwarding: AlertForwarding;
  /** Posture facts, the control catalogue, scorecards and evidence export (electron/core/compliance/). */
  readonly compliance: ComplianceService;
  /** Every ingested sample forwarded to long-term stores (interop/remote-write-out/). */
  readonly remoteWrite: RemoteWrite;
  /** Regional relays and the agents behind them (electron/core/relay/central/). */
  readonly relays: RelayHub;
  readonly sessionToken: string;
  agentToken = '';
  /** Agent keys, the enrolment secret and ingest TLS (electron/core/credentials/), once started. */
  credentials: CoreCredentials | null = null;
  readonly ids: IdSource;
  private readonly openFilesLimit: () => number | null;
  /** The connection caps in force, known once started. */
  netLimits: NetLimits | null = null;
  get rules(): readonly Rule[] {
    return this.ruleBook.list();
  }
  private ingest: IngestServer | null = null;
  private api: ApiServer | null = null;
  private stream: StreamHub | null = null;
  private addresses: CoreAddresses | null = null;
  private auditRun: AuditTrailRun | null = null;
  /** Regions whose definition state.json holds (a region a hello created must be written). */
  private readonly persistedRegions = new Set<string>();

  constructor(
    readonly config: CoreConfig,
    deps: CoreDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    const ids = (this.ids = deps.ids ?? randomIds);
    this.openFilesLimit = deps.openFilesLimit ?? (() => readOpenFilesLimit());
    this.live = new LiveFigures(this.clock);
    this.logger = deps.logger ?? createLogger(config.logLevel, () => this.clock.now());
    this.events.onListenerError = (err, name) =>
      this.logger.error('listener failed', { event: name, error: String(err) });
    this.sessionToken = config.sessionToken ?? newToken();
    this.fleet = new Fleet(
      { clock: this.clock, ids, events: this.events },
      {
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        missedHeartbeatsBeforeOffline: config.missedHeartbeatsBeforeOffline,
        allowUnknownRegions: config.allowUnknownRegions,
        restartGraceMs: config.restartGraceMs,
        maxAgents: config.maxAgents,
      },
      [
        ...DEFAULT_REGIONS,
        ...config.regions.filter((r) => !DEFAULT_REGIONS.some((d) => d.id === r.id)),
      ],
    );
    this.alerts = new AlertBook({
      clock: this.clock,
      ids,
      events: this.events,
      maxResolved: config.maxResolvedAlerts,
      annotate: (alert) => this.incidents.annotate(alert),
      onFired: (_alert, latencyMs) => {
        if (latencyMs === null) return;
        this.metrics.sampleToAlertSeconds.observe(latencyMs / 1000);
        this.live.addAlertLatency(latencyMs);
      },
    });
    this.evaluator = new RuleEvaluator(this.alerts, this.events, {
      clock: this.clock,
      agent: (id) => this.fleet.agent(id),
      seriesOf: (metric) => this.store.seriesOf(metric),
      aggregates: {
        store: () => this.store,
        regions: () => this.fleet.regions(),
        agentsOf: (regionId) => this.fleet.listAgents({ regionId }),
      },
    });
    this.incidents = new IncidentServices({
      clock: this.clock,
      ids,
      events: this.events,
      logger: this.logger,
      dataDir: config.dataDir,
      fleet: this.fleet,
      alerts: this.alerts,
      evaluator: this.evaluator,
      rules: () => this.rules,
      operators: config.operators,
      options: incidentOptions(config),
    });
    this.audit = new AuditLog(config.dataDir, { clock: this.clock, ids, logger: this.logger });
    this.ruleBook = new RuleBook(DEFAULT_RULES, {
      alerts: this.alerts,
      audit: this.audit,
      apply: (rules) => this.applyRules(rules),
      persist: () => this.state.afterNextWrite(),
      reserved: new Set(Object.values(CONSOLE_RULES)),
    });
    this.consoleAlerts = new ConsoleAlerts(this.alerts);
    const health = { clock: this.clock, logger: this.logger, alerts: this.consoleAlerts, config };
    this.admission = createAdmission(health, () => this.store);
    this.store = new MetricStore(
      config.dataDir,
      { clock: this.clock, logger: this.logger, walObserver: this.admission },
      {
        maxSeriesPerAgent: config.maxSeriesPerAgent,
        retention: config.retention,
        walFlushMs: config.walFlushMs,
        checkpointEveryMs: config.checkpointEveryMs,
        checkpointWalBytes: config.checkpointWalBytes,
        outOfOrderWindowMs: config.outOfOrderWindowMs,
        diskBudgetBytes: config.diskBudgetBytes,
        headIdleMs: config.headIdleMs,
      },
    );
    this.store.observe(storeObserver(health));
    this.lowDisk = createLowDiskWatch(health);
    this.analysis = new PerformanceAnalysis(
      {
        clock: this.clock,
        store: this.store,
        fleet: this.fleet,
        metrics: () => [
          ...new Set([
            ...DEFAULT_TREND_METRICS,
            ...this.rules.flatMap((r) => (r.kind === 'threshold' ? [r.metric] : [])),
          ]),
        ],
        unitOf: (metric) => {
          const rule = this.rules.find((r) => r.kind === 'threshold' && r.metric === metric);
          return unitFor(metric, rule?.kind === 'threshold' ? rule.unit : null);
        },
      },
      config.analysisEveryMs,
    );
    this.foresight = new Foresight(
      {
        clock: this.clock,
        logger: this.logger,
        store: this.store,
        fleet: this.fleet,
        rules: () => this.rules,
        alerts: this.alerts,
      },
      {
        forecastRegionsEveryMs: config.forecastRegionsEveryMs,
        forecastAgentsEveryMs: config.forecastAgentsEveryMs,
        outliersEveryMs: 5 * 60_000,
        anomalyWarmupMs: config.anomalyWarmupMs,
      },
    );
    this.eventLog = createEventStore(config, {
      clock: this.clock,
      logger: this.logger,
      registry: this.metrics.registry,
      observer: this.admission,
    });
    this.state = new StateStore(
      config.dataDir,
      { clock: this.clock, logger: this.logger, onWritten: () => this.metrics.stateWrites.inc() },
      config.persistDebounceMs,
    );
    this.registry = new RegistryKeeper(
      config.dataDir,
      {
        clock: this.clock,
        logger: this.logger,
        events: this.events,
        metrics: this.metrics,
        fleet: this.fleet,
        alerts: this.alerts,
      },
      config.persistDebounceMs,
    );
    this.regionHistory = new RegionHistoryRecorder({
      clock: this.clock,
      fleet: this.fleet,
      events: this.events,
      store: this.store,
      logger: this.logger,
    });
    ({
      notifier: this.notifier,
      recovery: this.recovery,
      security: this.security,
      alertForwarding: this.alertForwarding,
      compliance: this.compliance,
      remoteWrite: this.remoteWrite,
      relays: this.relays,
    } = createPillars(this, {
      ingest: () => this.ingest,
      apiUrl: () => this.addresses?.apiUrl ?? '',
    }));
    wireBookkeeping(this, this.persistedRegions);
  }

  async start(): Promise<CoreAddresses> {
    const { config } = this;
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    this.agentToken = await loadOrCreateAgentToken(config.dataDir, config.agentToken ?? undefined);
    const { migrated, legacyEvents } = await this.restore();
    const eventsMoved = await openEventStore(this.eventLog, legacyEvents, this.logger);
    await this.notifier.start();
    await this.audit.open();
    this.auditRun = await startAuditTrail({
      audit: this.audit,
      logger: this.logger,
      registry: this.metrics.registry,
      version: VERSION,
      dataDir: config.dataDir,
      raiseAlert: (msg) =>
        this.consoleAlerts.raise(CONSOLE_RULES.auditChainBroken, 'audit.ndjson', 'critical', msg),
    });
    this.credentials = await createCredentials(config, this.agentToken, {
      ...{ clock: this.clock, logger: this.logger, ids: this.ids, audit: this.audit },
      registry: this.metrics.registry,
      secretFixedBy: config.agentToken ? '--agent-token or MERIDIAN_AGENT_TOKEN' : null,
      disconnectKey: (keyId) => this.ingest?.disconnectKey(keyId) ?? 0,
    });
    await this.recovery.open();
    await this.security.open();
    this.security.start();
    await this.compliance.open();
    this.compliance.start();
    // Before ingest listens: no alert an agent raises goes by unseen.
    this.recovery.start();
    const replayed = await this.store.open();
    await this.remoteWrite.open();
    await this.relays.open();
    reportReplay(
      { clock: this.clock, logger: this.logger, alerts: this.consoleAlerts, config },
      replayed,
    );
    this.metrics.walReplayCorruptLines.set(replayed.corrupt);
    this.metrics.walReplayTornLines.set(replayed.torn);
    this.metrics.walReplayMs.set(replayed.ms);
    this.metrics.sources.tsdbSeries = () => this.store.head.seriesCount();
    this.metrics.sources.ingestPaused = () => this.admission.pausedSince !== null;
    this.metrics.sources.walQueuedBytes = () => this.store.walQueuedBytes;
    this.metrics.sources.diskFreeBytes = () => this.lowDisk.lastFree;
    this.logger.info('metric store opened', { ...replayed });
    this.state.source(() => stateSnapshot(this, this.persistedRegions));
    this.state.markDirty();
    if (migrated || eventsMoved > 0) {
      // Rewrite state.json without the migrated agents and events, twice, so that state.json.bak (the
      // fallback for a corrupt file) does not hold them either.
      await this.state.flush();
      this.state.markDirty();
      await this.state.flush();
    }

    // Caps from the open-files limit and config.json, logged and shown on /metrics.
    const limits = (this.netLimits = deriveNetLimits(this.openFilesLimit(), config.limits));
    reportNetLimits(limits, this.logger, this.metrics);
    ({
      ingest: this.ingest,
      api: this.api,
      stream: this.stream,
    } = createServers(this, limits, this.credentials));
    const ingestPort = await this.ingest.start();
    const apiPort = await this.api.start();
    this.fleet.start();
    this.analysis.start();
    this.foresight.start();
    this.regionHistory.start();
    this.lowDisk.start();
    this.alertForwarding.start();
    this.remoteWrite.start();
    this.relays.start();
    this.notifier.options.consoleUrl = `http://127.0.0.1:${apiPort}`;
    const advertised = advertisedHost(config.ingestHost);
    const ingestHost = advertised.includes(':') ? `[${advertised}]` : advertised;
    this.addresses = {
      apiPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      consoleUrl: `http://127.0.0.1:${apiPort}/?token=${encodeURIComponent(this.sessionToken)}`,
      ingestPort,
      ingestUrl: `${this.credentials.tls ? 'wss' : 'ws'}://${ingestHost}:${ingestPort}`,
    };
    // debug: on a terminal it would only restate the banner that follows it.
    this.logger.debug('core started', {
      api: this.addresses.apiUrl,
      ingest: this.addresses.ingestUrl,
    });
    return this.addresses;
  }

  /** Stop listening and write state; agents see a 1001 close and will reconnect. */
  async stop(): Promise<void> {
    this.fleet.stop();
    this.analysis.stop();
    const forecastsDone = this.foresight.stop();
    this.regionHistory.stop();
    this.lowDisk.stop();
    this.admission.stop();
    this.security.stop();
    this.notifier.stop();
    this.alertForwarding.stop();
    this.stream?.stop();
    await Promise.all([this.ingest?.stop(), this.api?.stop()]);
    await this.recovery.stop();
    await forecastsDone;
    this.alerts.dispose();
    this.evaluator.dispose();
    await Promise.all([
      this.remoteWrite.stop(),
      this.relays.stop(),
      this.state.close(),
      this.store.close(),
      this.registry.close(),
      this.incidents.close(),
      stopAuditTrail(this.audit, this.auditRun),
      this.credentials?.keys.close(),
      this.compliance.close(),
      this.eventLog.close(),
    ]);
  }

  stats(): ConsoleStats {
    return consoleStats(this, this.ingest?.connectedCount ?? 0);
  }

  storageReport(): Promise<StorageReport> {
    return storageReport(this);
  }

  session(): SessionInfo {
    return sessionInfo(this, this.addresses?.ingestUrl ?? '');
  }

  /** Load state.json and the registry; `migrated` when state.json still held agents. */
  private restore(): Promise<{ migrated: boolean; legacyEvents: StoredEvent[] }> {
    return restoreCore(this);
  }

  /** Rules in force at once, wherever they are evaluated; state.json follows. */
  applyRules(rules: readonly Rule[]): void {
    this.evaluator.setRules(rules);
    this.foresight.setRules(rules);
    this.state.markDirty();
  }
}

export function createCore(config: CoreConfig, deps: CoreDeps = {}): MonitoringCore {
  return new MonitoringCore(config, deps);
}

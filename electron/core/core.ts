import { mkdir } from 'node:fs/promises';
import type { SessionInfo } from '../../shared/api.js';
import { SEVERITIES } from '../../shared/model.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { DEFAULT_RULES, type Rule } from '../../shared/rules.js';
import { ApiServer } from './api/server.js';
import { createStaticHandler } from './api/static.js';
import { StreamHub } from './api/stream.js';
import { systemClock, type Clock } from './clock.js';
import type { CoreConfig } from './config.js';
import { CoreEvents } from './events.js';
import { Fleet } from './fleet/fleet.js';
import { randomIds, type IdSource } from './ids.js';
import { AlertBook } from './incidents/alert-book.js';
import { RuleEvaluator } from './incidents/evaluator.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { IngestServer } from './ingest/server.js';
import { loadOrCreateAgentToken, newToken } from './ingest/tokens.js';
import { createLogger, type Logger } from './logger.js';
import { createCoreMetrics } from './metrics.js';
import type { Recovery } from './state/durable-file.js';
import { STATE_VERSION } from './state/schema.js';
import { StateStore } from './state/state-store.js';
import { EventLog } from './store/event-log.js';
import { RecentValues } from './store/recent-values.js';
import { VERSION } from './version.js';

export interface CoreDeps {
  clock?: Clock;
  ids?: IdSource;
  logger?: Logger;
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
  readonly fleet: Fleet;
  readonly alerts: AlertBook;
  readonly evaluator: RuleEvaluator;
  readonly recent: RecentValues;
  readonly eventLog: EventLog;
  readonly state: StateStore;
  readonly sessionToken: string;
  agentToken = '';
  private readonly ids: IdSource;
  private rules: Rule[] = [...DEFAULT_RULES];
  private ingest: IngestServer | null = null;
  private api: ApiServer | null = null;
  private stream: StreamHub | null = null;
  private addresses: CoreAddresses | null = null;

  constructor(
    readonly config: CoreConfig,
    deps: CoreDeps = {},
  ) {
    this.clock = deps.clock ?? systemClock;
    const ids = (this.ids = deps.ids ?? randomIds);
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
      onFired: (_alert, latencyMs) => {
        if (latencyMs !== null) this.metrics.sampleToAlertSeconds.observe(latencyMs / 1000);
      },
    });
    this.evaluator = new RuleEvaluator(this.alerts, this.events);
    this.recent = new RecentValues(config.maxSeriesPerAgent);
    this.eventLog = new EventLog(config.maxStoredEvents);
    this.state = new StateStore(
      config.dataDir,
      { clock: this.clock, logger: this.logger },
      config.persistDebounceMs,
    );
    this.wireBookkeeping();
  }

  async start(): Promise<CoreAddresses> {
    const { config } = this;
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    this.agentToken = await loadOrCreateAgentToken(config.dataDir, config.agentToken ?? undefined);
    await this.restore();
    this.state.source(() => ({
      version: STATE_VERSION,
      regions: this.fleet.regionDefinitions(),
      agents: this.fleet.listAgents(),
      rules: this.rules,
      alerts: this.alerts.all(),
      events: this.eventLog.all(),
    }));
    this.state.markDirty();

    const pipeline = new IngestPipeline(
      {
        clock: this.clock,
        ids: this.ids,
        events: this.events,
        fleet: this.fleet,
        evaluator: this.evaluator,
        recent: this.recent,
        eventLog: this.eventLog,
        metrics: this.metrics,
      },
      config.heartbeatIntervalMs,
    );
    this.ingest = new IngestServer(
      { clock: this.clock, logger: this.logger, metrics: this.metrics, handler: pipeline },
      {
        host: config.ingestHost,
        port: config.ingestPort,
        agentToken: this.agentToken,
        pingIntervalMs: config.pingIntervalMs,
        maxSendBufferBytes: config.maxSendBufferBytes,
      },
    );
    this.stream = new StreamHub({
      clock: this.clock,
      events: this.events,
      fleet: this.fleet,
      alerts: this.alerts,
    });
    this.api = new ApiServer(
      {
        logger: this.logger,
        metrics: this.metrics,
        stream: this.stream,
        serveStatic: createStaticHandler(config.rendererDir),
        services: {
          session: () => this.session(),
          fleet: this.fleet,
          alerts: this.alerts,
          events: this.eventLog,
        },
      },
      { port: config.apiPort, sessionToken: this.sessionToken },
    );
    const ingestPort = await this.ingest.start();
    const apiPort = await this.api.start();
    this.fleet.start();
    const ingestHost = config.ingestHost.includes(':')
      ? `[${config.ingestHost}]`
      : config.ingestHost;
    this.addresses = {
      apiPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      consoleUrl: `http://127.0.0.1:${apiPort}/?token=${encodeURIComponent(this.sessionToken)}`,
      ingestPort,
      ingestUrl: `ws://${ingestHost}:${ingestPort}`,
    };
    this.logger.info('core started', {
      api: this.addresses.apiUrl,
      ingest: this.addresses.ingestUrl,
    });
    return this.addresses;
  }

  /** Stop listening and write state; agents see a 1001 close and will reconnect. */
  async stop(): Promise<void> {
    this.fleet.stop();
    this.stream?.stop();
    await Promise.all([this.ingest?.stop(), this.api?.stop()]);
    this.alerts.dispose();
    this.state.markDirty();
    await this.state.flush();
  }

  session(): SessionInfo {
    return {
      version: VERSION,
      ingestUrl: this.addresses?.ingestUrl ?? '',
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      serverTime: this.clock.now(),
    };
  }

  private async restore(): Promise<void> {
    const loaded = await this.state.load();
    if (loaded.state) {
      this.fleet.load(loaded.state.regions, loaded.state.agents);
      this.alerts.load(loaded.state.alerts);
      this.eventLog.load(loaded.state.events);
      if (loaded.state.rules.length > 0) this.rules = loaded.state.rules;
    }
    this.evaluator.setRules(this.rules);
    for (const [collection, n] of Object.entries(loaded.dropped)) {
      this.logger.warn('state.json records failed validation and were dropped', {
        collection,
        dropped: n,
      });
    }
    if (loaded.recovery) this.raiseRecoveryAlert(loaded.recovery);
  }

  private raiseRecoveryAlert(r: Recovery): void {
    const what =
      r.loaded === 'backup'
        ? 'loaded the last good copy (state.json.bak)'
        : 'no good copy existed; started empty';
    this.logger.error('state.json was unusable', {
      problem: r.problem,
      preservedAs: r.preservedAs,
    });
    this.alerts.report({
      ruleId: 'state_recovered',
      subjectKey: 'state.json',
      subject: { kind: 'console', regionId: null, agentId: null },
      severity: r.loaded === 'backup' ? 'warning' : 'critical',
      message: `state.json was unusable (${r.problem}); ${what}. The bad file is kept as ${r.preservedAs}.`,
      metric: null,
      value: null,
      threshold: null,
      sampleArrivedAt: null,
      arrivedMono: null,
      forMs: 0,
    });
  }

  /** Counters, gauges and persistence follow the bus; nothing else calls them. */
  private wireBookkeeping(): void {
    const { events, metrics } = this;
    events.on('agent.changed', ({ agent, previousStatus }) => {
      this.state.markDirty();
      if (agent.status !== previousStatus) metrics.agentsOnline.set(this.fleet.onlineCount());
    });
    events.on('event.stored', () => this.state.markDirty());
    events.on('alert.changed', ({ alert }) => {
      this.state.markDirty();
      const open = this.alerts.openAlerts();
      for (const severity of SEVERITIES) {
        metrics.alertsActive.set({ severity }, open.filter((a) => a.severity === severity).length);
      }
      const agentId = alert.subject.agentId;
      if (agentId)
        this.fleet.setAlertsCount(
          agentId,
          open.filter((a) => a.subject.agentId === agentId).length,
        );
    });
  }
}

export function createCore(config: CoreConfig, deps: CoreDeps = {}): MonitoringCore {
  return new MonitoringCore(config, deps);
}

import { Type, type TSchema } from '@sinclair/typebox';
import type {
  ApiRoutes,
  ConsoleStats,
  RouteKey,
  SessionInfo,
  StorageReport,
} from '../../../shared/api.js';
import type {
  AnomalyEpisode,
  CapacityReport,
  Changepoint,
  ForecastResult,
  OutlierRow,
} from '../../../shared/forecast.js';
import type { PerformanceAnalysis } from '../analysis/performance.js';
import type { DecommissionOutcome } from '../fleet/registry-keeper.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { IncidentServices } from '../incidents/incident-services.js';
import type { EventStore } from '../events/event-store.js';
import type { MetricStore } from '../store/metric-store.js';
import type { NotifyApi } from './routes-notify.js';
import type { RecoveryApi } from './routes-recovery.js';
import type { SecurityApi } from './routes-security.js';
import type { CredentialsApi } from './routes-credentials.js';
import type { ComplianceApi } from './routes-compliance.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RuleBook } from '../rules/rule-book.js';
import type { RulePreview } from '../../../shared/api.js';
import type { Rule } from '../../../shared/rules.js';
import type { InteropRoutes } from '../../../shared/interop.js';

/** What the forecast, capacity, anomaly and outlier routes ask of the forecasting service. */
export interface ForecastingApi {
  forecast(q: {
    metric: string;
    regionId?: string;
    agentId?: string;
    labels: Record<string, string>;
    horizonMs: number;
  }): Promise<ForecastResult>;
  capacity(q: { metric?: string; regionId?: string; limit: number }): CapacityReport;
  anomalies(q: {
    regionId?: string;
    agentId?: string;
    metric?: string;
    from: number;
    to: number;
    changepoints: boolean;
  }): Promise<{ episodes: AnomalyEpisode[]; changepoints?: Changepoint[]; warmingUp?: boolean }>;
  outliers(q: { regionId?: string; metric?: string }): {
    computedAt: number | null;
    outliers: OutlierRow[];
  };
}

/** What route handlers may use: the core's parts, never its servers. */
export interface ApiServices {
  session(): SessionInfo;
  stats(): ConsoleStats;
  /** The rules in force, changed through the rules book. */
  rules: RuleBook;
  previewRule(rule: Rule): RulePreview;
  audit: AuditLog;
  now(): number;
  fleet: Fleet;
  alerts: AlertBook;
  /** Incidents, silences, maintenance windows, manual resolves and operator names. */
  incidents: IncidentServices;
  /** The agents' events (electron/core/events/). */
  events: Pick<EventStore, 'search' | 'topSources'>;
  store: Pick<
    MetricStore,
    'retention' | 'seriesOf' | 'raw' | 'buckets' | 'metricNames' | 'seriesCount' | 'seriesForAgent'
  >;
  analysis: PerformanceAnalysis;
  forecasting: ForecastingApi;
  storage(): Promise<StorageReport>;
  /** Channels, escalation policies and deliveries (electron/core/notify/). */
  notify: NotifyApi;
  /** Runbooks, runs, action history, approvals (electron/core/recovery/). */
  recovery: RecoveryApi;
  /** Detections and the detection rules' state (electron/core/security/). */
  security: SecurityApi;
  /** The Alertmanagers alerts are forwarded to, and how that goes (electron/core/interop/). */
  alertmanagers(): InteropRoutes['GET /api/v1/alertmanagers']['response'];
  /** Agent keys and the enrolment secret (electron/core/credentials/). */
  credentials: CredentialsApi;
  /** Posture facts, compliance scorecards and the evidence export (electron/core/compliance/). */
  compliance: ComplianceApi;
  /** The remote-write destinations samples are forwarded to (electron/core/interop/remote-write-out/). */
  remoteWrite(): InteropRoutes['GET /api/v1/remote-write']['response'];
  /** Regional relays and the agents behind them (electron/core/relay/central/). */
  relays(): InteropRoutes['GET /api/v1/relays']['response'];
  /** Retire an agent; resolves once that is durable. */
  decommission(id: string, by: string, comment?: string): Promise<DecommissionOutcome>;
}

export interface Ctx<K extends RouteKey> {
  params: Record<string, string>;
  query: ApiRoutes[K]['query'];
  body: ApiRoutes[K]['body'];
}

export interface RouteSpec<K extends RouteKey> {
  query?: TSchema;
  body?: TSchema;
  handle(
    ctx: Ctx<K>,
    services: ApiServices,
  ): ApiRoutes[K]['response'] | Promise<ApiRoutes[K]['response']>;
}

export type RouteTable<K extends RouteKey> = { [P in K]: RouteSpec<P> };

export const EmptyQuery = Type.Object({}, { additionalProperties: false });

export const limitOf = (s: string | undefined) =>
  s === undefined ? undefined : Math.min(Number(s), 10_000);

// The console's API contract: REST under /api/v1 and the /api/v1/stream WebSocket.
// The core's router and the renderer's client both import this file, so the two cannot drift.
import { Type, type Static } from '@sinclair/typebox';
import type { PercentileRow, PerformanceTrend, QueryRangeResult } from './analysis.js';
import { AGENT_TYPES, type Agent, type Alert, type Region } from './model.js';
import type { FieldProblem, RuleRoutes } from './rules-api.js';
import type {
  AnomalyEpisode,
  CapacityReport,
  Changepoint,
  ForecastResult,
  OutlierRow,
} from './forecast.js';
import { REGION_HISTORY_RANGES, type RegionHistoryRange } from './api-constants.js';
import type { NotifyApiRoutes } from './notify.js';
import type { IncidentRoutes } from './api-incidents.js';
import type { Incident } from './incidents.js';
import type { SilenceView } from './silences.js';
import type { RecoveryRoutes, RecoveryRun } from './recovery.js';
import type { SecurityRoutes } from './security.js';
import type { InteropRoutes } from './interop.js';
import type { CredentialsRoutes } from './credentials.js';
import type { ComplianceRoutes } from './compliance.js';
import type { EventRoutes } from './events-api.js';

export type { RegionHistoryRange } from './api-constants.js';
export * from './rules-api.js';
export * from './events-api.js';
import type { AuditRoutes } from './audit.js';
import type { AgentActionsRoutes } from './agent-actions.js';
export type { AuditHead, AuditVerifyResult, AuditBreak, AuditInput } from './audit.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

export const AgentsQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    status: Opt(
      Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('error')]),
    ),
    /** 1 to AGENTS_PAGE_MAX (the default). */
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
    /** `nextCursor` of the previous page: opaque. */
    cursor: Opt(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' })),
    /** Fields to return, comma-separated (`id,hostname,status`); `id` always comes. */
    fields: Opt(Type.String({ pattern: '^[A-Za-z]+(,[A-Za-z]+)*$', maxLength: 400 })),
  },
  { additionalProperties: false },
);

export const AlertsQuery = Type.Object(
  {
    state: Opt(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('firing'),
        Type.Literal('acknowledged'),
        Type.Literal('resolved'),
        Type.Literal('open'),
      ]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);

export const AlertActionBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

/**
 * Resolve an alert by hand. One whose condition still holds (an agent still offline, a region
 * still failed) is resolved and covered by a silence for `silenceMinutes` (default 60); at its
 * end the console checks the condition again, so it fires again if it still holds.
 */
export const AlertResolveBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
    silenceMinutes: Opt(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
  },
  { additionalProperties: false },
);

/** Retire an agent: `by` is recorded on the alerts it resolves, `comment` as their reason. */
export const DecommissionBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const Millis = Type.String({ pattern: '^[0-9]{1,15}$' });
const Window = Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('7d')]);

export const QueryRangeQuery = Type.Object(
  {
    metric: Type.String({ minLength: 1, maxLength: 128 }),
    agent: Opt(Type.String({ maxLength: 64 })),
    region: Opt(Type.String({ maxLength: 64 })),
    /** Only agents of this type (the trends' "service"), within the region or the fleet. */
    service: Opt(Type.Union(AGENT_TYPES.map((t) => Type.Literal(t)))),
    /** Label filter: `name=value,name2=value2`. */
    labels: Opt(
      Type.String({
        maxLength: 512,
        pattern: '^([A-Za-z][A-Za-z0-9_]*=[^,]*)(,[A-Za-z][A-Za-z0-9_]*=[^,]*)*$',
      }),
    ),
    from: Opt(Millis),
    to: Opt(Millis),
    step: Opt(Type.String({ pattern: '^[0-9]{1,12}$' })),
    agg: Opt(
      Type.Union(
        ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'].map((a) => Type.Literal(a)),
      ),
    ),
  },
  { additionalProperties: false },
);

export const TrendsQuery = Type.Object(
  {
    window: Opt(Window),
    direction: Opt(
      Type.Union([Type.Literal('improving'), Type.Literal('stable'), Type.Literal('degrading')]),
    ),
    region: Opt(Type.String({ maxLength: 64 })),
    metric: Opt(Type.String({ maxLength: 128 })),
    fresh: Opt(Type.Literal('1')),
  },
  { additionalProperties: false },
);

export const RegionHistoryQuery = Type.Object(
  { range: Opt(Type.Union(REGION_HISTORY_RANGES.map((r) => Type.Literal(r)))) },
  { additionalProperties: false },
);

export const PercentilesQuery = Type.Object(
  { metric: Opt(Type.String({ minLength: 1, maxLength: 128 })), window: Opt(Window) },
  { additionalProperties: false },
);

/** A duration: `90m`, `36h`, `7d` (forecast horizons: 1 h to 30 d). */
const Duration = Type.String({ pattern: '^[0-9]{1,4}(m|h|d)$' });

export const ForecastsQuery = Type.Object(
  {
    metric: Type.String({ minLength: 1, maxLength: 128 }),
    /** One of the two: a region's average, or one agent's series. */
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    /** Label filter for an agent's series, as query_range (`mount=/var`). */
    labels: Opt(
      Type.String({
        maxLength: 512,
        pattern: '^([A-Za-z][A-Za-z0-9_]*=[^,]*)(,[A-Za-z][A-Za-z0-9_]*=[^,]*)*$',
      }),
    ),
    horizon: Opt(Duration),
    /** The band drawn besides 80 %: 0.95 (default) or 0.8. */
    interval: Opt(Type.Union([Type.Literal('0.8'), Type.Literal('0.95')])),
  },
  { additionalProperties: false },
);

export const CapacityQuery = Type.Object(
  {
    metric: Opt(Type.String({ maxLength: 128 })),
    region: Opt(Type.String({ maxLength: 64 })),
    /** Agents rows: at most this many, soonest first (default 50). */
    limit: Opt(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);

export const AnomaliesQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    metric: Opt(Type.String({ maxLength: 128 })),
    from: Opt(Millis),
    to: Opt(Millis),
    /** Also the series' level shifts (changepoints) over [from, to]; needs agent and metric. */
    changepoints: Opt(Type.Literal('1')),
  },
  { additionalProperties: false },
);

export const OutliersQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    metric: Opt(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);

export type ForecastsQuery = Static<typeof ForecastsQuery>;
export type CapacityQuery = Static<typeof CapacityQuery>;
export type AnomaliesQuery = Static<typeof AnomaliesQuery>;
export type OutliersQuery = Static<typeof OutliersQuery>;
export type QueryRangeQuery = Static<typeof QueryRangeQuery>;
export type TrendsQuery = Static<typeof TrendsQuery>;
export type PercentilesQuery = Static<typeof PercentilesQuery>;
export type RegionHistoryQuery = Static<typeof RegionHistoryQuery>;
export type AgentsQuery = Static<typeof AgentsQuery>;
export type AlertsQuery = Static<typeof AlertsQuery>;
export type AlertActionBody = Static<typeof AlertActionBody>;
export type AlertResolveBody = Static<typeof AlertResolveBody>;
export type DecommissionBody = Static<typeof DecommissionBody>;

/** An agent as GET /api/v1/agents returns it: every field, or those `fields` asked for. */
export type AgentView = Pick<Agent, 'id'> & Partial<Agent>;

/** One page of agents, in id order; `nextCursor` fetches the next (null on the last page). */
export interface AgentsPage {
  agents: AgentView[];
  nextCursor: string | null;
}

export interface DecommissionResponse {
  /** The retired agent's last record. */
  agent: Agent;
  /** Open alerts of the agent that were resolved with it. */
  resolvedAlerts: string[];
}

/**
 * A region's agents online and registered over time, as the console recorded them (on each
 * change, and once a minute while nothing changes).
 */
export interface RegionHistory {
  regionId: string;
  range: RegionHistoryRange;
  /** Start of the first step and end of the last, epoch ms. */
  from: number;
  to: number;
  step: number;
  /**
   * Per step: its start, the fewest agents online during it (a dip is never averaged away)
   * and the most agents registered. null where nothing was recorded: before the region was
   * first seen, or while the console was not running.
   */
  points: [number, number | null, number | null][];
}

export interface ApiError {
  error: { code: string; message: string; field?: string };
  /** Every bad field, when there can be several (a rule). */
  errors?: FieldProblem[];
}

export interface SessionInfo {
  version: string;
  ingestUrl: string;
  /** For the "connect an agent" command shown on first run; the session token holder is the operator. */
  agentToken: string;
  /**
   * The ingest CA's fingerprint (`sha256:…`) when ingest serves TLS, for the connect
   * command's `--ca-fingerprint`; absent when ingest is plain ws://.
   */
  caFingerprint?: string;
  heartbeatIntervalMs: number;
  serverTime: number;
  /**
   * Operator names configured (config.json `operators`). With more than one, actions must
   * say `by`; with one, it is the default `by`; with none, the default is "operator".
   */
  operators?: string[];
}

/** The console's own figures, for KPI tiles (also pushed on the stream every second). */
export interface ConsoleStats {
  serverTime: number;
  agentsTotal: number;
  agentsOnline: number;
  agentsConnected: number;
  /** Samples accepted per second, averaged over the last 10 s. */
  samplesPerSecond: number;
  /** p99 of sample arrival → alert raised over the last 1,000 alerts, ms; null before any. */
  sampleToAlertP99Ms: number | null;
  alertsOpen: { critical: number; warning: number; info: number };
}

export type StorageTierName = 'raw' | '1m' | '1h';

export interface StorageTierReport {
  tier: StorageTierName;
  bytes: number;
  files: number;
  /** Samples (raw) or buckets (1m, 1h) held on disk. */
  rows: number;
  /** Oldest and newest timestamp held on disk, epoch ms; null when empty. */
  oldest: number | null;
  newest: number | null;
  retentionMs: number;
}

/** The metric store's footprint: what it holds, where, and against which budget. */
export interface StorageReport {
  serverTime: number;
  dataDir: string;
  series: { total: number; active: number };
  samplesPerSecond: number;
  /** What RAM holds: the open chunks of active series and chunks waiting for a flush. */
  head: { rows: number; bytes: number };
  wal: { bytes: number };
  tiers: StorageTierReport[];
  /** Block files, WAL, head snapshot and series catalogue together. */
  totalBytes: number;
  budgetBytes: number;
  diskFreeBytes: number | null;
  /** On-disk bytes per raw sample (raw tier), null while it is empty. */
  rawBytesPerSample: number | null;
  lastCompactionAt: number | null;
}

/** Every REST route: method + path template → query, body and response types. */
export interface ApiRoutes
  extends
    NotifyApiRoutes,
    IncidentRoutes,
    RuleRoutes,
    RecoveryRoutes,
    SecurityRoutes,
    InteropRoutes,
    CredentialsRoutes,
    ComplianceRoutes,
    EventRoutes,
    AuditRoutes,
    AgentActionsRoutes {
  'GET /api/v1/session': { query: Record<string, never>; body: never; response: SessionInfo };
  'GET /api/v1/stats': { query: Record<string, never>; body: never; response: ConsoleStats };
  'GET /api/v1/regions': {
    query: Record<string, never>;
    body: never;
    response: { regions: Region[] };
  };
  'GET /api/v1/regions/:id/history': {
    query: RegionHistoryQuery;
    body: never;
    response: RegionHistory;
  };
  'GET /api/v1/agents': { query: AgentsQuery; body: never; response: AgentsPage };
  'POST /api/v1/agents/:id/decommission': {
    query: Record<string, never>;
    body: DecommissionBody;
    response: DecommissionResponse;
  };
  'GET /api/v1/alerts': { query: AlertsQuery; body: never; response: { alerts: Alert[] } };
  'GET /api/v1/alerts/:id': {
    query: Record<string, never>;
    body: never;
    response: { alert: Alert };
  };
  'POST /api/v1/alerts/:id/ack': {
    query: Record<string, never>;
    body: AlertActionBody;
    response: { alert: Alert };
  };
  'POST /api/v1/alerts/:id/resolve': {
    query: Record<string, never>;
    body: AlertResolveBody;
    /** `silence`: made because the condition still held (see AlertResolveBody). */
    response: { alert: Alert; silence?: SilenceView };
  };
  'GET /api/v1/metric-names': {
    query: Record<string, never>;
    body: never;
    response: { metrics: string[] };
  };
  'GET /api/v1/storage': { query: Record<string, never>; body: never; response: StorageReport };
  'GET /api/v1/query_range': { query: QueryRangeQuery; body: never; response: QueryRangeResult };
  'GET /api/v1/trends': {
    query: TrendsQuery;
    body: never;
    response: { computedAt: number; trends: PerformanceTrend[] };
  };
  'GET /api/v1/percentiles': {
    query: PercentilesQuery;
    body: never;
    response: { rows: PercentileRow[] };
  };
  'GET /api/v1/forecasts': {
    query: ForecastsQuery;
    body: never;
    response: { forecast: ForecastResult };
  };
  'GET /api/v1/capacity': { query: CapacityQuery; body: never; response: CapacityReport };
  'GET /api/v1/anomalies': {
    query: AnomaliesQuery;
    body: never;
    response: {
      episodes: AnomalyEpisode[];
      /** Only with `changepoints=1`. */
      changepoints?: Changepoint[];
      /** Series still in warm-up (no anomalies yet), when one series was asked for. */
      warmingUp?: boolean;
    };
  };
  'GET /api/v1/outliers': {
    query: OutliersQuery;
    body: never;
    response: { computedAt: number | null; outliers: OutlierRow[] };
  };
}

export type RouteKey = keyof ApiRoutes;

export interface StreamSnapshot {
  type: 'snapshot';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  /** Open alerts and the most recently resolved ones. */
  alerts: Alert[];
  /** Unresolved incidents and the most recently resolved ones. */
  incidents?: Incident[];
  /** Recovery runs not yet ended, and the most recently ended ones. */
  runs?: RecoveryRun[];
}

export interface StreamChanges {
  type: 'changes';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  /** Ids of agents retired (decommissioned) since the last message: drop them. */
  removedAgents: string[];
  alerts: Alert[];
  /** Incidents that opened or changed since the last message. */
  incidents?: Incident[];
  /** Recovery runs that started or changed since the last message (replace by id). */
  runs?: RecoveryRun[];
}

export interface StreamStats extends ConsoleStats {
  type: 'stats';
}

/**
 * Viewer → console on the stream: follow a chart's series live, once a second, at the chart's
 * `step` (TAIL_MIN_STEP_MS to TAIL_MAX_STEP_MS; one second if not given).
 */
export const TailRequest = Type.Object(
  {
    type: Type.Literal('tail'),
    id: Type.String({ minLength: 1, maxLength: 64 }),
    query: Type.Omit(QueryRangeQuery, ['from', 'to']),
  },
  { additionalProperties: false },
);
export const UntailRequest = Type.Object(
  { type: Type.Literal('untail'), id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const StreamRequest = Type.Union([TailRequest, UntailRequest]);
export type TailRequest = Static<typeof TailRequest>;
export type StreamRequest = Static<typeof StreamRequest>;

export interface StreamTail {
  type: 'tail';
  id: string;
  serverTime: number;
  /** The last few points at the tail's step (the still-filling ones included); merge by timestamp. */
  points: [number, number | null][];
  /** For a line aggregating several series (region or fleet scope): how many had data in each point. */
  seriesCounts?: number[];
}

export interface StreamTailError {
  type: 'tail_error';
  id: string;
  message: string;
}

export type StreamMessage =
  StreamSnapshot | StreamChanges | StreamStats | StreamTail | StreamTailError;

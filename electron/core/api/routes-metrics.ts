import type { IncidentRouteKey } from '../../../shared/api-incidents.js';
import type { CredentialsRouteKey } from '../../../shared/credentials.js';
import type { AuditRoutes } from '../../../shared/audit.js';
import {
  PercentilesQuery,
  QueryRangeQuery,
  TrendsQuery,
  type RouteKey,
} from '../../../shared/api.js';
import { INTERNAL_METRICS } from '../fleet/region-history.js';
import { queryRange, type Aggregation } from '../store/query.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, type ApiServices, type RouteTable } from './route-spec.js';
import type { QueryRangeResult } from '../../../shared/analysis.js';
import type { FleetRouteKey } from './routes-fleet.js';
import type { ForecastRouteKey } from './routes-forecast.js';
import type { NotifyRouteKey } from './routes-notify.js';
import type { RuleRouteKey } from './routes-rules.js';
import type { RecoveryRouteKey } from './routes-recovery.js';
import type { SecurityRouteKey } from './routes-security.js';
import type { InteropRouteKey } from './routes-interop.js';
import type { ComplianceRouteKey } from './routes-compliance.js';
import type { EventRouteKey } from './routes-events.js';

type MetricRouteKey = Exclude<
  RouteKey,
  | FleetRouteKey
  | ForecastRouteKey
  | NotifyRouteKey
  | IncidentRouteKey
  | RuleRouteKey
  | RecoveryRouteKey
  | SecurityRouteKey
  | InteropRouteKey
  | CredentialsRouteKey
  | ComplianceRouteKey
  | EventRouteKey
  | keyof AuditRoutes
>;

const DEFAULT_RANGE_MS = 3_600_000;
/** Points a chart gets when the caller does not say (the server caps at 2,000 anyway). */
const DEFAULT_POINTS = 300;

export function parseLabels(spec: string | undefined): Record<string, string> {
  if (!spec) return {};
  const out: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Run a range query for the REST route and for stream tails; throws HttpError on bad input. */
export function runRangeQuery(s: ApiServices, query: QueryRangeQuery): QueryRangeResult {
  const now = s.now();
  const to = query.to ? Number(query.to) : now;
  const from = query.from ? Number(query.from) : to - DEFAULT_RANGE_MS;
  if (from >= to) {
    throw new HttpError(400, 'invalid_query', "query field 'from': must be before 'to'", 'from');
  }
  if (query.agent && query.region) {
    throw new HttpError(
      400,
      'invalid_query',
      "query fields 'agent' and 'region': give one scope, not both",
      'region',
    );
  }
  if (query.agent && query.service) {
    throw new HttpError(
      400,
      'invalid_query',
      "query field 'service': filters a region or the fleet, not one agent",
      'service',
    );
  }
  let agentIds: Set<string> | null = null;
  if (query.agent) {
    // Data outlives registry entries: an agent with stored series can be queried.
    if (!s.fleet.agent(query.agent) && s.store.seriesCount(query.agent) === 0) {
      throw new HttpError(404, 'not_found', `no agent ${query.agent}`);
    }
    agentIds = new Set([query.agent]);
  } else if (query.region) {
    if (!s.fleet.region(query.region))
      throw new HttpError(404, 'not_found', `no region ${query.region}`);
    agentIds = new Set(s.fleet.listAgents({ regionId: query.region }).map((a) => a.id));
  }
  if (query.service) {
    // The agents the Trends page groups as this service (every registered agent of the type).
    const ofType = s.fleet.listAgents(query.region ? { regionId: query.region } : {});
    agentIds = new Set(ofType.filter((a) => a.type === query.service).map((a) => a.id));
  }
  const agg = (query.agg ?? 'avg') as Aggregation;
  const step = query.step
    ? Math.max(1, Number(query.step))
    : Math.ceil((to - from) / DEFAULT_POINTS);
  const result = queryRange(
    s.store,
    {
      metric: query.metric,
      agentIds,
      labels: parseLabels(query.labels),
      from,
      to,
      step,
      agg,
      perSeries: Boolean(query.agent),
    },
    now,
  );
  return { metric: query.metric, agg, ...result };
}

/** Time-series queries and performance analysis. */
export const METRIC_ROUTES: RouteTable<MetricRouteKey> = {
  'GET /api/v1/metric-names': {
    query: EmptyQuery,
    // The console's own series (region history) have their own page and route.
    handle: (_c, s) => ({ metrics: s.store.metricNames().filter((m) => !INTERNAL_METRICS.has(m)) }),
  },
  'GET /api/v1/storage': {
    query: EmptyQuery,
    handle: (_c, s) => s.storage(),
  },
  'GET /api/v1/query_range': {
    query: QueryRangeQuery,
    handle: ({ query }, s) => runRangeQuery(s, query),
  },
  'GET /api/v1/trends': {
    query: TrendsQuery,
    handle: ({ query }, s) => {
      const { computedAt, trends } = s.analysis.trends(query.fresh === '1');
      const rank = { degrading: 0, improving: 1, stable: 2 } as const;
      return {
        computedAt,
        trends: trends
          .filter(
            (t) =>
              (!query.window || t.window === query.window) &&
              (!query.direction || t.direction === query.direction) &&
              (!query.region || t.regionId === query.region) &&
              (!query.metric || t.metric === query.metric),
          )
          // Degrading first, most significant (smallest p, then steepest change) first.
          .sort(
            (a, b) =>
              rank[a.direction] - rank[b.direction] ||
              a.pValue - b.pValue ||
              Math.abs(b.relativeChange) - Math.abs(a.relativeChange),
          ),
      };
    },
  },
  'GET /api/v1/percentiles': {
    query: PercentilesQuery,
    handle: ({ query }, s) => ({
      rows: s.analysis.percentiles(query.metric ?? 'response_time', query.window ?? '1h'),
    }),
  },
};

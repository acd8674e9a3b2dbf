// The analysis part of the REST API (merged into ApiRoutes in shared/api.ts): metric names, range
// queries, trends, percentiles, forecasts, capacity, anomalies and outliers. Queries are TypeBox
// schemas: the core validates with them; the live tail on the stream reuses QueryRangeQuery.
import { Type, type Static } from '@sinclair/typebox';
import type { PercentileRow, PerformanceTrend, QueryRangeResult } from './analysis.js';
import type {
  AnomalyEpisode,
  CapacityReport,
  Changepoint,
  ForecastResult,
  OutlierRow,
} from './forecast.js';
import { AGENT_TYPES } from './model.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

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
export type QueryRangeQuery = Static<typeof QueryRangeQuery>;

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
export type TrendsQuery = Static<typeof TrendsQuery>;

export const PercentilesQuery = Type.Object(
  { metric: Opt(Type.String({ minLength: 1, maxLength: 128 })), window: Opt(Window) },
  { additionalProperties: false },
);
export type PercentilesQuery = Static<typeof PercentilesQuery>;

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
export type ForecastsQuery = Static<typeof ForecastsQuery>;

export const CapacityQuery = Type.Object(
  {
    metric: Opt(Type.String({ maxLength: 128 })),
    region: Opt(Type.String({ maxLength: 64 })),
    /** Agents rows: at most this many, soonest first (default 50). */
    limit: Opt(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);
export type CapacityQuery = Static<typeof CapacityQuery>;

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
export type AnomaliesQuery = Static<typeof AnomaliesQuery>;

export const OutliersQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    metric: Opt(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type OutliersQuery = Static<typeof OutliersQuery>;

export interface AnalysisRoutes {
  'GET /api/v1/metric-names': {
    query: Record<string, never>;
    body: never;
    response: { metrics: string[] };
  };
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

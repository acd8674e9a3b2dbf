// Capacity forecasts, anomalies and fleet outliers: argument checks here, the work in the
// forecasting service (electron/core/forecast/, anomaly/), which the core passes in.
import {
  AnomaliesQuery,
  CapacityQuery,
  ForecastsQuery,
  OutliersQuery,
  type RouteKey,
} from '../../../shared/api.js';
import {
  FORECAST_HORIZON_DEFAULT_MS,
  FORECAST_HORIZON_MAX_MS,
  FORECAST_HORIZON_MIN_MS,
} from '../../../shared/forecast.js';
import { HttpError } from './http-util.js';
import { limitOf, type RouteTable } from './route-spec.js';
import { parseLabels } from './routes-metrics.js';

export type ForecastRouteKey = Extract<
  RouteKey,
  | 'GET /api/v1/forecasts'
  | 'GET /api/v1/capacity'
  | 'GET /api/v1/anomalies'
  | 'GET /api/v1/outliers'
>;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `36h`, `7d` → ms, inside the forecast horizon's bounds; HttpError otherwise. */
export function horizonMsOf(spec: string | undefined): number {
  if (spec === undefined) return FORECAST_HORIZON_DEFAULT_MS;
  const ms = Number(spec.slice(0, -1)) * UNIT_MS[spec.slice(-1)]!;
  if (ms < FORECAST_HORIZON_MIN_MS || ms > FORECAST_HORIZON_MAX_MS)
    throw new HttpError(400, 'bad_request', `horizon ${spec} is outside 1h to 30d`, 'horizon');
  return ms;
}

/** Forecasts, the capacity table, anomalies and outliers. */
export const FORECAST_ROUTES: RouteTable<ForecastRouteKey> = {
  'GET /api/v1/forecasts': {
    query: ForecastsQuery,
    handle: async ({ query }, s) => {
      if ((query.region === undefined) === (query.agent === undefined))
        throw new HttpError(400, 'bad_request', 'give one of region or agent', 'region');
      if (query.region !== undefined && !s.fleet.region(query.region))
        throw new HttpError(404, 'not_found', `no region ${query.region}`, 'region');
      if (query.agent !== undefined && !s.fleet.agent(query.agent))
        throw new HttpError(404, 'not_found', `no agent ${query.agent}`, 'agent');
      const forecast = await s.forecasting.forecast({
        metric: query.metric,
        ...(query.region !== undefined ? { regionId: query.region } : {}),
        ...(query.agent !== undefined ? { agentId: query.agent } : {}),
        labels: parseLabels(query.labels),
        horizonMs: horizonMsOf(query.horizon),
      });
      return { forecast };
    },
  },
  'GET /api/v1/capacity': {
    query: CapacityQuery,
    handle: ({ query }, s) =>
      s.forecasting.capacity({
        ...(query.metric !== undefined ? { metric: query.metric } : {}),
        ...(query.region !== undefined ? { regionId: query.region } : {}),
        limit: limitOf(query.limit) ?? 50,
      }),
  },
  'GET /api/v1/anomalies': {
    query: AnomaliesQuery,
    handle: async ({ query }, s) => {
      if (query.changepoints && (query.agent === undefined || query.metric === undefined))
        throw new HttpError(
          400,
          'bad_request',
          'changepoints need agent and metric',
          'changepoints',
        );
      const to = query.to !== undefined ? Number(query.to) : s.now();
      const from = query.from !== undefined ? Number(query.from) : to - 86_400_000;
      if (from >= to) throw new HttpError(400, 'bad_request', 'from must be before to', 'from');
      return s.forecasting.anomalies({
        ...(query.region !== undefined ? { regionId: query.region } : {}),
        ...(query.agent !== undefined ? { agentId: query.agent } : {}),
        ...(query.metric !== undefined ? { metric: query.metric } : {}),
        from,
        to,
        changepoints: query.changepoints === '1',
      });
    },
  },
  'GET /api/v1/outliers': {
    query: OutliersQuery,
    handle: ({ query }, s) =>
      s.forecasting.outliers({
        ...(query.region !== undefined ? { regionId: query.region } : {}),
        ...(query.metric !== undefined ? { metric: query.metric } : {}),
      }),
  },
};

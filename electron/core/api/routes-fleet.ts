import type { IncidentRouteKey } from '../../../shared/api-incidents.js';
import {
  AgentsQuery,
  AlertActionBody,
  AlertResolveBody,
  AlertsQuery,
  DecommissionBody,
  RegionHistoryQuery,
  type RouteKey,
} from '../../../shared/api.js';
import type { Alert } from '../../../shared/model.js';
import { readRegionHistory } from '../fleet/region-history-query.js';
import { AlertNotFoundError } from '../incidents/alert-book.js';
import { IllegalTransitionError } from '../incidents/lifecycle.js';
import { pageAgents } from './agent-pages.js';
import { alertFacts, recordSilenceMade } from './audit-trail.js';
import { HttpError } from './http-util.js';
import { incidentCall } from './routes-incidents.js';
import { EmptyQuery, limitOf, type RouteTable } from './route-spec.js';
import type { ForecastRouteKey } from './routes-forecast.js';
import type { NotifyRouteKey } from './routes-notify.js';
import type { RuleRouteKey } from './routes-rules.js';
import type { RecoveryRouteKey } from './routes-recovery.js';
import type { InteropRouteKey } from './routes-interop.js';
import type { SecurityRouteKey } from './routes-security.js';
import type { CredentialsRouteKey } from '../../../shared/credentials.js';
import type { ComplianceRouteKey } from './routes-compliance.js';
import type { EventRouteKey } from './routes-events.js';
import type { AuditRoutes } from '../../../shared/audit.js';

export type FleetRouteKey = Exclude<
  RouteKey,
  | 'GET /api/v1/metric-names'
  | 'GET /api/v1/query_range'
  | 'GET /api/v1/trends'
  | 'GET /api/v1/percentiles'
  | 'GET /api/v1/storage'
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

function alertAction(fn: () => Alert | null) {
  try {
    const alert = fn();
    if (!alert) throw new HttpError(404, 'not_found', 'no such alert');
    return { alert };
  } catch (err) {
    if (err instanceof AlertNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof IllegalTransitionError) {
      throw new HttpError(409, 'illegal_transition', err.message);
    }
    throw err;
  }
}

/** Fleet and alert routes. */
export const FLEET_ROUTES: RouteTable<FleetRouteKey> = {
  'GET /api/v1/session': { query: EmptyQuery, handle: (_c, s) => s.session() },
  'GET /api/v1/stats': { query: EmptyQuery, handle: (_c, s) => s.stats() },
  'GET /api/v1/regions': { query: EmptyQuery, handle: (_c, s) => ({ regions: s.fleet.regions() }) },
  'GET /api/v1/regions/:id/history': {
    query: RegionHistoryQuery,
    handle: ({ params, query }, s) => {
      if (!s.fleet.region(params.id!))
        throw new HttpError(404, 'not_found', `no region ${params.id}`);
      return readRegionHistory(s.store, params.id!, query.range ?? '1h', s.now());
    },
  },
  'GET /api/v1/agents': {
    query: AgentsQuery,
    handle: ({ query }, s) => pageAgents(s.fleet, query),
  },
  'POST /api/v1/agents/:id/decommission': {
    query: EmptyQuery,
    body: DecommissionBody,
    handle: async ({ params, body }, s) => {
      const by = incidentCall(() => s.incidents.operators.resolve(body.by));
      const outcome = await s.decommission(params.id!, by, body.comment);
      if (outcome.ok) {
        await s.audit.record({
          by,
          action: 'agent.decommission',
          target: outcome.agent.id,
          before: null,
          after: { hostname: outcome.agent.hostname, regionId: outcome.agent.regionId },
          details: { comment: body.comment ?? null, resolvedAlerts: outcome.resolvedAlerts },
        });
        return { agent: outcome.agent, resolvedAlerts: outcome.resolvedAlerts };
      }
      if (outcome.reason === 'not_found') throw new HttpError(404, 'not_found', outcome.message);
      throw new HttpError(409, 'agent_online', outcome.message);
    },
  },
  'GET /api/v1/alerts': {
    query: AlertsQuery,
    handle: ({ query }, s) => ({
      alerts: s.alerts.list({
        ...(query.state ? { state: query.state } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(query.region ? { regionId: query.region } : {}),
        ...(query.agent ? { agentId: query.agent } : {}),
        limit: limitOf(query.limit) ?? 1_000,
      }),
    }),
  },
  'GET /api/v1/alerts/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) => alertAction(() => s.alerts.get(params.id!) ?? null),
  },
  'POST /api/v1/alerts/:id/ack': {
    query: EmptyQuery,
    body: AlertActionBody,
    handle: async ({ params, body }, s) => {
      const by = incidentCall(() => s.incidents.operators.resolve(body.by));
      const before = alertFacts(s.alerts.get(params.id!));
      const out = alertAction(() => s.alerts.acknowledge(params.id!, by, body.comment));
      const after = alertFacts(out.alert);
      await s.audit.record({ by, action: 'alert.ack', target: out.alert.id, before, after });
      return out;
    },
  },
  /** A condition that still holds is resolved under a silence with an end (manual-resolve.ts). */
  'POST /api/v1/alerts/:id/resolve': {
    query: EmptyQuery,
    body: AlertResolveBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const before = alertFacts(s.alerts.get(params.id!));
        const out = s.incidents.resolver.alert(params.id!, by, body.comment, body.silenceMinutes);
        const after = alertFacts(out.alert);
        await Promise.all([
          out.silence ? s.incidents.silences.flush() : null,
          s.audit.record({ by, action: 'alert.resolve', target: out.alert.id, before, after }),
          recordSilenceMade(s.audit, out.silence),
        ]);
        return out;
      }),
  },
};

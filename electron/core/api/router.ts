import { Type, type TSchema } from '@sinclair/typebox';
import {
  AgentsQuery,
  AlertActionBody,
  AlertsQuery,
  EventsQuery,
  type ApiRoutes,
  type RouteKey,
  type SessionInfo,
} from '../../../shared/api.js';
import type { Fleet } from '../fleet/fleet.js';
import { AlertNotFoundError, type AlertBook } from '../incidents/alert-book.js';
import { IllegalTransitionError } from '../incidents/lifecycle.js';
import type { EventLog } from '../store/event-log.js';
import { HttpError, validate } from './http-util.js';

export interface ApiServices {
  session(): SessionInfo;
  fleet: Fleet;
  alerts: AlertBook;
  events: EventLog;
}

interface Ctx<K extends RouteKey> {
  params: Record<string, string>;
  query: ApiRoutes[K]['query'];
  body: ApiRoutes[K]['body'];
}

interface RouteSpec<K extends RouteKey> {
  query?: TSchema;
  body?: TSchema;
  handle(ctx: Ctx<K>, services: ApiServices): ApiRoutes[K]['response'];
}

const EmptyQuery = Type.Object({}, { additionalProperties: false });

const limitOf = (s: string | undefined) =>
  s === undefined ? undefined : Math.min(Number(s), 10_000);

function alertAction(fn: () => ReturnType<AlertBook['get']>) {
  try {
    return { alert: fn()! };
  } catch (err) {
    if (err instanceof AlertNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof IllegalTransitionError)
      throw new HttpError(409, 'illegal_transition', err.message);
    throw err;
  }
}

/** Every REST route, keyed exactly as in shared/api.ts so the types line up end to end. */
const ROUTES: { [K in RouteKey]: RouteSpec<K> } = {
  'GET /api/v1/session': { query: EmptyQuery, handle: (_c, s) => s.session() },
  'GET /api/v1/regions': { query: EmptyQuery, handle: (_c, s) => ({ regions: s.fleet.regions() }) },
  'GET /api/v1/agents': {
    query: AgentsQuery,
    handle: ({ query }, s) => ({
      agents: s.fleet.listAgents({
        ...(query.region ? { regionId: query.region } : {}),
        ...(query.status ? { status: query.status } : {}),
      }),
    }),
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
  'POST /api/v1/alerts/:id/ack': {
    query: EmptyQuery,
    body: AlertActionBody,
    handle: ({ params, body }, s) =>
      alertAction(() => s.alerts.acknowledge(params.id!, body.by ?? 'operator', body.comment)),
  },
  'POST /api/v1/alerts/:id/resolve': {
    query: EmptyQuery,
    body: AlertActionBody,
    handle: ({ params, body }, s) =>
      alertAction(() => s.alerts.resolve(params.id!, body.by ?? 'operator', body.comment)),
  },
  'GET /api/v1/events': {
    query: EventsQuery,
    handle: ({ query }, s) => ({
      events: s.events.list({
        ...(query.region ? { regionId: query.region } : {}),
        ...(query.agent ? { agentId: query.agent } : {}),
        ...(query.category ? { category: query.category } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(limitOf(query.limit) !== undefined ? { limit: limitOf(query.limit) } : {}),
      }),
    }),
  },
};

interface CompiledRoute {
  method: string;
  pattern: RegExp;
  paramNames: string[];
  spec: RouteSpec<RouteKey>;
}

const COMPILED: CompiledRoute[] = Object.entries(ROUTES).map(([key, spec]) => {
  const [method, path] = key.split(' ') as [string, string];
  const paramNames: string[] = [];
  const source = path.replace(/:([a-z]+)/g, (_m, name: string) => {
    paramNames.push(name);
    return '([A-Za-z0-9_.-]{1,64})';
  });
  return {
    method,
    pattern: new RegExp(`^${source}$`),
    paramNames,
    spec: spec as RouteSpec<RouteKey>,
  };
});

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

/** Find the route; a known path with another method is a 405, an unknown one a 404. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  let pathKnown = false;
  for (const route of COMPILED) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const params = Object.fromEntries(route.paramNames.map((n, i) => [n, m[i + 1]!]));
    return { route, params };
  }
  if (pathKnown)
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`);
  throw new HttpError(404, 'not_found', `no API route ${method} ${pathname}`);
}

export function runRoute(
  match: RouteMatch,
  query: Record<string, string>,
  body: unknown,
  services: ApiServices,
): unknown {
  const { spec } = match.route;
  const q = spec.query ? validate<never>(spec.query, query, 'query') : query;
  const b = spec.body ? validate<never>(spec.body, body, 'body') : body;
  return spec.handle({ params: match.params, query: q, body: b as never }, services);
}

export function routeHasBody(match: RouteMatch): boolean {
  return match.route.spec.body !== undefined;
}

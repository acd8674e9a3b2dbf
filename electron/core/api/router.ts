import type { RouteKey } from '../../../shared/api.js';
import { HttpError, validate } from './http-util.js';
import type { ApiServices, RouteSpec } from './route-spec.js';
import { FLEET_ROUTES } from './routes-fleet.js';
import { METRIC_ROUTES } from './routes-metrics.js';
import { FORECAST_ROUTES } from './routes-forecast.js';
import { NOTIFY_ROUTES } from './routes-notify.js';
import { INCIDENT_ROUTES } from './routes-incidents.js';
import { RULE_ROUTES } from './routes-rules.js';
import { RECOVERY_ROUTES } from './routes-recovery.js';
import { SECURITY_ROUTES } from './routes-security.js';
import { INTEROP_ROUTES } from './routes-interop.js';
import { CREDENTIALS_ROUTES } from './routes-credentials.js';
import { COMPLIANCE_ROUTES } from './routes-compliance.js';
import { EVENT_ROUTES } from './routes-events.js';
import { AUDIT_ROUTES } from './routes-audit.js';

export type { ApiServices } from './route-spec.js';

/** Every REST route, keyed exactly as in shared/api.ts so the types line up end to end. */
const ROUTES: { [K in RouteKey]: RouteSpec<K> } = {
  ...FLEET_ROUTES,
  ...METRIC_ROUTES,
  ...FORECAST_ROUTES,
  ...NOTIFY_ROUTES,
  ...INCIDENT_ROUTES,
  ...RULE_ROUTES,
  ...RECOVERY_ROUTES,
  ...SECURITY_ROUTES,
  ...INTEROP_ROUTES,
  ...CREDENTIALS_ROUTES,
  ...COMPLIANCE_ROUTES,
  ...EVENT_ROUTES,
  ...AUDIT_ROUTES,
};

/** Every route key (`POST /api/v1/alerts/:id/ack` …): the audit test checks each mutating one. */
export const ROUTE_KEYS = Object.keys(ROUTES) as RouteKey[];

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
): unknown /* or a Promise of it, from an async handler */ {
  const { spec } = match.route;
  const q = spec.query ? validate<never>(spec.query, query, 'query') : query;
  const b = spec.body ? validate<never>(spec.body, body, 'body') : body;
  return spec.handle({ params: match.params, query: q, body: b as never }, services);
}

export function routeHasBody(match: RouteMatch): boolean {
  return match.route.spec.body !== undefined;
}

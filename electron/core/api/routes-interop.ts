// GET /api/v1/alertmanagers: how forwarding to each configured Alertmanager goes (Settings).
import type { RouteKey } from '../../../shared/api.js';
import type { InteropRoutes } from '../../../shared/interop.js';
import type { RouteTable } from './route-spec.js';

export type InteropRouteKey = Extract<RouteKey, keyof InteropRoutes>;

export const INTEROP_ROUTES: RouteTable<InteropRouteKey> = {
  'GET /api/v1/alertmanagers': {
    handle: (_ctx, s) => s.alertmanagers(),
  },
};

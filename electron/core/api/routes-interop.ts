// GET /api/v1/alertmanagers and /remote-write: how forwarding to each configured Alertmanager
// and remote-write destination goes (Settings).
import type { RouteKey } from '../../../shared/api.js';
import type { InteropRoutes } from '../../../shared/interop.js';
import type { RouteTable } from './route-spec.js';

export type InteropRouteKey = Extract<RouteKey, keyof InteropRoutes>;

export const INTEROP_ROUTES: RouteTable<InteropRouteKey> = {
  'GET /api/v1/alertmanagers': {
    handle: (_ctx, s) => s.alertmanagers(),
  },
  'GET /api/v1/remote-write': {
    handle: (_ctx, s) => s.remoteWrite(),
  },
  'GET /api/v1/relays': {
    handle: (_ctx, s) => s.relays(),
  },
};

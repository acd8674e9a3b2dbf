// Security detections: GET /api/v1/detections. The work is in electron/core/security/.
import type { RouteKey } from '../../../shared/api.js';
import { DetectionsQuery, type SecurityRoutes } from '../../../shared/security.js';
import type { SecurityService } from '../security/security-service.js';
import { DEFAULT_THREAT_OPTIONS, regionThreats } from '../../../shared/threat-level.js';
import { limitOf, type RouteTable } from './route-spec.js';

export type SecurityRouteKey = Extract<RouteKey, keyof SecurityRoutes>;

/** What the routes ask of the security side. */
export type SecurityApi = Pick<SecurityService, 'detections' | 'rules'>;

export const SECURITY_ROUTES: RouteTable<SecurityRouteKey> = {
  'GET /api/v1/detections': {
    query: DetectionsQuery,
    handle: ({ query }, s) => ({
      detections: s.security.detections({
        ...(query.rule !== undefined ? { rule: query.rule } : {}),
        ...(query.agent !== undefined ? { agent: query.agent } : {}),
        ...(query.region !== undefined ? { region: query.region } : {}),
        limit: limitOf(query.limit) ?? 100,
      }),
      rules: s.security.rules(),
    }),
  },
  'GET /api/v1/security/threat': {
    handle: (_ctx, s) => {
      const now = s.now();
      return {
        serverTime: now,
        windowMs: DEFAULT_THREAT_OPTIONS.windowMs,
        halfLifeMs: DEFAULT_THREAT_OPTIONS.halfLifeMs,
        regions: regionThreats(
          s.alerts.all(),
          s.fleet.regions().map((r) => r.id),
          now,
        ),
      };
    },
  },
};

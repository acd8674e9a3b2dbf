// Compliance: scorecards, per-agent posture and the evidence export. The work is in
// electron/core/compliance/.
import type { RouteKey } from '../../../shared/api.js';
import {
  ComplianceExportQuery,
  ComplianceQuery,
  type ComplianceRoutes,
} from '../../../shared/compliance.js';
import type { ComplianceService } from '../compliance/compliance-service.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, type RouteTable } from './route-spec.js';

export type ComplianceRouteKey = Extract<RouteKey, keyof ComplianceRoutes>;

/** What the routes ask of the compliance side. */
export type ComplianceApi = Pick<ComplianceService, 'report' | 'agentPosture' | 'export'>;

export const COMPLIANCE_ROUTES: RouteTable<ComplianceRouteKey> = {
  'GET /api/v1/compliance': {
    query: ComplianceQuery,
    handle: ({ query }, s) => s.compliance.report(query),
  },
  'GET /api/v1/compliance/export': {
    query: ComplianceExportQuery,
    handle: ({ query }, s) => s.compliance.export(query),
  },
  'GET /api/v1/compliance/agents/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) => {
      const posture = s.compliance.agentPosture(params.id!);
      if (!posture) throw new HttpError(404, 'not_found', `no agent ${params.id}`, 'id');
      return posture;
    },
  },
};

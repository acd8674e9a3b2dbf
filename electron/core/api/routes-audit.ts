// The audit trail over HTTP: the filtered list, the chain head, and a check on demand.
import { AuditQuery, type AuditRoutes } from '../../../shared/audit.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, limitOf, type RouteTable } from './route-spec.js';

const numberOf = (s: string | undefined) => (s === undefined ? undefined : Number(s));

export const AUDIT_ROUTES: RouteTable<keyof AuditRoutes> = {
  'GET /api/v1/audit': {
    query: AuditQuery,
    handle: async ({ query }, s) => {
      const from = numberOf(query.from);
      const to = numberOf(query.to);
      if (from !== undefined && to !== undefined && from > to)
        throw new HttpError(400, 'invalid_query', "query field 'from': after 'to'", 'from');
      return s.audit.query({
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        ...(query.by ? { by: query.by } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.target ? { target: query.target } : {}),
        ...(query.cursor ? { before: Number(query.cursor) } : {}),
        limit: Math.max(1, limitOf(query.limit) ?? 500),
      });
    },
  },
  'GET /api/v1/audit/head': {
    query: EmptyQuery,
    handle: (_c, s) => ({ head: s.audit.head(), lastVerification: s.audit.lastVerification }),
  },
  'POST /api/v1/audit/verify': {
    query: EmptyQuery,
    handle: async (_c, s) => ({ result: await s.audit.verify() }),
  },
};

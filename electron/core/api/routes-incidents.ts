// Incidents, silences and maintenance windows: argument checks here, the work in
// electron/core/incidents/ (IncidentServices). Operator actions record `by` (operators.ts).
import {
  AssignBody,
  CommentBody,
  IncidentActionBody,
  IncidentResolveBody,
  IncidentsQuery,
  type IncidentRouteKey,
} from '../../../shared/api-incidents.js';
import {
  ExpireSilenceQuery,
  MaintenanceBody,
  SilenceBody,
  SilencesQuery,
} from '../../../shared/silences.js';
import { AlertNotFoundError } from '../incidents/alert-book.js';
import { ConflictError, InputError, NotFoundError } from '../incidents/incident-errors.js';
import { IllegalTransitionError } from '../incidents/lifecycle.js';
import { incidentFacts, recordSilenceMade } from './audit-trail.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, limitOf, type RouteTable } from './route-spec.js';

function mapError(err: unknown): never {
  if (err instanceof InputError) throw new HttpError(400, 'invalid_body', err.message, err.field);
  if (err instanceof NotFoundError || err instanceof AlertNotFoundError)
    throw new HttpError(404, 'not_found', err.message);
  if (err instanceof ConflictError) throw new HttpError(409, err.code, err.message);
  if (err instanceof IllegalTransitionError)
    throw new HttpError(409, 'illegal_transition', err.message);
  throw err;
}

/** Run an incident operation; its refusals become 400 / 404 / 409 with a JSON body. */
export function incidentCall<T>(fn: () => T): T {
  try {
    const out = fn();
    if (out instanceof Promise) return out.catch(mapError) as T;
    return out;
  } catch (err) {
    return mapError(err);
  }
}

const numberOf = (s: string | undefined) => (s === undefined ? undefined : Number(s));

export const INCIDENT_ROUTES: RouteTable<IncidentRouteKey> = {
  'GET /api/v1/incidents': {
    query: IncidentsQuery,
    handle: ({ query }, s) => {
      const from = numberOf(query.from);
      const to = numberOf(query.to);
      if (from !== undefined && to !== undefined && from > to)
        throw new HttpError(400, 'invalid_query', "query field 'from': after 'to'", 'from');
      return {
        incidents: s.incidents.manager.list({
          ...(query.state ? { state: query.state } : {}),
          ...(query.severity ? { severity: query.severity } : {}),
          ...(query.region ? { regionId: query.region } : {}),
          ...(query.agent ? { agentId: query.agent } : {}),
          ...(query.q ? { text: query.q } : {}),
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          limit: limitOf(query.limit) ?? 500,
        }),
      };
    },
  },
  'GET /api/v1/incidents/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) =>
      incidentCall(() => {
        const incident = s.incidents.manager.get(params.id!);
        if (!incident) throw new NotFoundError(`no incident ${params.id}`);
        return { incident, alerts: s.incidents.manager.alertsOf(incident) };
      }),
  },
  'POST /api/v1/incidents/:id/ack': {
    query: EmptyQuery,
    body: IncidentActionBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const before = incidentFacts(s.incidents.manager.get(params.id!));
        const incident = s.incidents.manager.acknowledge(params.id!, by, body.comment);
        const after = incidentFacts(incident);
        await s.audit.record({ by, action: 'incident.ack', target: incident.id, before, after });
        return { incident };
      }),
  },
  'POST /api/v1/incidents/:id/resolve': {
    query: EmptyQuery,
    body: IncidentResolveBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const before = incidentFacts(s.incidents.manager.get(params.id!));
        const out = s.incidents.resolver.incident(
          params.id!,
          by,
          body.comment,
          body.silenceMinutes,
        );
        const after = incidentFacts(out.incident);
        await Promise.all([
          out.silence ? s.incidents.silences.flush() : null,
          s.audit.record({ by, action: 'incident.resolve', target: params.id!, before, after }),
          recordSilenceMade(s.audit, out.silence),
        ]);
        return out;
      }),
  },
  'POST /api/v1/incidents/:id/assign': {
    query: EmptyQuery,
    body: AssignBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const before = incidentFacts(s.incidents.manager.get(params.id!));
        const incident = s.incidents.manager.assign(params.id!, body.owner, by);
        const after = incidentFacts(incident);
        await s.audit.record({ by, action: 'incident.assign', target: incident.id, before, after });
        return { incident };
      }),
  },
  'POST /api/v1/incidents/:id/comment': {
    query: EmptyQuery,
    body: CommentBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const incident = s.incidents.manager.comment(params.id!, body.text, by);
        await s.audit.record({
          by,
          action: 'incident.comment',
          target: incident.id,
          before: null,
          after: { text: body.text },
        });
        return { incident };
      }),
  },
  'GET /api/v1/silences': {
    query: SilencesQuery,
    handle: ({ query }, s) => ({ silences: s.incidents.silences.list(query.state) }),
  },
  'POST /api/v1/silences': {
    query: EmptyQuery,
    body: SilenceBody,
    handle: ({ body }, s) =>
      incidentCall(async () => {
        const silence = s.incidents.createSilence(body, s.incidents.operators.resolve(body.by));
        await Promise.all([s.incidents.silences.flush(), recordSilenceMade(s.audit, silence)]);
        return { silence };
      }),
  },
  'POST /api/v1/silences/preview': {
    query: EmptyQuery,
    body: SilenceBody,
    handle: ({ body }, s) => incidentCall(() => s.incidents.previewSilence(body)),
  },
  'DELETE /api/v1/silences/:id': {
    query: ExpireSilenceQuery,
    handle: ({ params, query }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(query.by);
        const before = s.incidents.silences.get(params.id!) ?? null;
        const silence = s.incidents.silences.expire(params.id!, by);
        await Promise.all([
          s.incidents.silences.flush(),
          s.audit.record({
            by,
            action: 'silence.expire',
            target: silence.id,
            before,
            after: silence,
          }),
        ]);
        return { silence };
      }),
  },
  'GET /api/v1/maintenance': {
    query: EmptyQuery,
    handle: (_c, s) => ({ windows: s.incidents.maintenance.list() }),
  },
  'POST /api/v1/maintenance': {
    query: EmptyQuery,
    body: MaintenanceBody,
    handle: ({ body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const window = s.incidents.maintenance.create(body, by);
        await Promise.all([
          s.incidents.maintenance.flush(),
          s.audit.record({ by, action: 'maintenance.create', target: window.id, after: window }),
        ]);
        return { window };
      }),
  },
  'PUT /api/v1/maintenance/:id': {
    query: EmptyQuery,
    body: MaintenanceBody,
    handle: ({ params, body }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(body.by);
        const before = structuredClone(s.incidents.maintenance.get(params.id!) ?? null);
        const window = s.incidents.maintenance.update(params.id!, body);
        await Promise.all([
          s.incidents.maintenance.flush(),
          s.audit.record({
            by,
            action: 'maintenance.update',
            target: window.id,
            before,
            after: window,
          }),
        ]);
        return { window };
      }),
  },
  'DELETE /api/v1/maintenance/:id': {
    query: ExpireSilenceQuery,
    handle: ({ params, query }, s) =>
      incidentCall(async () => {
        const by = s.incidents.operators.resolve(query.by);
        const window = s.incidents.maintenance.remove(params.id!);
        await Promise.all([
          s.incidents.maintenance.flush(),
          s.audit.record({ by, action: 'maintenance.delete', target: window.id, before: window }),
        ]);
        return { window };
      }),
  },
};

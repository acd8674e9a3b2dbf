// The incident, silence and maintenance routes of the REST API (merged into ApiRoutes in
// shared/api.ts). Bodies and queries are TypeBox schemas: the core validates with them.
import { Type, type Static } from '@sinclair/typebox';
import type { Incident } from './incidents.js';
import type { Alert } from './model.js';
import {
  ExpireSilenceQuery,
  MaintenanceBody,
  SilenceBody,
  SilencesQuery,
  type MaintenanceView,
  type SilenceView,
} from './silences.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);
const Millis = Type.String({ pattern: '^[0-9]{1,15}$' });
const By = Type.String({ minLength: 1, maxLength: 64 });

export const IncidentsQuery = Type.Object(
  {
    state: Opt(
      Type.Union([
        Type.Literal('open'),
        Type.Literal('acknowledged'),
        Type.Literal('resolved'),
        /** open or acknowledged */
        Type.Literal('unresolved'),
      ]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    /** Text in the title or the timeline, case-insensitive. */
    q: Opt(Type.String({ minLength: 1, maxLength: 200 })),
    /** Incidents that were open at some time in [from, to] (epoch ms). */
    from: Opt(Millis),
    to: Opt(Millis),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);
export type IncidentsQuery = Static<typeof IncidentsQuery>;

export const IncidentActionBody = Type.Object(
  { comment: Opt(Type.String({ maxLength: 2000 })), by: Opt(By) },
  { additionalProperties: false },
);
export type IncidentActionBody = Static<typeof IncidentActionBody>;

/**
 * Resolve by hand. Alerts whose condition still holds (an agent still offline, a region still
 * failed) are resolved and covered by a silence for `silenceMinutes` (default 60), after which
 * the console checks the condition again: never silent forever.
 */
export const IncidentResolveBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(By),
    silenceMinutes: Opt(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
  },
  { additionalProperties: false },
);
export type IncidentResolveBody = Static<typeof IncidentResolveBody>;

export const AssignBody = Type.Object(
  { owner: Type.Union([By, Type.Null()]), by: Opt(By) },
  { additionalProperties: false },
);
export type AssignBody = Static<typeof AssignBody>;

export const CommentBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 2000 }), by: Opt(By) },
  { additionalProperties: false },
);
export type CommentBody = Static<typeof CommentBody>;

type NoQuery = Record<string, never>;

export interface IncidentRoutes {
  'GET /api/v1/incidents': {
    query: IncidentsQuery;
    body: never;
    response: { incidents: Incident[] };
  };
  'GET /api/v1/incidents/:id': {
    query: NoQuery;
    body: never;
    /** The incident and those of its alerts the console still holds. */
    response: { incident: Incident; alerts: Alert[] };
  };
  'POST /api/v1/incidents/:id/ack': {
    query: NoQuery;
    body: IncidentActionBody;
    response: { incident: Incident };
  };
  'POST /api/v1/incidents/:id/resolve': {
    query: NoQuery;
    body: IncidentResolveBody;
    /** `silence`: made for alerts whose condition still held. */
    response: { incident: Incident; silence: SilenceView | null };
  };
  'POST /api/v1/incidents/:id/assign': {
    query: NoQuery;
    body: AssignBody;
    response: { incident: Incident };
  };
  'POST /api/v1/incidents/:id/comment': {
    query: NoQuery;
    body: CommentBody;
    response: { incident: Incident };
  };
  'GET /api/v1/silences': {
    query: SilencesQuery;
    body: never;
    response: { silences: SilenceView[] };
  };
  'POST /api/v1/silences': {
    query: NoQuery;
    body: SilenceBody;
    response: { silence: SilenceView };
  };
  /** What the silence would match now, without saving it. */
  'POST /api/v1/silences/preview': {
    query: NoQuery;
    body: SilenceBody;
    response: { matchers: SilenceView['matchers']; alerts: Alert[]; incidents: string[] };
  };
  /** Expire early (`?by=`): the silence stays listed as expired. */
  'DELETE /api/v1/silences/:id': {
    query: ExpireSilenceQuery;
    body: never;
    response: { silence: SilenceView };
  };
  'GET /api/v1/maintenance': {
    query: NoQuery;
    body: never;
    response: { windows: MaintenanceView[] };
  };
  'POST /api/v1/maintenance': {
    query: NoQuery;
    body: MaintenanceBody;
    response: { window: MaintenanceView };
  };
  'PUT /api/v1/maintenance/:id': {
    query: NoQuery;
    body: MaintenanceBody;
    response: { window: MaintenanceView };
  };
  /** `?by=` names who removed it (the audit trail records it). */
  'DELETE /api/v1/maintenance/:id': {
    query: ExpireSilenceQuery;
    body: never;
    response: { window: MaintenanceView };
  };
}

export type IncidentRouteKey = keyof IncidentRoutes;

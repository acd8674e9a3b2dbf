// The alerts' part of the REST API (merged into ApiRoutes in shared/api.ts): the alert list, one
// alert, and acknowledging or resolving one by hand. Bodies and queries are TypeBox schemas: the
// core validates with them.
import { Type, type Static } from '@sinclair/typebox';
import type { Alert } from './model.js';
import type { SilenceView } from './silences.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

export const AlertsQuery = Type.Object(
  {
    state: Opt(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('firing'),
        Type.Literal('acknowledged'),
        Type.Literal('resolved'),
        Type.Literal('open'),
      ]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);
export type AlertsQuery = Static<typeof AlertsQuery>;

export const AlertActionBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type AlertActionBody = Static<typeof AlertActionBody>;

/**
 * Resolve an alert by hand. One whose condition still holds (an agent still offline, a region
 * still failed) is resolved and covered by a silence for `silenceMinutes` (default 60); at its
 * end the console checks the condition again, so it fires again if it still holds.
 */
export const AlertResolveBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
    silenceMinutes: Opt(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
  },
  { additionalProperties: false },
);
export type AlertResolveBody = Static<typeof AlertResolveBody>;

export interface AlertRoutes {
  'GET /api/v1/alerts': { query: AlertsQuery; body: never; response: { alerts: Alert[] } };
  'GET /api/v1/alerts/:id': {
    query: Record<string, never>;
    body: never;
    response: { alert: Alert };
  };
  'POST /api/v1/alerts/:id/ack': {
    query: Record<string, never>;
    body: AlertActionBody;
    response: { alert: Alert };
  };
  'POST /api/v1/alerts/:id/resolve': {
    query: Record<string, never>;
    body: AlertResolveBody;
    /** `silence`: made because the condition still held (see AlertResolveBody). */
    response: { alert: Alert; silence?: SilenceView };
  };
}

// Agent keys and the enrolment secret: list and revoke an agent's keys, rotate the secret.
// The work is in electron/core/credentials/.
import { Type } from '@sinclair/typebox';
import type { CredentialsRouteKey } from '../../../shared/credentials.js';
import { CredentialNotFound, type Credentials } from '../credentials/credentials.js';
import { HttpError } from './http-util.js';
import { incidentCall } from './routes-incidents.js';
import { EmptyQuery, type RouteTable } from './route-spec.js';

/** What the routes ask of the credentials side. */
export type CredentialsApi = Pick<Credentials, 'list' | 'revoke' | 'rotateSecret'>;

const By = Type.String({ minLength: 1, maxLength: 64 });

export const CREDENTIALS_ROUTES: RouteTable<CredentialsRouteKey> = {
  'GET /api/v1/agents/:id/keys': {
    query: EmptyQuery,
    handle: ({ params }, s) => {
      // A relay's keys are listed here too (its id, rly-…, is no agent's): an operator finds
      // the key id to revoke it by, as for an agent.
      const id = params.id!;
      if (!s.fleet.agent(id) && !s.relays().relays.some((r) => r.id === id))
        throw new HttpError(404, 'not_found', `no agent or relay ${id}`);
      return { keys: s.credentials.list(params.id!) };
    },
  },
  'POST /api/v1/agents/:id/keys/:key/revoke': {
    query: EmptyQuery,
    body: Type.Object(
      { by: Type.Optional(By), comment: Type.Optional(Type.String({ maxLength: 1000 })) },
      { additionalProperties: false },
    ),
    handle: async ({ params, body }, s) => {
      const by = incidentCall(() => s.incidents.operators.resolve(body.by));
      try {
        return await s.credentials.revoke(params.id!, params.key!, by, body.comment);
      } catch (err) {
        if (err instanceof CredentialNotFound) throw new HttpError(404, 'not_found', err.message);
        throw err;
      }
    },
  },
  'POST /api/v1/ingest/enrolment-secret/rotate': {
    query: EmptyQuery,
    body: Type.Object({ by: Type.Optional(By) }, { additionalProperties: false }),
    handle: async ({ body }, s) => {
      const by = incidentCall(() => s.incidents.operators.resolve(body.by));
      try {
        return await s.credentials.rotateSecret(by);
      } catch (err) {
        if ((err as Error).message.includes('is set by'))
          throw new HttpError(409, 'secret_fixed', (err as Error).message);
        throw err;
      }
    },
  },
};

// Runbooks, action history, recovery runs and figures, approving or declining held runs, and
// which actions an agent offers and how the console reaches it.
// Argument checks here (schemas from shared/recovery.ts) and in the runbook book (which names
// the field); the work in electron/core/recovery/. Changes record `by` in the audit trail.
import { Type } from '@sinclair/typebox';
import type { AgentActionsRoutes } from '../../../shared/agent-actions.js';
import type { RouteKey } from '../../../shared/api.js';
import {
  ActionsQuery,
  ApproveBody,
  RunbookModeBody,
  type RecoveryRoutes,
} from '../../../shared/recovery.js';
import { ConflictError, InputError, NotFoundError } from '../incidents/incident-errors.js';
import type { RecoveryService } from '../recovery/recovery-service.js';
import type { Recovery } from '../recovery/recovery-wiring.js';
import type { RecoveryViews } from '../recovery/recovery-views.js';
import type { RunbookBook } from '../recovery/runbook-book.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, type RouteTable } from './route-spec.js';

export type RecoveryRouteKey = Extract<RouteKey, keyof RecoveryRoutes | keyof AgentActionsRoutes>;

/** What the routes ask of the recovery side. */
export interface RecoveryApi {
  book: Pick<RunbookBook, 'create' | 'replace' | 'setMode' | 'remove'>;
  views: Pick<RecoveryViews, 'runbooks' | 'runbook' | 'actions' | 'runs' | 'overall'>;
  service: Pick<RecoveryService, 'approve' | 'decline'>;
  /** Which actions an agent offers and how an action would reach it now. */
  reach: Recovery['reach'];
}

/** Checked whole by the runbook book, which names the field inside a step (a union). */
const AnyObject = Type.Object({}, { additionalProperties: true });

const ByQuery = Type.Object(
  { by: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);

/** Refusals of the recovery side → 400 / 404 / 409 with a JSON body naming the field. */
async function run<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InputError) throw new HttpError(400, 'invalid_body', err.message, err.field);
    if (err instanceof NotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof ConflictError) throw new HttpError(409, err.code, err.message);
    throw err;
  }
}

export const RECOVERY_ROUTES: RouteTable<RecoveryRouteKey> = {
  'GET /api/v1/runbooks': {
    query: EmptyQuery,
    handle: (_c, s) => s.recovery.views.runbooks(),
  },
  'POST /api/v1/runbooks': {
    query: ByQuery,
    body: AnyObject,
    handle: ({ query, body }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(query.by);
        return { runbook: await s.recovery.book.create(body, by) };
      }),
  },
  'GET /api/v1/runbooks/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) => run(() => s.recovery.views.runbook(params.id!)),
  },
  'PUT /api/v1/runbooks/:id': {
    query: ByQuery,
    body: AnyObject,
    handle: ({ params, query, body }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(query.by);
        return { runbook: await s.recovery.book.replace(params.id!, body, by) };
      }),
  },
  'POST /api/v1/runbooks/:id/mode': {
    query: EmptyQuery,
    body: RunbookModeBody,
    handle: ({ params, body }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(body.by);
        return { runbook: await s.recovery.book.setMode(params.id!, body.mode, by) };
      }),
  },
  'DELETE /api/v1/runbooks/:id': {
    query: ByQuery,
    handle: ({ params, query }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(query.by);
        await s.recovery.book.remove(params.id!, by);
        return { deleted: params.id! };
      }),
  },
  'GET /api/v1/actions': {
    query: ActionsQuery,
    handle: ({ query }, s) => ({ actions: s.recovery.views.actions(query) }),
  },
  'GET /api/v1/agents/:id/actions': {
    query: EmptyQuery,
    handle: ({ params }, s) => {
      const id = params.id!;
      if (!s.fleet.agent(id)) throw new HttpError(404, 'not_found', `no agent ${id}`);
      return s.recovery.reach(id);
    },
  },
  'GET /api/v1/recovery/runs': {
    query: ActionsQuery,
    handle: ({ query }, s) => s.recovery.views.runs(query),
  },
  'GET /api/v1/recovery/stats': {
    query: EmptyQuery,
    handle: (_c, s) => s.recovery.views.overall(),
  },
  'POST /api/v1/incidents/:id/approve': {
    query: EmptyQuery,
    body: ApproveBody,
    handle: ({ params, body }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(body.by);
        return { runs: await s.recovery.service.approve(params.id!, by, body.runId, body.comment) };
      }),
  },
  'POST /api/v1/incidents/:id/decline': {
    query: EmptyQuery,
    body: ApproveBody,
    handle: ({ params, body }, s) =>
      run(async () => {
        const by = s.incidents.operators.resolve(body.by);
        return { runs: await s.recovery.service.decline(params.id!, by, body.runId, body.comment) };
      }),
  },
};

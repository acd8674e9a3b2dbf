// Typed calls over the recovery service's routes (shared/recovery.ts `RecoveryRoutes`): the
// runbooks, their runs and actions, the recovery figures, and approving or declining a run.
// Keyed by the contract like ApiClient.request, so paths, bodies and answers are not copies.
import type {
  ApproveBody,
  RecoveryRoutes,
  RecoveryRun,
  RunbookInput,
  RunbookMode,
} from '../../../shared/recovery';
import { byField } from '../lib/operator';
import type { ApiClient, ParamNames, PathOf } from './http';

export type RecoveryRoute = keyof RecoveryRoutes;
type Params<K extends RecoveryRoute> = Record<ParamNames<PathOf<K>>, string>;

export function recoveryCall<K extends RecoveryRoute>(
  api: ApiClient,
  route: K,
  opts: {
    params?: Params<K>;
    query?: Partial<RecoveryRoutes[K]['query']>;
    body?: RecoveryRoutes[K]['body'];
  } = {},
): Promise<RecoveryRoutes[K]['response']> {
  return api.send(route, opts) as Promise<RecoveryRoutes[K]['response']>;
}

/** Approve (or decline) one run of an incident, as the operator this viewer names. */
export function decideRun(
  api: ApiClient,
  decision: 'approve' | 'decline',
  run: Pick<RecoveryRun, 'id' | 'incidentId'>,
  comment?: string,
): Promise<{ runs: RecoveryRun[] }> {
  const body: ApproveBody = {
    runId: run.id,
    ...byField(),
    ...(comment?.trim() ? { comment: comment.trim() } : {}),
  };
  const params = { id: run.incidentId };
  return decision === 'approve'
    ? recoveryCall(api, 'POST /api/v1/incidents/:id/approve', { params, body })
    : recoveryCall(api, 'POST /api/v1/incidents/:id/decline', { params, body });
}

export function setRunbookMode(api: ApiClient, id: string, mode: RunbookMode) {
  return recoveryCall(api, 'POST /api/v1/runbooks/:id/mode', {
    params: { id },
    body: { mode, ...byField() },
  });
}

export function saveRunbook(api: ApiClient, editing: string | null, input: RunbookInput) {
  const query = byField();
  return editing === null
    ? recoveryCall(api, 'POST /api/v1/runbooks', { query, body: input })
    : recoveryCall(api, 'PUT /api/v1/runbooks/:id', {
        params: { id: editing },
        query,
        body: input,
      });
}

export function deleteRunbook(api: ApiClient, id: string) {
  return recoveryCall(api, 'DELETE /api/v1/runbooks/:id', { params: { id }, query: byField() });
}

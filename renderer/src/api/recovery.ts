// Operator actions on recovery: approve or decline a run, change a runbook's mode, save or
// delete a runbook. Each sends the operator's name as `by` (the core audits it).
import type { ApproveBody, RecoveryRun, RunbookInput, RunbookMode } from '../../../shared/recovery';
import { byField } from '../lib/operator';
import type { ApiClient } from './http';

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
    ? api.post('POST /api/v1/incidents/:id/approve', params, body)
    : api.post('POST /api/v1/incidents/:id/decline', params, body);
}

export function setRunbookMode(api: ApiClient, id: string, mode: RunbookMode) {
  return api.post('POST /api/v1/runbooks/:id/mode', { id }, { mode, ...byField() });
}

export function saveRunbook(api: ApiClient, editing: string | null, input: RunbookInput) {
  const query = byField();
  return editing === null
    ? api.request('POST /api/v1/runbooks', { query, body: input })
    : api.request('PUT /api/v1/runbooks/:id', { params: { id: editing }, query, body: input });
}

export function deleteRunbook(api: ApiClient, id: string) {
  return api.request('DELETE /api/v1/runbooks/:id', { params: { id }, query: byField() });
}

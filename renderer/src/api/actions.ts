// Operator actions on alerts: POST ack/resolve, then put the returned alert in the store so
// the queue moves at once (the stream echoes the same change a moment later).
import { byField } from '../lib/operator';
import type { ActionOutcome } from './action-outcome';
import type { ApiClient } from './http';
import type { FleetStore } from './store';

export type { ActionOutcome };
export type AlertAction = 'ack' | 'resolve';

export async function runAlertAction(
  api: ApiClient,
  store: FleetStore,
  action: AlertAction,
  ids: readonly string[],
  comment?: string,
  opts: { keepalive?: boolean } = {},
): Promise<ActionOutcome> {
  // `by`: the operator named in Settings, so the core records who acted.
  const body = { ...(comment && comment.trim() ? { comment: comment.trim() } : {}), ...byField() };
  const route =
    action === 'ack'
      ? ('POST /api/v1/alerts/:id/ack' as const)
      : ('POST /api/v1/alerts/:id/resolve' as const);
  const results = await Promise.allSettled(ids.map((id) => api.post(route, { id }, body, opts)));
  const outcome: ActionOutcome = { done: [], failed: [] };
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      store.upsertAlert(r.value.alert);
      outcome.done.push(r.value.alert);
      const silence = 'silence' in r.value ? r.value.silence : undefined;
      if (silence) {
        (outcome.silenced ??= []).push({
          alertId: r.value.alert.id,
          silenceId: silence.id,
          endsAt: silence.endsAt,
        });
      }
    } else {
      outcome.failed.push({
        id: ids[i]!,
        message: String((r.reason as Error)?.message ?? r.reason),
      });
    }
  });
  return outcome;
}

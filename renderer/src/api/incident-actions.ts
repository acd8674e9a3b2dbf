// Operator actions on incidents: ack, resolve, assign, comment, silence. Each sends the
// operator's name as `by` and puts the returned incident in the store at once (the stream
// echoes the same change a moment later).
import type { Incident } from '../../../shared/incidents.js';
import type { SilenceView } from '../../../shared/silences.js';
import { byField, operatorName } from '../lib/operator';
import type { ApiClient } from './http';
import type { FleetStore } from './store';

export type IncidentAction = 'ack' | 'resolve' | 'assign' | 'silence';

/** What the action came to, in a sentence for the status line. */
export interface IncidentActionResult {
  incident: Incident | null;
  text: string;
}

/** Silence an incident's alerts for this long from the keyboard (`s`). */
export const QUICK_SILENCE_MINUTES = 60;

export async function runIncidentAction(
  api: ApiClient,
  store: FleetStore,
  action: IncidentAction,
  incident: Incident,
  comment?: string,
): Promise<IncidentActionResult> {
  const params = { id: incident.id };
  const note = comment?.trim() ? { comment: comment.trim() } : {};
  switch (action) {
    case 'ack': {
      const out = await api.post('POST /api/v1/incidents/:id/ack', params, {
        ...note,
        ...byField(),
      });
      store.upsertIncident(out.incident);
      return { incident: out.incident, text: `Acknowledged ${incident.title}.` };
    }
    case 'resolve': {
      const out = await api.post('POST /api/v1/incidents/:id/resolve', params, {
        ...note,
        ...byField(),
      });
      store.upsertIncident(out.incident);
      return { incident: out.incident, text: resolvedText(incident, out.silence) };
    }
    case 'assign': {
      const me = operatorName() || 'operator';
      const out = await api.post('POST /api/v1/incidents/:id/assign', params, {
        owner: me,
        ...byField(),
      });
      store.upsertIncident(out.incident);
      return { incident: out.incident, text: `Assigned ${incident.title} to ${me}.` };
    }
    case 'silence': {
      const out = await api.post('POST /api/v1/silences', {} as Record<string, never>, {
        incidentId: incident.id,
        durationMinutes: QUICK_SILENCE_MINUTES,
        comment: note.comment ?? `Silenced from the incidents page: ${incident.title}`,
        ...byField(),
      });
      return {
        incident: null,
        text: `Silenced ${incident.title} for 1 h (${out.silence.id}, until ${clock(out.silence.endsAt)}).`,
      };
    }
  }
}

export async function commentOnIncident(
  api: ApiClient,
  store: FleetStore,
  incident: Incident,
  text: string,
): Promise<void> {
  const out = await api.post(
    'POST /api/v1/incidents/:id/comment',
    { id: incident.id },
    { text: text.trim(), ...byField() },
  );
  store.upsertIncident(out.incident);
}

const clock = (ts: number) =>
  new Date(ts).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

/** A resolve that still held became a silence: say so, with its end. */
export function resolvedText(
  incident: Pick<Incident, 'title'>,
  silence: SilenceView | null,
): string {
  if (!silence) return `Resolved ${incident.title}.`;
  return (
    `Resolved ${incident.title}, but its condition still holds: silenced until ` +
    `${clock(silence.endsAt)} (${silence.id}), then checked again.`
  );
}

// Which browser notifications an incident update calls for: one per incident, not per alert.
// The first names the incident; alerts joining it later replace that notification quietly
// (same tag, renotify false) with the new count instead of popping again. Suppressed (silenced,
// in maintenance), acknowledged and non-critical incidents never notify. Pure: WebNotifier
// (notifications.ts) keeps the state and shows what this returns.
import type { Incident } from '../../../shared/incidents.js';

export interface IncidentNotice {
  incidentId: string;
  /** 'new': the incident's first notification; 'update': more alerts joined it. */
  kind: 'new' | 'update';
  title: string;
  body: string;
  /** One tag per incident: an update replaces the notification on screen. */
  tag: string;
  /** Never pop again for the same incident. */
  renotify: false;
  /** Updates make no sound. */
  silent: boolean;
}

/** Incident id → the alert count its notification shows. */
export type ShownIncidents = ReadonlyMap<string, number>;

export interface NoticeContext {
  hostname(agentId: string): string | null;
  regionName(regionId: string): string | null;
}

export const incidentTag = (id: string) => `incident-${id}`;

/** The incidents already on the first snapshot are not news: they count as shown. */
export function seedShown(incidents: Iterable<Incident>): Map<string, number> {
  const shown = new Map<string, number>();
  for (const i of incidents) if (i.state !== 'resolved') shown.set(i.id, i.alerts.length);
  return shown;
}

export function incidentNotices(
  shown: ShownIncidents,
  updates: readonly Incident[],
  ctx: NoticeContext,
): { notices: IncidentNotice[]; shown: Map<string, number> } {
  const next = new Map(shown);
  const notices: IncidentNotice[] = [];
  for (const i of updates) {
    if (i.state === 'resolved') {
      // Reopened later, it is news again.
      next.delete(i.id);
      continue;
    }
    if (i.state !== 'open' || i.suppressedBy || i.severity !== 'critical') continue;
    const count = i.alerts.length;
    const before = next.get(i.id);
    if (before !== undefined && count <= before) continue;
    next.set(i.id, count);
    const kind = before === undefined ? 'new' : 'update';
    notices.push({
      incidentId: i.id,
      kind,
      title: `${i.severity.toUpperCase()} · ${i.title}`,
      body: noticeBody(i, ctx),
      tag: incidentTag(i.id),
      renotify: false,
      silent: kind === 'update',
    });
  }
  return { notices, shown: next };
}

function noticeBody(i: Incident, ctx: NoticeContext): string {
  const host = i.agentId ? ctx.hostname(i.agentId) : null;
  const region = i.regionId ? (ctx.regionName(i.regionId) ?? i.regionId) : null;
  const count = `${i.alerts.length} alert${i.alerts.length === 1 ? '' : 's'}`;
  return [host, region, count].filter((p) => p !== null).join(' · ');
}

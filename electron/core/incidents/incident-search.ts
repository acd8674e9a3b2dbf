// Finding incidents: by state, severity, region, agent, time and text (title and timeline).
import type { Incident } from '../../../shared/incidents.js';
import type { Severity } from '../../../shared/model.js';

export interface IncidentFilter {
  /** `unresolved`: open or acknowledged. */
  state?: Incident['state'] | 'unresolved';
  severity?: Severity;
  regionId?: string;
  /** The incident's agent, or any agent among its alerts. */
  agentId?: string;
  /** Case-insensitive text in the title or any timeline entry. */
  text?: string;
  /** Open at some time in [from, to]. */
  from?: number;
  to?: number;
  limit?: number;
}

function matches(i: Incident, f: IncidentFilter, now: number, needle: string | null): boolean {
  if (f.state === 'unresolved' ? i.state === 'resolved' : f.state && i.state !== f.state)
    return false;
  if (f.severity && i.severity !== f.severity) return false;
  if (f.regionId && i.regionId !== f.regionId) return false;
  if (f.agentId && i.agentId !== f.agentId && !i.alerts.some((a) => a.agentId === f.agentId))
    return false;
  if (f.to !== undefined && i.openedAt > f.to) return false;
  if (f.from !== undefined && (i.resolvedAt ?? now) < f.from) return false;
  if (needle) {
    const inText = (s: string) => s.toLowerCase().includes(needle);
    if (!inText(i.title) && !i.timeline.some((e) => inText(e.text) || inText(e.by))) return false;
  }
  return true;
}

/** Matching incidents, newest first. */
export function searchIncidents(
  all: Iterable<Incident>,
  filter: IncidentFilter,
  now: number,
): Incident[] {
  const needle = filter.text ? filter.text.toLowerCase() : null;
  const out: Incident[] = [];
  for (const i of all) if (matches(i, filter, now, needle)) out.push(i);
  out.sort((a, b) => b.openedAt - a.openedAt || (a.id < b.id ? 1 : -1));
  return filter.limit !== undefined ? out.slice(0, filter.limit) : out;
}

/** Unresolved incidents, then up to `resolved` resolved ones (each newest first). */
export function currentIncidents(
  all: Iterable<Incident>,
  resolved: number,
  now: number,
): Incident[] {
  const list = [...all];
  const open = searchIncidents(list, { state: 'unresolved' }, now);
  return [...open, ...searchIncidents(list, { state: 'resolved', limit: resolved }, now)];
}

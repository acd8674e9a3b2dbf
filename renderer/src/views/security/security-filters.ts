// The Security page's filters, kept in the URL (#/security?sourceIp=…&type=…) so a view of an
// attack can be linked, and turned into the events API's query.
import type { EventsQuery } from '../../../../shared/api';
import {
  AUTH_EVENT_TYPES,
  FIM_EVENT_TYPES,
  PORT_EVENT_TYPES,
} from '../../../../shared/security-events';

export interface SecurityFilters {
  agent: string;
  region: string;
  user: string;
  sourceIp: string;
  type: string;
  text: string;
}

export const FILTER_KEYS = ['agent', 'region', 'user', 'sourceIp', 'type', 'text'] as const;

/** The types the type filter offers (any other still works from the URL). */
export const EVENT_TYPES: readonly string[] = [
  ...AUTH_EVENT_TYPES,
  ...FIM_EVENT_TYPES,
  ...PORT_EVENT_TYPES,
];

export function parseFilters(query: string): SecurityFilters {
  const p = new URLSearchParams(query);
  return {
    agent: p.get('agent') ?? '',
    region: p.get('region') ?? '',
    user: p.get('user') ?? '',
    sourceIp: p.get('sourceIp') ?? '',
    type: p.get('type') ?? '',
    text: p.get('text') ?? '',
  };
}

export function filtersQuery(f: SecurityFilters): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k].trim()) p.set(k, f[k].trim());
  return p.toString();
}

export function eventsQueryOf(f: SecurityFilters, limit: number): Partial<EventsQuery> {
  const q: Partial<EventsQuery> = { limit: String(limit) };
  for (const k of FILTER_KEYS) if (f[k].trim()) q[k] = f[k].trim();
  return q;
}

export const anyFilter = (f: SecurityFilters) => FILTER_KEYS.some((k) => f[k].trim() !== '');

// The agents' events: GET /api/v1/events (filters, newest first, cursor paging) and
// GET /api/v1/events/top-sources. The work is in electron/core/events/.
import {
  EVENTS_PAGE_DEFAULT,
  EVENTS_PAGE_MAX,
  type EventRoutes,
  type RouteKey,
} from '../../../shared/api.js';
import { EventsQuery, TopSourcesQuery } from '../../../shared/events-api.js';
import { decodeCursor } from '../events/event-store.js';
import { HttpError } from './http-util.js';
import type { RouteTable } from './route-spec.js';

export type EventRouteKey = Extract<RouteKey, keyof EventRoutes>;

const DAY_MS = 86_400_000;

/** from ≤ to, or a 400 naming `to`. */
function range(from: string | undefined, to: string | undefined) {
  const f = from === undefined ? undefined : Number(from);
  const t = to === undefined ? undefined : Number(to);
  if (f !== undefined && t !== undefined && f > t)
    throw new HttpError(400, 'invalid_query', "query field 'to': is before 'from'", 'to');
  return { from: f, to: t };
}

function positiveLimit(s: string | undefined, fallback: number, max: number): number {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (n < 1) throw new HttpError(400, 'invalid_query', "query field 'limit': must be ≥ 1", 'limit');
  return Math.min(n, max);
}

export const EVENT_ROUTES: RouteTable<EventRouteKey> = {
  'GET /api/v1/events': {
    query: EventsQuery,
    handle: ({ query: q }, s) => {
      const { from, to } = range(q.from, q.to);
      return s.events.search({
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        equals: {
          ...(q.agent ? { agent: q.agent } : {}),
          ...(q.region ? { region: q.region } : {}),
          ...(q.user ? { user: q.user } : {}),
          ...(q.sourceIp ? { sourceIp: q.sourceIp } : {}),
          ...(q.type ? { type: q.type } : {}),
        },
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.text ? { text: q.text } : {}),
        ...(q.cursor ? { before: decodeCursor(q.cursor)! } : {}),
        limit: positiveLimit(q.limit, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX),
      });
    },
  },
  'GET /api/v1/events/top-sources': {
    query: TopSourcesQuery,
    handle: ({ query: q }, s) => {
      const now = s.now();
      const r = range(q.from, q.to);
      const to = r.to ?? now;
      const from = r.from ?? Math.min(to, now) - DAY_MS;
      return { from, to, sources: s.events.topSources(from, to, positiveLimit(q.limit, 10, 100)) };
    },
  },
};

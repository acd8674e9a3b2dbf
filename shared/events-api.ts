// The REST contract of the agents' events: GET /api/v1/events (filtered, newest first, paged by
// cursor) and GET /api/v1/events/top-sources (source IPs by failed logins). The console keeps
// events in an indexed on-disk log (electron/core/events/); docs/security.md describes it.
import { Type, type Static } from '@sinclair/typebox';
import type { StoredEvent } from './model.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);
/** Epoch milliseconds, as digits. */
const EpochMs = Type.String({ pattern: '^[0-9]{1,15}$' });
const Name = Type.String({ minLength: 1, maxLength: 128 });

export const EventsQuery = Type.Object(
  {
    /** Event time range (the agent's `ts`), inclusive, epoch ms. */
    from: Opt(EpochMs),
    to: Opt(EpochMs),
    region: Opt(Type.String({ maxLength: 64 })),
    /** Agent id (the host). */
    agent: Opt(Type.String({ maxLength: 64 })),
    /** The `user` attribute. */
    user: Opt(Name),
    /** The `src_ip` attribute (IPv4 or IPv6, as the agent sent it). */
    sourceIp: Opt(Type.String({ minLength: 1, maxLength: 64 })),
    /** The `event.type` attribute (auth_failure, fim_change, port_open, …), else the source. */
    type: Opt(Name),
    category: Opt(
      Type.Union([Type.Literal('security'), Type.Literal('log'), Type.Literal('change')]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    /** Case-insensitive substring of the message, source or any attribute value. */
    text: Opt(Type.String({ minLength: 1, maxLength: 200 })),
    /** Events per page, at most EVENTS_PAGE_MAX (default 100). */
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
    /** `nextCursor` of the previous page. */
    cursor: Opt(Type.String({ pattern: '^[0-9]{1,10}\\.[0-9]{1,10}$' })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const EVENTS_PAGE_DEFAULT = 100;
export const EVENTS_PAGE_MAX = 1_000;

export interface EventsPage {
  /** Newest first, in the order the console stored them. */
  events: StoredEvent[];
  /** Pass as `cursor` for the next, older page; null when nothing older matches. */
  nextCursor: string | null;
  /**
   * A text search looked at its budget of events without filling the page: older events may
   * still match past `nextCursor` (say so on screen, offer to go on).
   */
  scanLimited: boolean;
}

export const TopSourcesQuery = Type.Object(
  {
    from: Opt(EpochMs),
    to: Opt(EpochMs),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,3}$' })),
  },
  { additionalProperties: false },
);
export type TopSourcesQuery = Static<typeof TopSourcesQuery>;

/** One source address by failed authentication attempts (each attempt counted once). */
export interface TopSource {
  sourceIp: string;
  failures: number;
  /** Distinct hosts (agents) and users it failed on. */
  hosts: number;
  users: number;
  /** Event time of its latest failure. */
  lastTs: number;
}

export interface EventRoutes {
  'GET /api/v1/events': { query: EventsQuery; body: never; response: EventsPage };
  /** Defaults: the last 24 h, 10 sources. */
  'GET /api/v1/events/top-sources': {
    query: TopSourcesQuery;
    body: never;
    response: { from: number; to: number; sources: TopSource[] };
  };
}

// The console's API contract: REST under /api/v1 and the /api/v1/stream WebSocket.
// The core's router and the renderer's client both import this file, so the two cannot drift.
import { Type, type Static } from '@sinclair/typebox';
import type { Agent, Alert, Region, StoredEvent } from './model.js';

export const API_PREFIX = '/api/v1';
export const STREAM_PATH = `${API_PREFIX}/stream`;
/** The stream sends changes at most this often. */
export const STREAM_BATCH_MS = 250;

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

export const AgentsQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    status: Opt(
      Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('error')]),
    ),
  },
  { additionalProperties: false },
);

export const AlertsQuery = Type.Object(
  {
    state: Opt(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('firing'),
        Type.Literal('acknowledged'),
        Type.Literal('resolved'),
        Type.Literal('open'),
      ]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);

export const EventsQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    agent: Opt(Type.String({ maxLength: 64 })),
    category: Opt(
      Type.Union([Type.Literal('security'), Type.Literal('log'), Type.Literal('change')]),
    ),
    severity: Opt(
      Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    ),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);

export const AlertActionBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export type AgentsQuery = Static<typeof AgentsQuery>;
export type AlertsQuery = Static<typeof AlertsQuery>;
export type EventsQuery = Static<typeof EventsQuery>;
export type AlertActionBody = Static<typeof AlertActionBody>;

export interface ApiError {
  error: { code: string; message: string; field?: string };
}

export interface SessionInfo {
  version: string;
  ingestUrl: string;
  heartbeatIntervalMs: number;
  serverTime: number;
}

/** Every REST route: method + path template → query, body and response types. */
export interface ApiRoutes {
  'GET /api/v1/session': { query: Record<string, never>; body: never; response: SessionInfo };
  'GET /api/v1/regions': {
    query: Record<string, never>;
    body: never;
    response: { regions: Region[] };
  };
  'GET /api/v1/agents': { query: AgentsQuery; body: never; response: { agents: Agent[] } };
  'GET /api/v1/alerts': { query: AlertsQuery; body: never; response: { alerts: Alert[] } };
  'POST /api/v1/alerts/:id/ack': {
    query: Record<string, never>;
    body: AlertActionBody;
    response: { alert: Alert };
  };
  'POST /api/v1/alerts/:id/resolve': {
    query: Record<string, never>;
    body: AlertActionBody;
    response: { alert: Alert };
  };
  'GET /api/v1/events': { query: EventsQuery; body: never; response: { events: StoredEvent[] } };
}

export type RouteKey = keyof ApiRoutes;

export interface StreamSnapshot {
  type: 'snapshot';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  /** Open alerts and the most recently resolved ones. */
  alerts: Alert[];
}

export interface StreamChanges {
  type: 'changes';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  alerts: Alert[];
}

export type StreamMessage = StreamSnapshot | StreamChanges;

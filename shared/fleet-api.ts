// The fleet's part of the REST API (merged into ApiRoutes in shared/api.ts): the regions, a
// region's agent-count history, the paged agent list and an agent's decommissioning. Bodies and
// queries are TypeBox schemas: the core validates with them.
import { Type, type Static } from '@sinclair/typebox';
import { REGION_HISTORY_RANGES, type RegionHistoryRange } from './api-constants.js';
import type { Agent, Region } from './model.js';

const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

export const AgentsQuery = Type.Object(
  {
    region: Opt(Type.String({ maxLength: 64 })),
    status: Opt(
      Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('error')]),
    ),
    /** 1 to AGENTS_PAGE_MAX (the default). */
    limit: Opt(Type.String({ pattern: '^[0-9]{1,5}$' })),
    /** `nextCursor` of the previous page: opaque. */
    cursor: Opt(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' })),
    /** Fields to return, comma-separated (`id,hostname,status`); `id` always comes. */
    fields: Opt(Type.String({ pattern: '^[A-Za-z]+(,[A-Za-z]+)*$', maxLength: 400 })),
  },
  { additionalProperties: false },
);
export type AgentsQuery = Static<typeof AgentsQuery>;

/** Retire an agent: `by` is recorded on the alerts it resolves, `comment` as their reason. */
export const DecommissionBody = Type.Object(
  {
    comment: Opt(Type.String({ maxLength: 2000 })),
    by: Opt(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type DecommissionBody = Static<typeof DecommissionBody>;

export const RegionHistoryQuery = Type.Object(
  { range: Opt(Type.Union(REGION_HISTORY_RANGES.map((r) => Type.Literal(r)))) },
  { additionalProperties: false },
);
export type RegionHistoryQuery = Static<typeof RegionHistoryQuery>;

/** An agent as GET /api/v1/agents returns it: every field, or those `fields` asked for. */
export type AgentView = Pick<Agent, 'id'> & Partial<Agent>;

/** One page of agents, in id order; `nextCursor` fetches the next (null on the last page). */
export interface AgentsPage {
  agents: AgentView[];
  nextCursor: string | null;
}

export interface DecommissionResponse {
  /** The retired agent's last record. */
  agent: Agent;
  /** Open alerts of the agent that were resolved with it. */
  resolvedAlerts: string[];
}

/**
 * A region's agents online and registered over time, as the console recorded them (on each
 * change, and once a minute while nothing changes).
 */
export interface RegionHistory {
  regionId: string;
  range: RegionHistoryRange;
  /** Start of the first step and end of the last, epoch ms. */
  from: number;
  to: number;
  step: number;
  /**
   * Per step: its start, the fewest agents online during it (a dip is never averaged away)
   * and the most agents registered. null where nothing was recorded: before the region was
   * first seen, or while the console was not running.
   */
  points: [number, number | null, number | null][];
}

export interface FleetRoutes {
  'GET /api/v1/regions': {
    query: Record<string, never>;
    body: never;
    response: { regions: Region[] };
  };
  'GET /api/v1/regions/:id/history': {
    query: RegionHistoryQuery;
    body: never;
    response: RegionHistory;
  };
  'GET /api/v1/agents': { query: AgentsQuery; body: never; response: AgentsPage };
  'POST /api/v1/agents/:id/decommission': {
    query: Record<string, never>;
    body: DecommissionBody;
    response: DecommissionResponse;
  };
}

// The /api/v1/stream WebSocket's messages: the snapshot and changes the console pushes, its
// figures each second, and the live chart tails a viewer asks for (TailRequest, UntailRequest)
// with their answers. Requests are TypeBox schemas: the core validates with them.
import { Type, type Static } from '@sinclair/typebox';
import { QueryRangeQuery } from './analysis-api.js';
import type { ConsoleStats } from './console-api.js';
import type { Incident } from './incidents.js';
import type { Agent, Alert, Region } from './model.js';
import type { RecoveryRun } from './recovery.js';

export interface StreamSnapshot {
  type: 'snapshot';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  /** Open alerts and the most recently resolved ones. */
  alerts: Alert[];
  /** Unresolved incidents and the most recently resolved ones. */
  incidents?: Incident[];
  /** Recovery runs not yet ended, and the most recently ended ones. */
  runs?: RecoveryRun[];
}

export interface StreamChanges {
  type: 'changes';
  seq: number;
  serverTime: number;
  regions: Region[];
  agents: Agent[];
  /** Ids of agents retired (decommissioned) since the last message: drop them. */
  removedAgents: string[];
  alerts: Alert[];
  /** Incidents that opened or changed since the last message. */
  incidents?: Incident[];
  /** Recovery runs that started or changed since the last message (replace by id). */
  runs?: RecoveryRun[];
}

export interface StreamStats extends ConsoleStats {
  type: 'stats';
}

/**
 * Viewer → console on the stream: follow a chart's series live, once a second, at the chart's
 * `step` (TAIL_MIN_STEP_MS to TAIL_MAX_STEP_MS; one second if not given).
 */
export const TailRequest = Type.Object(
  {
    type: Type.Literal('tail'),
    id: Type.String({ minLength: 1, maxLength: 64 }),
    query: Type.Omit(QueryRangeQuery, ['from', 'to']),
  },
  { additionalProperties: false },
);
export const UntailRequest = Type.Object(
  { type: Type.Literal('untail'), id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
export const StreamRequest = Type.Union([TailRequest, UntailRequest]);
export type TailRequest = Static<typeof TailRequest>;
export type StreamRequest = Static<typeof StreamRequest>;

export interface StreamTail {
  type: 'tail';
  id: string;
  serverTime: number;
  /** The last few points at the tail's step (the still-filling ones included); merge by timestamp. */
  points: [number, number | null][];
  /** For a line aggregating several series (region or fleet scope): how many had data in each point. */
  seriesCounts?: number[];
}

export interface StreamTailError {
  type: 'tail_error';
  id: string;
  message: string;
}

export type StreamMessage =
  StreamSnapshot | StreamChanges | StreamStats | StreamTail | StreamTailError;

// Plain values of the API contract, apart from its schemas, so the renderer can import
// them without bundling the schema library (shared/api.ts holds schemas and types).

import type { Agent } from './model.js';

export const API_PREFIX = '/api/v1';
export const STREAM_PATH = `${API_PREFIX}/stream`;
/** The stream sends agent and region changes at most this often (alert state changes at once). */
export const STREAM_BATCH_MS = 250;
/** Agents whose only change is a heartbeat or new latest values are re-sent at most this often. */
export const STREAM_AGENT_REFRESH_MS = 2_000;
/**
 * A range query's step is final once it ended this long ago: samples are stamped when
 * collected and reach the store a moment later. Later steps are flagged partial (`partialFrom`).
 */
export const PARTIAL_SETTLE_MS = 2_000;

/** Start of the first step (on the grid of `step` from `origin`) not yet settled at `now`. */
export function unsettledFrom(origin: number, step: number, now: number): number {
  return origin + Math.max(0, Math.floor((now - PARTIAL_SETTLE_MS - origin) / step)) * step;
}
/**
 * The stream's snapshot holds the open alerts and this many most recently resolved ones; the
 * console keeps the same window, so its resolved history is the same before and after a reconnect.
 */
export const RESOLVED_WINDOW = 500;
/** Tails a viewer may hold at once. */
export const MAX_TAILS_PER_VIEWER = 16;
/** Steps a live tail may ask for: its points are the chart's own, whole steps. */
export const TAIL_MIN_STEP_MS = 1_000;
// Up to a minute: a 6 h chart past raw retention reads 1-minute rollups at a 60 s step.
export const TAIL_MAX_STEP_MS = 60_000;
/** Most agents one GET /api/v1/agents page holds (also the default page size). */
export const AGENTS_PAGE_MAX = 1_000;
/** What `fields=` may name on GET /api/v1/agents. */
export const AGENT_FIELDS = [
  'id',
  'regionId',
  'hostname',
  'ipAddress',
  'type',
  'version',
  'labels',
  'status',
  'registeredAt',
  'lastHeartbeat',
  'statusChangedAt',
  'metricsCount',
  'alertsCount',
  'latest',
] as const satisfies readonly (keyof Agent)[];

/** How far back a region page's health history reaches. */
export const REGION_HISTORY_RANGES = ['1h', '6h', '24h', '7d'] as const;
export type RegionHistoryRange = (typeof REGION_HISTORY_RANGES)[number];

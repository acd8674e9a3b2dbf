// The explorer's state lives in the hash's query string so every chart is a link:
// #/explore?metric=cpu_usage&scope=region:eu-west-1&service=database&agg=p95&range=1h
// Pure (shared/ imports only) and unit-tested.
import { AGENT_TYPES, type AgentType } from '../../../../shared/model.js';

export type Scope =
  { kind: 'fleet' } | { kind: 'region'; id: string } | { kind: 'agent'; id: string };

export const RANGES = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type Range = (typeof RANGES)[number];
export const AGGS = ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'] as const;
export type Agg = (typeof AGGS)[number];

export const RANGE_MS: Readonly<Record<Range, number>> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
};

/** Ranges up to this follow the series live over the stream; longer ones refresh by polling. */
export const LIVE_MAX_RANGE_MS = RANGE_MS['6h'];
/** Points asked of the server per range (it caps at 2,000 and picks the tier). */
const TARGET_POINTS = 1_200;

export interface ExploreState {
  /** '' until chosen (the view then picks a default). */
  metric: string;
  scope: Scope;
  /** Only agents of this type (the Trends page's service) in the region or fleet; '' for all. */
  service: AgentType | '';
  agg: Agg;
  range: Range;
  /** Label filter, `name=value,name2=value2`, '' for none. */
  labels: string;
  /** A performance trend's id (region/service/metric/window) when opened from the Trends page. */
  trend: string | null;
  /** Draw the forecast (and its bands) after the history: region and agent scopes only. */
  forecast: boolean;
}

export const DEFAULT_STATE: ExploreState = {
  metric: '',
  scope: { kind: 'fleet' },
  service: '',
  agg: 'avg',
  range: '1h',
  labels: '',
  trend: null,
  forecast: false,
};

const LABELS_RE = /^[A-Za-z][A-Za-z0-9_]*=[^,]*(,[A-Za-z][A-Za-z0-9_]*=[^,]*)*$/;

function pick<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

export function parseScope(value: string | null): Scope {
  if (!value) return { kind: 'fleet' };
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const id = colon < 0 ? '' : value.slice(colon + 1);
  if (kind === 'region' || kind === 'agent') return { kind, id };
  return { kind: 'fleet' };
}

export function formatScope(scope: Scope): string {
  return scope.kind === 'fleet' ? 'fleet' : `${scope.kind}:${scope.id}`;
}

/** Parse the part of the hash after `?`. Unknown or malformed values fall back to defaults. */
export function parseExploreQuery(query: string): ExploreState {
  const q = new URLSearchParams(query);
  const labels = q.get('labels') ?? '';
  return {
    metric: (q.get('metric') ?? '').trim().slice(0, 128),
    scope: parseScope(q.get('scope')),
    service: AGENT_TYPES.find((t) => t === q.get('service')) ?? '',
    agg: pick(AGGS, q.get('agg'), DEFAULT_STATE.agg),
    range: pick(RANGES, q.get('range'), DEFAULT_STATE.range),
    labels: LABELS_RE.test(labels) ? labels : '',
    trend: q.get('trend') || null,
    forecast: q.get('forecast') === '1',
  };
}

/** Encode a value but keep the characters that read well in a hash (`:` `/` `=` `,` `@`). */
function enc(value: string): string {
  return encodeURIComponent(value).replace(/%(3A|2F|3D|2C|40)/g, (m) => decodeURIComponent(m));
}

/** The query string for a state, in a fixed order (so equal states give equal links). */
export function formatExploreQuery(state: ExploreState): string {
  const parts: [string, string][] = [];
  if (state.metric) parts.push(['metric', state.metric]);
  parts.push(['scope', formatScope(state.scope)]);
  // An agent has one type: the service filter is for regions and the fleet.
  if (state.service && state.scope.kind !== 'agent') parts.push(['service', state.service]);
  parts.push(['agg', state.agg]);
  parts.push(['range', state.range]);
  if (state.labels) parts.push(['labels', state.labels]);
  if (state.trend) parts.push(['trend', state.trend]);
  if (state.forecast && canForecast(state.scope)) parts.push(['forecast', '1']);
  return parts.map(([k, v]) => `${k}=${enc(v)}`).join('&');
}

/** Steps that line up with the store's one-minute and one-hour rollups. */
const NICE_STEPS_S = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];

/** Step (ms) to ask for: the first round step giving at most about TARGET_POINTS points. */
export function stepFor(rangeMs: number): number {
  const wanted = rangeMs / TARGET_POINTS / 1_000;
  const s = NICE_STEPS_S.find((n) => n >= wanted) ?? Math.ceil(wanted / 3600) * 3600;
  return s * 1_000;
}

/** Whether the scope names what it needs (a region or agent id). */
export function scopeReady(scope: Scope): boolean {
  return scope.kind === 'fleet' || scope.id !== '';
}

/** A forecast is of one agent's series or of a region's average: not of the whole fleet. */
export function canForecast(scope: Scope): boolean {
  return scope.kind !== 'fleet' && scope.id !== '';
}

/**
 * The forecast horizon drawn after a range: as long as the range (history and forecast share
 * the chart evenly), within the API's 1 h to 30 d.
 */
export const FORECAST_HORIZON: Readonly<Record<Range, string>> = {
  '15m': '1h',
  '1h': '1h',
  '6h': '6h',
  '24h': '24h',
  '7d': '7d',
  '30d': '30d',
};

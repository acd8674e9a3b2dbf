// A Sigma correlation rule's `correlation` block, validated. References to other rules stay
// names here; the rule set resolves them once every file is read.
import type { YamlLines } from './rule-error.js';
import { isPlainObject } from './rule-meta.js';
import type { CorrelationType } from './types.js';

export interface CorrelationSpec {
  type: CorrelationType;
  /** Ids or names of the rules it correlates, as written. */
  refs: string[];
  groupBy: string[];
  timespanMs: number;
  threshold: number;
  field?: string;
  generate: boolean;
}

const TYPES: CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal_ordered',
  'impossible_travel',
];
const KEYS = ['type', 'rules', 'group-by', 'timespan', 'condition', 'generate', 'aliases'];
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Windows beyond a day would hold memory for too long to be a detection. */
const MAX_TIMESPAN_MS = 86_400_000;

export function parseCorrelation(raw: unknown, at: YamlLines): CorrelationSpec {
  const base = ['correlation'];
  if (!isPlainObject(raw)) throw at.error(base, "'correlation' must be a map");
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k))
      throw at.keyError(base, k, `correlation '${k}' is not one of ${KEYS.join(', ')}`);
  }
  if (raw.aliases !== undefined)
    throw at.keyError(base, 'aliases', "correlation 'aliases' are not supported");
  const type = raw.type;
  if (typeof type !== 'string' || !TYPES.includes(type as CorrelationType)) {
    throw at.error([...base, 'type'], `correlation type must be one of ${TYPES.join(', ')}`);
  }
  const rulesRaw = typeof raw.rules === 'string' ? [raw.rules] : raw.rules;
  if (
    !Array.isArray(rulesRaw) ||
    rulesRaw.length === 0 ||
    rulesRaw.some((r) => typeof r !== 'string' || r === '')
  ) {
    throw at.error([...base, 'rules'], "correlation 'rules' must list rule ids or names");
  }
  if (type === 'temporal_ordered' && rulesRaw.length < 2) {
    throw at.error([...base, 'rules'], 'temporal_ordered needs at least two rules');
  }
  const groupRaw = raw['group-by'] ?? [];
  if (!Array.isArray(groupRaw) || groupRaw.some((g) => typeof g !== 'string' || g === '')) {
    throw at.error([...base, 'group-by'], "'group-by' must be a list of field names");
  }
  const timespanMs = parseTimespan(raw.timespan, at);
  const generate = raw.generate ?? false;
  if (typeof generate !== 'boolean')
    throw at.error([...base, 'generate'], "'generate' must be true or false");
  const { threshold, field } = parseCondition(raw.condition, type as CorrelationType, at);
  return {
    type: type as CorrelationType,
    refs: rulesRaw as string[],
    groupBy: groupRaw as string[],
    timespanMs,
    threshold,
    ...(field !== undefined ? { field } : {}),
    generate,
  };
}

function parseTimespan(v: unknown, at: YamlLines): number {
  const path = ['correlation', 'timespan'];
  const m = typeof v === 'string' ? /^(\d+)([smhd])$/.exec(v) : null;
  if (!m) throw at.error(path, "'timespan' must be a number and a unit: 30s, 5m, 1h, 1d");
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0 || ms > MAX_TIMESPAN_MS)
    throw at.error(path, "'timespan' must be above 0 and at most 1d");
  return ms;
}

/** Only thresholds that rise (gte, gt) fire as events arrive; lt/lte/eq would need timers. */
function parseCondition(
  v: unknown,
  type: CorrelationType,
  at: YamlLines,
): { threshold: number; field?: string } {
  const path = ['correlation', 'condition'];
  if (v === undefined && type === 'temporal_ordered') return { threshold: 1 };
  if (!isPlainObject(v)) throw at.error(path, "'condition' must be a map such as { gte: 10 }");
  let threshold: number | undefined;
  let field: string | undefined;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'field') {
      if (typeof x !== 'string' || x === '')
        throw at.error([...path, k], "'field' must be a field name");
      field = x;
    } else if (k === 'gte' || k === 'gt') {
      if (threshold !== undefined) throw at.keyError(path, k, 'give one of gte or gt');
      if (
        typeof x !== 'number' ||
        !Number.isInteger(x) ||
        x < (k === 'gt' ? 0 : 1) ||
        x > 100_000
      ) {
        throw at.error([...path, k], `'${k}' must be a whole number (gte 1..100000)`);
      }
      threshold = k === 'gt' ? x + 1 : x;
    } else if (['lt', 'lte', 'eq', 'neq'].includes(k)) {
      throw at.keyError(path, k, `condition '${k}' is not supported (only gte and gt)`);
    } else {
      throw at.keyError(path, k, `condition '${k}' is not one of gte, gt, field`);
    }
  }
  if (threshold === undefined) throw at.error(path, "'condition' needs gte or gt");
  if (type === 'value_count' && field === undefined) {
    throw at.error(
      path,
      "value_count needs 'condition.field': the field whose distinct values count",
    );
  }
  if (type === 'impossible_travel' && field === undefined) {
    throw at.error(
      path,
      "impossible_travel needs 'condition.field': the field holding the region id (regionId)",
    );
  }
  if (type !== 'value_count' && type !== 'impossible_travel' && field !== undefined) {
    throw at.keyError(path, 'field', "'field' applies only to value_count and impossible_travel");
  }
  if (type === 'temporal_ordered' && threshold !== 1) {
    throw at.error(path, 'temporal_ordered supports only gte: 1 (the ordered sequence happened)');
  }
  return { threshold, ...(field !== undefined ? { field } : {}) };
}

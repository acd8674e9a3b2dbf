// A rule as the form edits it: every input is text (so a half-typed number stays as typed),
// durations in the unit the label says; `toRule` turns it into the JSON the core checks.
// The core's 400 names fields of the rule (`forMs`, `matchers.regions.0`); inputs carry the
// same names, so each error lands beside its input.
import type { Rule, RuleKind } from '../../../../shared/rules';

export type Draft = Record<string, string> & { kind: RuleKind; enabled: string };

/** Inputs shown per kind, in order (id, kind, description and enabled come first for all). */
export const KIND_FIELDS: Record<RuleKind, readonly string[]> = {
  threshold: [
    'metric',
    'comparator',
    'unit',
    'warning',
    'critical',
    'hysteresis',
    'forMs',
    'keepFiringForMs',
    'matchers',
    'runbookUrl',
  ],
  rate_of_change: [
    'metric',
    'comparator',
    'unit',
    'windowMs',
    'warning',
    'critical',
    'hysteresis',
    'forMs',
    'keepFiringForMs',
    'matchers',
    'runbookUrl',
  ],
  region_aggregate: [
    'metric',
    'agg',
    'comparator',
    'unit',
    'windowMs',
    'warning',
    'critical',
    'hysteresis',
    'forMs',
    'matchers',
    'runbookUrl',
  ],
  absence: ['metric', 'absentForMs', 'severity', 'matchers', 'runbookUrl'],
  agent_offline: ['severity', 'matchers', 'runbookUrl'],
  region_status: ['degraded', 'failed', 'runbookUrl'],
  forecast: ['metric', 'unit', 'threshold', 'horizonMs', 'severity', 'runbookUrl'],
  anomaly: ['metrics', 'sensitivity', 'severity', 'runbookUrl'],
};

export const KIND_LABELS: Record<RuleKind, string> = {
  threshold: 'Threshold',
  rate_of_change: 'Rate of change',
  region_aggregate: 'Region aggregate',
  absence: 'Absence',
  agent_offline: 'Agent offline',
  region_status: 'Region status',
  forecast: 'Forecast',
  anomaly: 'Anomaly',
};

/** Durations: the form's unit, in ms. */
export const DURATION_UNITS: Record<string, { ms: number; label: string }> = {
  forMs: { ms: 1000, label: 's' },
  keepFiringForMs: { ms: 1000, label: 's' },
  absentForMs: { ms: 60_000, label: 'min' },
  windowMs: { ms: 60_000, label: 'min' },
  horizonMs: { ms: 86_400_000, label: 'days' },
};

const NUMBER_FIELDS = new Set(['warning', 'critical', 'hysteresis', 'threshold']);
const NULLABLE = new Set(['warning', 'critical', 'degraded', 'failed']);

const DEFAULTS: Record<string, string> = {
  metric: '',
  comparator: 'gt',
  agg: 'p95',
  unit: '%',
  warning: '',
  critical: '',
  hysteresis: '0',
  forMs: '0',
  keepFiringForMs: '',
  windowMs: '30',
  absentForMs: '5',
  severity: 'warning',
  degraded: 'warning',
  failed: 'critical',
  threshold: '90',
  horizonMs: '7',
  metrics: '',
  sensitivity: 'medium',
  'matchers.regions': '',
  'matchers.agentTypes': '',
  'matchers.labels': '',
  runbookUrl: '',
};

export function emptyDraft(kind: RuleKind = 'threshold'): Draft {
  return { ...DEFAULTS, id: '', description: '', enabled: 'true', kind };
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The draft of an existing rule (edit, duplicate). */
export function draftOf(rule: Rule): Draft {
  const d = emptyDraft(rule.kind);
  for (const [k, v] of Object.entries(rule)) {
    if (k === 'matchers' && v && typeof v === 'object') {
      const m = v as { regions?: string[]; agentTypes?: string[]; labels?: Record<string, string> };
      d['matchers.regions'] = (m.regions ?? []).join(', ');
      d['matchers.agentTypes'] = (m.agentTypes ?? []).join(', ');
      d['matchers.labels'] = Object.entries(m.labels ?? {})
        .map(([a, b]) => `${a}=${b}`)
        .join(', ');
    } else if (Array.isArray(v)) d[k] = v.join(', ');
    else if (DURATION_UNITS[k] && typeof v === 'number') d[k] = String(v / DURATION_UNITS[k].ms);
    else d[k] = v === null ? '' : String(v);
  }
  return d;
}

/** A number as typed, or the text itself (the core then names the field). */
function num(s: string): number | string {
  const t = s.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The rule JSON of a draft; only the fields of its kind. */
export function toRule(d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: d.id.trim(),
    kind: d.kind,
    enabled: d.enabled === 'true',
    description: d.description,
  };
  for (const f of KIND_FIELDS[d.kind]) {
    if (f === 'matchers') {
      const m: Record<string, unknown> = {};
      if (list(d['matchers.regions'] ?? '').length) m.regions = list(d['matchers.regions']!);
      if (list(d['matchers.agentTypes'] ?? '').length)
        m.agentTypes = list(d['matchers.agentTypes']!);
      const labels = list(d['matchers.labels'] ?? '');
      // A region_aggregate rule scopes by region and agent type only (its figure is one per region).
      if (labels.length && d.kind !== 'region_aggregate')
        m.labels = Object.fromEntries(
          labels.map((l) => {
            const i = l.indexOf('=');
            return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
          }),
        );
      if (Object.keys(m).length) out.matchers = m;
      continue;
    }
    const v = d[f] ?? '';
    if (f === 'metrics') out.metrics = list(v);
    else if (DURATION_UNITS[f]) {
      if (f === 'keepFiringForMs' && v.trim() === '') continue;
      const n = num(v);
      out[f] = typeof n === 'number' ? Math.round(n * DURATION_UNITS[f].ms) : n;
    } else if (NULLABLE.has(f) && v.trim() === '') out[f] = null;
    else if (NUMBER_FIELDS.has(f)) out[f] = num(v);
    else if (f === 'runbookUrl' && v.trim() === '') continue;
    else out[f] = v;
  }
  return out;
}

/** The input an error of the core belongs to (`matchers.regions.0` → `matchers.regions`). */
export function inputOf(field: string): string {
  if (field.startsWith('matchers.')) return field.split('.').slice(0, 2).join('.');
  if (field === 'matchers') return 'matchers.regions';
  return field.split('.')[0] ?? field;
}

/** A free id for a copy: `<id>_copy`, `<id>_copy2`, … (at most 64 characters). */
export function copyId(id: string, taken: ReadonlySet<string>): string {
  const base = `${id.slice(0, 56)}_copy`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** One line saying what the rule watches and when it fires. */
export function ruleSummary(r: Rule): string {
  const lv = (w: number | null, c: number | null, unit: string) =>
    [w !== null ? `warn ${w}${unit}` : null, c !== null ? `crit ${c}${unit}` : null]
      .filter(Boolean)
      .join(', ');
  switch (r.kind) {
    case 'threshold':
      return `${r.metric} ${r.comparator === 'gt' ? '>' : '<'} ${lv(r.warning, r.critical, r.unit)}${r.forMs ? ` for ${r.forMs / 1000} s` : ''}`;
    case 'rate_of_change':
      return `${r.metric} ${r.comparator === 'gt' ? 'rising' : 'falling'} ${lv(r.warning, r.critical, `${r.unit}/h`)} over ${r.windowMs / 60_000} min`;
    case 'region_aggregate':
      return `${r.agg} ${r.metric} per region over ${r.windowMs / 60_000} min ${r.comparator === 'gt' ? '>' : '<'} ${lv(r.warning, r.critical, r.unit)}${r.forMs ? ` for ${r.forMs / 1000} s` : ''}`;
    case 'absence':
      return `${r.metric} silent ${r.absentForMs / 60_000} min on a live agent`;
    case 'agent_offline':
      return 'agent stops reporting';
    case 'region_status':
      return `degraded: ${r.degraded ?? 'none'}, failed: ${r.failed ?? 'none'}`;
    case 'forecast':
      return `${r.metric} forecast to reach ${r.threshold}${r.unit} within ${r.horizonMs / 86_400_000} d`;
    case 'anomaly':
      return `${r.metrics.join(', ')} unusual (${r.sensitivity})`;
  }
}

export function severityOf(r: Rule): string {
  if ('severity' in r) return r.severity;
  if (r.kind === 'region_status') return r.failed ?? r.degraded ?? '—';
  return r.critical !== null ? 'critical' : 'warning';
}

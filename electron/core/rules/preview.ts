// "This rule would have fired N times in the last 24 h": the rule replayed over the metric's
// minute rollups from the time-series store, with the same levels, hysteresis, for and
// keep_firing_for as the live evaluator. A minute breaches when its extreme (max for gt, min
// for lt) passes a level and clears when that extreme is back past the hysteresis line, so a
// one-sample spike counts as it would live. A replay, so an estimate: samples within a minute
// are not ordered, and the agent's status in the past is not stored (absence counts a series
// as expected while its agent's other series reported).
import type { RulePreview, RulePreviewEpisode } from '../../../shared/api.js';
import type { Agent, Severity } from '../../../shared/model.js';
import { SEVERITY_RANK } from '../../../shared/model.js';
import type { AbsenceRule, RateOfChangeRule, Rule, ThresholdRule } from '../../../shared/rules.js';
import { breachOf, isCleared } from '../incidents/thresholds.js';
import type { Bucket } from '../store/rollup.js';
import type { Series } from '../store/series.js';
import { seriesKey } from '../store/series-key.js';
import { matchesSeries } from './matchers.js';
import { slopePerHour, type MinutePoint } from './rate-window.js';

export const PREVIEW_RANGE_MS = 86_400_000;
/** Series replayed at most (a preview must answer while the operator waits). */
export const PREVIEW_MAX_SERIES = 2_000;
const MAX_EPISODES = 50;

export interface PreviewSource {
  seriesOf(metric: string): Iterable<Series>;
  seriesForAgent(agentId: string): Iterable<Series>;
  bucketsOfMany(list: readonly Series[], tier: '1m', from: number, to: number): Bucket[][];
}

export interface PreviewDeps {
  store: PreviewSource;
  agent(id: string): Agent | undefined;
  now(): number;
}

interface Episode {
  severity: Severity;
  start: number;
  end: number | null;
}

export function previewRule(rule: Rule, deps: PreviewDeps): RulePreview {
  const to = deps.now();
  const from = to - PREVIEW_RANGE_MS;
  const base = { from, to, firings: 0, series: 0, seriesFiring: 0, truncated: false, episodes: [] };
  if (rule.kind !== 'threshold' && rule.kind !== 'rate_of_change' && rule.kind !== 'absence') {
    return {
      ...base,
      supported: false,
      reason:
        rule.kind === 'region_aggregate'
          ? 'no preview for region_aggregate rules yet: the replay reads per-series minute rollups, not region-wide windows'
          : `no preview for ${rule.kind} rules: they depend on state the store does not keep`,
    };
  }
  const matching: { series: Series; agent: Agent }[] = [];
  for (const series of deps.store.seriesOf(rule.metric)) {
    const agent = deps.agent(series.agentId);
    if (!agent || !matchesSeries(rule.matchers, agent, series.labels)) continue;
    matching.push({ series, agent });
  }
  const truncated = matching.length > PREVIEW_MAX_SERIES;
  const list = matching.slice(0, PREVIEW_MAX_SERIES);
  const buckets = deps.store.bucketsOfMany(
    list.map((m) => m.series),
    '1m',
    from,
    to,
  );
  const out: RulePreview = { ...base, supported: true, truncated, series: list.length };
  const episodes: RulePreviewEpisode[] = [];
  list.forEach(({ series, agent }, i) => {
    const minutes = buckets[i]!;
    const found =
      rule.kind === 'absence'
        ? absenceEpisodes(rule, minutes, aliveMinutes(deps.store, series, from, to))
        : levelEpisodes(rule, valuesOf(rule, minutes), to);
    if (found.length === 0) return;
    out.seriesFiring++;
    out.firings += found.length;
    for (const e of found)
      episodes.push({
        agentId: agent.id,
        hostname: agent.hostname,
        regionId: agent.regionId,
        series: seriesKey(series.name, series.labels),
        ...e,
      });
  });
  out.episodes = episodes.sort((a, b) => b.start - a.start).slice(0, MAX_EPISODES);
  return out;
}

/** The value judged each minute: the extreme toward the breach, or the slope per hour. */
function valuesOf(rule: ThresholdRule | RateOfChangeRule, minutes: Bucket[]): MinutePoint[] {
  if (rule.kind === 'threshold')
    return minutes.map((b) => ({ t: b.start, v: rule.comparator === 'gt' ? b.max : b.min }));
  const out: MinutePoint[] = [];
  const window: MinutePoint[] = [];
  for (const b of minutes) {
    window.push({ t: b.start, v: b.last });
    while (window[0]!.t < b.start - rule.windowMs) window.shift();
    const rate = slopePerHour(window, rule.windowMs);
    if (rate !== null) out.push({ t: b.start, v: rate });
  }
  return out;
}

/** Firings of a level rule over minute values, as the alert book would have seen them. */
export function levelEpisodes(
  rule: ThresholdRule | RateOfChangeRule,
  points: readonly MinutePoint[],
  to: number,
): Episode[] {
  const out: Episode[] = [];
  const keepMs = rule.keepFiringForMs ?? 0;
  let pendingSince: number | null = null;
  let severity: Severity = 'info';
  let firing: Episode | null = null;
  let keepUntil: number | null = null;
  const end = (at: number) => {
    if (firing) firing.end = at;
    firing = null;
    keepUntil = null;
  };
  for (const { t, v } of points) {
    if (firing && keepUntil !== null && t >= keepUntil) end(keepUntil);
    if (pendingSince !== null && pendingSince + rule.forMs <= t) {
      out.push((firing = { severity, start: pendingSince + rule.forMs, end: null }));
      pendingSince = null;
    }
    const breach = breachOf(rule, v);
    if (breach) {
      keepUntil = null;
      if (firing) {
        if (SEVERITY_RANK[breach.severity] > SEVERITY_RANK[firing.severity])
          firing.severity = breach.severity;
      } else if (pendingSince === null) {
        pendingSince = t;
        severity = breach.severity;
        if (rule.forMs === 0) {
          out.push((firing = { severity, start: t, end: null }));
          pendingSince = null;
        }
      } else if (SEVERITY_RANK[breach.severity] > SEVERITY_RANK[severity]) {
        severity = breach.severity;
      }
    } else if (isCleared(rule, v)) {
      pendingSince = null;
      if (firing && keepMs > 0) keepUntil ??= t + keepMs;
      else end(t);
    }
  }
  if (pendingSince !== null && pendingSince + rule.forMs <= to)
    out.push({ severity, start: pendingSince + rule.forMs, end: null });
  return out;
}

/** Minutes in which any series of the series' agent reported (the agent was alive). */
function aliveMinutes(store: PreviewSource, series: Series, from: number, to: number): number[] {
  const all = [...store.seriesForAgent(series.agentId)];
  const set = new Set<number>();
  for (const list of store.bucketsOfMany(all, '1m', from, to))
    for (const b of list) set.add(b.start);
  return [...set].sort((a, b) => a - b);
}

/** Silences of the series of at least absentForMs while its agent was alive. */
export function absenceEpisodes(
  rule: AbsenceRule,
  minutes: readonly Bucket[],
  alive: readonly number[],
): Episode[] {
  const out: Episode[] = [];
  const reported = new Set(minutes.map((b) => b.start));
  let lastSeen = minutes[0]?.start ?? null;
  let open: Episode | null = null;
  for (const t of alive) {
    if (lastSeen === null || t < lastSeen) continue;
    if (reported.has(t)) {
      lastSeen = t;
      if (open) open.end = t;
      open = null;
      continue;
    }
    if (!open && t - lastSeen >= rule.absentForMs) {
      out.push((open = { severity: rule.severity, start: t, end: null }));
    }
  }
  return out;
}

// Each region's threat level: a score from its recent detections, so that an operator looking
// at the map sees where the attacks are now, not where they were yesterday.
//
// The score is a sum over the region's detection alerts (rule id `detect:…`) whose last
// activity is inside the window: each counts its severity's weight, halved for every
// `halfLifeMs` since it last fired. A brute force still going on weighs its full weight; the
// same one six hours later weighs half. Acknowledging a detection does not lower the score
// (the attack happened); only time does. The levels are fixed score bands, written down here
// and in docs/security.md so that "high" means the same thing on every screen.
import type { Alert, Severity } from './model.js';
import { DETECTION_RULE_PREFIX } from './security.js';

export const THREAT_LEVELS = ['none', 'low', 'elevated', 'high', 'severe'] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

/** Lower score bound of each level above `none` (a score of 0 is `none`). */
export const THREAT_LEVEL_FLOOR: Readonly<Record<Exclude<ThreatLevel, 'none'>, number>> = {
  low: Number.MIN_VALUE,
  elevated: 5,
  high: 15,
  severe: 40,
};

export const THREAT_SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 10,
  warning: 4,
  info: 1,
};

export interface ThreatOptions {
  /** Detections whose last activity is older than this do not count at all. */
  windowMs: number;
  /** A detection's weight halves every `halfLifeMs` after it last fired. */
  halfLifeMs: number;
}

export const DEFAULT_THREAT_OPTIONS: ThreatOptions = {
  windowMs: 24 * 3_600_000,
  halfLifeMs: 6 * 3_600_000,
};

export interface RegionThreat {
  regionId: string;
  /** Rounded to one decimal. */
  score: number;
  level: ThreatLevel;
  /** Detection alerts counted (each an attack episode, not each event). */
  detections: number;
  /** Of those, still open (the attack has not gone quiet). */
  open: number;
  bySeverity: Record<Severity, number>;
  /** Sigma rule ids by how many episodes they count for, most first (at most 3). */
  topRules: { ruleId: string; count: number }[];
  /** Newest last activity among them, or null. */
  lastDetectionAt: number | null;
}

export function threatLevelOf(score: number): ThreatLevel {
  if (score >= THREAT_LEVEL_FLOOR.severe) return 'severe';
  if (score >= THREAT_LEVEL_FLOOR.high) return 'high';
  if (score >= THREAT_LEVEL_FLOOR.elevated) return 'elevated';
  return score > 0 ? 'low' : 'none';
}

/** A detection alert's last activity: when it last fired, or when it resolved. */
const lastActivity = (a: Alert) => a.updatedAt;

/** One entry per region in `regionIds` (those without detections score 0, level `none`). */
export function regionThreats(
  alerts: Iterable<Alert>,
  regionIds: readonly string[],
  now: number,
  opts: ThreatOptions = DEFAULT_THREAT_OPTIONS,
): RegionThreat[] {
  const acc = new Map<string, { score: number; t: RegionThreat; rules: Map<string, number> }>();
  for (const regionId of regionIds)
    acc.set(regionId, {
      score: 0,
      rules: new Map(),
      t: {
        regionId,
        score: 0,
        level: 'none',
        detections: 0,
        open: 0,
        bySeverity: { critical: 0, warning: 0, info: 0 },
        topRules: [],
        lastDetectionAt: null,
      },
    });
  for (const a of alerts) {
    if (!a.ruleId.startsWith(DETECTION_RULE_PREFIX)) continue;
    const regionId = a.subject.regionId;
    const entry = regionId ? acc.get(regionId) : undefined;
    if (!entry) continue;
    const age = Math.max(0, now - lastActivity(a));
    if (age > opts.windowMs) continue;
    entry.score += THREAT_SEVERITY_WEIGHT[a.severity] * 2 ** (-age / opts.halfLifeMs);
    const t = entry.t;
    t.detections++;
    if (a.state !== 'resolved') t.open++;
    t.bySeverity[a.severity]++;
    t.lastDetectionAt = Math.max(t.lastDetectionAt ?? 0, lastActivity(a));
    const sigmaId = a.ruleId.slice(DETECTION_RULE_PREFIX.length);
    entry.rules.set(sigmaId, (entry.rules.get(sigmaId) ?? 0) + 1);
  }
  return [...acc.values()].map(({ score, t, rules }) => ({
    ...t,
    // The level follows the score as shown, so that "5.0 · elevated" never reads "low".
    score: Math.round(score * 10) / 10,
    level: threatLevelOf(Math.round(score * 10) / 10),
    topRules: [...rules]
      .map(([ruleId, count]) => ({ ruleId, count }))
      .sort((x, y) => y.count - x.count || (x.ruleId < y.ruleId ? -1 : 1))
      .slice(0, 3),
  }));
}

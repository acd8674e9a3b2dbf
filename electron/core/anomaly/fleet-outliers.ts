// "Which host is the odd one out": within a group of peers (a region's agents of one service),
// the agents whose recent series differ from the others', by augurs' outlier detectors —
// DBSCAN (default: at each time step, an agent outside the cluster the peers form) or MAD
// (distance from the peers' median in median absolute deviations). The series must share
// their timestamps (the caller reads the peers' rollups at one step); gaps are filled from the
// agent's nearest earlier value (or, at the start, its first one).

import { outlierModule } from './augurs-wasm.js';
import { median } from './robust.js';

export interface AgentSeries {
  agentId: string;
  /** One value per group timestamp; NaN where the agent reported nothing. */
  values: ArrayLike<number>;
}

export interface FleetGroup {
  timestamps: readonly number[];
  agents: readonly AgentSeries[];
}

export interface FleetOutlierOptions {
  /** Default 'dbscan'. */
  method?: 'dbscan' | 'mad';
  /**
   * In (0, 1): higher flags more. Default 0.8: with DBSCAN, an agent 8 σ of noise away from
   * 4–19 peers for half an hour was found in 19 of 20 seeded groups, and 1 agent was flagged
   * in 120 groups of peers alone (at 0.9, about 3 per group: augurs scales its ε to the data,
   * so short windows of pure noise get flagged). MAD needs larger departures.
   */
  sensitivity?: number;
}

export interface OutlyingInterval {
  /** First and last timestamp at which the agent was outlying. */
  start: number;
  end: number;
}

export interface OutlierAgent {
  agentId: string;
  /** Share of the window's samples during which the agent was outlying, 0–1. */
  score: number;
  /** augurs' own highest score for it (DBSCAN 0/1; MAD, distance in MADs scaled to its threshold). */
  peak: number;
  intervals: OutlyingInterval[];
}

export interface FleetOutliers {
  method: 'dbscan' | 'mad';
  outliers: OutlierAgent[];
  /** Agents left out, and why (no values at all). */
  skipped: { agentId: string; reason: string }[];
  /** Set when the group is too small to have peers (DBSCAN needs 3 agents, MAD 3). */
  tooFew?: string;
}

const MIN_AGENTS = 3;
/**
 * An agent counts as outlying at a step only if it is also this far from the peers' median
 * (relative to the median's magnitude): identical or near-identical peers, whose spread is 0,
 * have no odd one out (augurs' MAD would flag them all).
 */
const RELATIVE_FLOOR = 0.01;

export function fleetOutliers(group: FleetGroup, options: FleetOutlierOptions = {}): FleetOutliers {
  const method = options.method ?? 'dbscan';
  const sensitivity = options.sensitivity ?? 0.8;
  if (!(sensitivity > 0 && sensitivity < 1)) {
    throw new RangeError('sensitivity must be between 0 and 1');
  }
  const n = group.timestamps.length;
  const skipped: FleetOutliers['skipped'] = [];
  const kept: { agentId: string; values: Float64Array }[] = [];
  for (const agent of group.agents) {
    if (agent.values.length !== n) {
      throw new RangeError(
        `agent ${agent.agentId}: ${agent.values.length} values for ${n} timestamps`,
      );
    }
    const filled = fillGaps(agent.values);
    if (filled) kept.push({ agentId: agent.agentId, values: filled });
    else skipped.push({ agentId: agent.agentId, reason: 'no values in the window' });
  }
  if (kept.length < MIN_AGENTS || n === 0) {
    return {
      method,
      outliers: [],
      skipped,
      tooFew: `${kept.length} agent(s) with values; peers need at least ${MIN_AGENTS}`,
    };
  }
  const { OutlierDetector } = outlierModule();
  const detector = new OutlierDetector(method, { sensitivity });
  let result;
  try {
    result = detector.detect(kept.map((k) => k.values));
  } finally {
    detector.free();
  }
  const medians = stepMedians(
    kept.map((k) => k.values),
    n,
  );
  const outliers: OutlierAgent[] = [];
  for (const i of result.outlyingSeries) {
    const r = result.seriesResults[i]!;
    const values = kept[i]!.values;
    const flags = new Uint8Array(n);
    for (const iv of r.outlierIntervals) {
      // augurs' end is exclusive, and absent while the agent is still outlying.
      for (let t = iv.start; t < (iv.end ?? n); t++) {
        const m = medians[t]!;
        if (Math.abs(values[t]! - m) > RELATIVE_FLOOR * Math.abs(m) + 1e-9) flags[t] = 1;
      }
    }
    const intervals = runs(flags, group.timestamps);
    if (intervals.length === 0) continue;
    outliers.push({
      agentId: kept[i]!.agentId,
      score: flags.reduce((a, f) => a + f, 0) / n,
      peak: r.scores.reduce((m, x) => Math.max(m, x), 0),
      intervals,
    });
  }
  outliers.sort((a, b) => b.score - a.score || b.peak - a.peak);
  return { method, outliers, skipped };
}

/** The peers' median at each step. */
function stepMedians(series: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  const column = new Float64Array(series.length);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < series.length; k++) column[k] = series[k]![t]!;
    out[t] = median(column);
  }
  return out;
}

/** Runs of set flags as [first, last] timestamp intervals. */
function runs(flags: Uint8Array, timestamps: readonly number[]): OutlyingInterval[] {
  const out: OutlyingInterval[] = [];
  for (let t = 0; t < flags.length; t++) {
    if (!flags[t]) continue;
    const start = t;
    while (t + 1 < flags.length && flags[t + 1]) t++;
    out.push({ start: timestamps[start]!, end: timestamps[t]! });
  }
  return out;
}

/** The values with NaN gaps filled from the nearest earlier value; null if none is finite. */
function fillGaps(values: ArrayLike<number>): Float64Array | null {
  const out = Float64Array.from(values);
  let first = -1;
  for (let i = 0; i < out.length; i++) {
    if (Number.isFinite(out[i]!)) {
      first = i;
      break;
    }
  }
  if (first < 0) return null;
  for (let i = 0; i < first; i++) out[i] = out[first]!;
  for (let i = first + 1; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = out[i - 1]!;
  return out;
}

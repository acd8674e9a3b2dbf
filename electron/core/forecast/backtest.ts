// Rolling-origin backtest: each candidate is fitted on the history up to an origin and
// scored on the points after it, for a few origins stepping back from the end. The chosen
// model's out-of-sample errors, by lead time, are what its bands are calibrated on.
import type { Candidate } from './models.js';

export interface FoldPlan {
  /** Training lengths (origins), oldest first. */
  origins: number[];
  /** Lead times scored after each origin. */
  leads: number;
}

/**
 * Origins for `folds` folds whose test windows end at the last point and step back by half a
 * window. The window is the horizon, but at most a third of the history, so every fold keeps
 * two thirds of it to learn from.
 */
export function planFolds(n: number, horizon: number, folds: number, minTrain: number): FoldPlan {
  const leads = Math.max(1, Math.min(horizon, Math.floor(n / 3)));
  const stride = Math.max(1, Math.floor(leads / 2));
  const origins: number[] = [];
  for (let k = 0; k < folds; k++) {
    const origin = n - leads - k * stride;
    if (origin < minTrain) break;
    origins.unshift(origin);
  }
  return { origins, leads };
}

export interface CandidateErrors {
  candidate: Candidate;
  /**
   * errors[fold][lead] = actual − forecast, over the candidate's folds (the plan's, or its
   * most recent `recentFolds` of them); null when the model could not be fitted.
   */
  errors: Float64Array[] | null;
  /** Mean absolute error over its folds. */
  mae: number;
  /** Sum of |error| per fold, in the same order as `errors`. */
  foldSums: Float64Array;
}

export function runBacktest(
  y: Float64Array,
  plan: FoldPlan,
  candidates: Candidate[],
  periods: number[],
): CandidateErrors[] {
  return candidates.map((candidate) => {
    const origins = plan.origins.slice(-(candidate.recentFolds ?? plan.origins.length));
    const errors: Float64Array[] = [];
    const foldSums = new Float64Array(origins.length);
    let sum = 0;
    try {
      origins.forEach((origin, f) => {
        const train = y.subarray(0, origin);
        const forecast = candidate.forecast(train, plan.leads, periods);
        const e = new Float64Array(plan.leads);
        let foldSum = 0;
        for (let k = 0; k < plan.leads; k++) {
          e[k] = (y[origin + k] as number) - (forecast[k] as number);
          foldSum += Math.abs(e[k] as number);
        }
        if (!Number.isFinite(foldSum)) throw new Error('non-finite forecast');
        foldSums[f] = foldSum;
        sum += foldSum;
        errors.push(e);
      });
    } catch {
      return { candidate, errors: null, mae: Infinity, foldSums };
    }
    return { candidate, errors, mae: sum / (origins.length * plan.leads), foldSums };
  });
}

/** Mean |error| of a scored candidate over its most recent `folds` folds. */
export function recentMae(s: CandidateErrors, folds: number): number {
  if (!s.errors || folds === 0) return Infinity;
  let sum = 0;
  for (let f = s.foldSums.length - folds; f < s.foldSums.length; f++)
    sum += s.foldSums[f] as number;
  return sum / (folds * (s.errors[0]?.length ?? 1));
}

/**
 * `a`'s backtest error over `b`'s on the most recent folds both were scored on (all of them
 * when both ran the whole plan, as the closed-form candidates do); 1 (a tie) when `b` made
 * no error at all.
 */
export function relativeError(a: CandidateErrors, b: CandidateErrors): number {
  const folds = Math.min(a.foldSums.length, b.foldSums.length);
  const bMae = recentMae(b, folds);
  return bMae > 0 && Number.isFinite(bMae) ? recentMae(a, folds) / bMae : 1;
}

/**
 * The candidate with the lowest backtest error, each compared with the best so far on the
 * folds both were scored on: the closed-form ones among themselves on every fold, a WASM one
 * against their best on its two. Ties go to the earlier (simpler) candidate.
 */
export function pickBest(scored: CandidateErrors[]): CandidateErrors | undefined {
  let best: CandidateErrors | undefined;
  for (const s of scored) {
    if (s.errors && (!best || relativeError(s, best) < 1)) best = s;
  }
  return best;
}

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
  /** errors[fold][lead] = actual − forecast; null when the model could not be fitted. */
  errors: Float64Array[] | null;
  mae: number;
}

export function runBacktest(
  y: Float64Array,
  plan: FoldPlan,
  candidates: Candidate[],
  periods: number[],
): CandidateErrors[] {
  return candidates.map((candidate) => {
    const errors: Float64Array[] = [];
    let sum = 0;
    try {
      for (const origin of plan.origins) {
        const train = y.subarray(0, origin);
        const f = candidate.forecast(train, plan.leads, periods);
        const e = new Float64Array(plan.leads);
        for (let k = 0; k < plan.leads; k++) {
          e[k] = (y[origin + k] as number) - (f[k] as number);
          sum += Math.abs(e[k] as number);
        }
        if (!Number.isFinite(sum)) throw new Error('non-finite forecast');
        errors.push(e);
      }
    } catch {
      return { candidate, errors: null, mae: Infinity };
    }
    return { candidate, errors, mae: sum / (plan.origins.length * plan.leads) };
  });
}

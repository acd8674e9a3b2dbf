// How a residual becomes a 0–1 anomaly score, and how a sensitivity setting becomes the score
// at which a sample counts as anomalous. The score depends only on z, the residual in units of
// the series' own robust spread (mean absolute deviation of its recent residuals), so the same
// threshold means the same rarity on a cpu % series and on a bytes series.

/** A rule's sensitivity: a named level, or the score threshold itself, in (0, 1). */
export type Sensitivity = 'low' | 'medium' | 'high' | number;

/** z at which the score is 0.5. */
export const Z_HALF = 6;

/**
 * Score thresholds of the named levels, and the z each means. The spread is a mean absolute
 * deviation, ≈ 0.8 σ for Gaussian noise, so z 6 ≈ 4.8 σ (high), 8.2 ≈ 6.5 σ (medium),
 * 12 ≈ 9.6 σ (low).
 */
export const SENSITIVITY_THRESHOLDS = { high: 0.5, medium: 0.65, low: 0.8 } as const;

/** z ↦ z² / (z² + Z_HALF²): 0 for a perfect fit, 0.5 at Z_HALF, → 1 as z grows. */
export function scoreOfZ(z: number): number {
  const z2 = z * z;
  return z2 / (z2 + Z_HALF * Z_HALF);
}

/** The z a score stands for (the inverse of scoreOfZ), for explaining a threshold. */
export function zOfScore(score: number): number {
  return Z_HALF * Math.sqrt(score / (1 - score));
}

export function thresholdOf(sensitivity: Sensitivity): number {
  if (typeof sensitivity === 'number') {
    if (!(sensitivity > 0 && sensitivity < 1)) {
      throw new RangeError(`sensitivity must be low, medium, high or a score in (0, 1)`);
    }
    return sensitivity;
  }
  const t = SENSITIVITY_THRESHOLDS[sensitivity];
  if (t === undefined) {
    throw new RangeError(`sensitivity must be low, medium, high or a score in (0, 1)`);
  }
  return t;
}

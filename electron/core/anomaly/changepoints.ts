// Level shifts on a series, for markers on a chart ("it got slower after Tuesday's deploy"):
// augurs' Bayesian online changepoint detector (normal-gamma prior) on the series made
// comparable first — its seasonal shape removed (when a period is given) and scaled to its
// noise, since the detector's prior assumes unit-scale data. Shifts smaller than
// `minShiftSigma` noise σ, or leaving fewer than `minSegment` points on a side, are dropped:
// a marker should mean a change an operator would see.

import { changepointModule } from './augurs-wasm.js';
import { deseasonalize, median, noiseSigma } from './robust.js';

export interface ChangepointOptions {
  /** The seasonal period in steps (24 for a daily cycle in hourly rollups); none by default. */
  period?: number;
  /** Smallest shift kept, in noise σ: default 3. */
  minShiftSigma?: number;
  /** Fewest points on each side of a kept changepoint: default 3. */
  minSegment?: number;
}

export interface Changepoint {
  /** Index of the first point of the new level. */
  index: number;
  /** Its timestamp: where the marker goes. */
  ts: number;
  /** Median level (seasonal shape removed) of the segments before and after. */
  before: number;
  after: number;
  /** after − before, in noise σ. */
  sigmas: number;
}

/** The prior's hazard: 1/250 chance of a change at each point (augurs' default). */
const HAZARD_LAMBDA = 250;

export function detectChangepoints(
  timestamps: readonly number[],
  values: readonly number[],
  options: ChangepointOptions = {},
): Changepoint[] {
  if (timestamps.length !== values.length) {
    throw new RangeError('timestamps and values must have the same length');
  }
  const minSegment = options.minSegment ?? 3;
  const minShift = options.minShiftSigma ?? 3;
  if (values.length < 2 * minSegment) return [];
  const flat = deseasonalize(values, options.period ?? 0);
  const sigma = noiseSigma(flat);
  const centre = median(flat);
  // A noiseless series: any change is a real one; scale by a sliver of its magnitude instead.
  const scale = sigma > 0 ? sigma : Math.max(Math.abs(centre) * 1e-3, 1e-9);
  const scaled = flat.map((v) => (v - centre) / scale);
  const { ChangepointDetector } = changepointModule();
  const detector = ChangepointDetector.normalGamma({ hazardLambda: HAZARD_LAMBDA });
  let indices: number[];
  try {
    indices = detector.detectChangepoints(scaled).indices;
  } finally {
    detector.free();
  }
  // augurs reports the start of the series as a changepoint (it is not one), and each change
  // at the last point of the old level: the marker goes on the first point of the new one.
  const cuts = indices
    .filter((i) => i > 0)
    .map((i) => i + 1)
    .filter((i) => i < values.length)
    .sort((a, b) => a - b);
  return keepClear(cuts, flat, scale, minSegment, minShift).map((c) => ({
    ...c,
    ts: timestamps[c.index]!,
  }));
}

/** The cuts whose segments are long enough and whose shift is large enough. */
function keepClear(
  cuts: number[],
  flat: Float64Array,
  scale: number,
  minSegment: number,
  minShift: number,
): Omit<Changepoint, 'ts'>[] {
  const kept: Omit<Changepoint, 'ts'>[] = [];
  let from = 0;
  for (let k = 0; k < cuts.length; k++) {
    const cut = cuts[k]!;
    const to = cuts[k + 1] ?? flat.length;
    if (cut - from < minSegment || to - cut < minSegment) continue;
    const before = median(flat.subarray(from, cut));
    const after = median(flat.subarray(cut, to));
    const sigmas = (after - before) / scale;
    if (Math.abs(sigmas) < minShift) continue;
    kept.push({ index: cut, before, after, sigmas });
    from = cut;
  }
  return kept;
}

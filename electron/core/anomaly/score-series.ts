// A whole series through the streaming detector, row by row: each row is scored using only
// the rows before it, exactly as the console scores live samples. `meridian detect` prints
// this, so an operator sees what an anomaly rule would have raised on their own history.

import { AnomalyDetector, type DetectorOptions } from './detector.js';
import type { Episode } from './episodes.js';

export interface ScoredSeries {
  /** Anomaly score per row, 0–1 (0 while the baseline warms up). */
  scores: Float64Array;
  /** 1 where the row's score reached the sensitivity's threshold. */
  anomalous: Uint8Array;
  /** Anomalous rows grouped as the console would alert them: one episode each. */
  episodes: Episode[];
  threshold: number;
  /** The first row that was scored (the rows before it were the warm-up); length if none. */
  warmFrom: number;
}

export function scoreSeries(
  timestamps: readonly number[],
  values: readonly number[],
  options: Omit<DetectorOptions, 'onEpisode'> = {},
): ScoredSeries {
  if (timestamps.length !== values.length) {
    throw new RangeError('timestamps and values must have the same length');
  }
  const episodes: Episode[] = [];
  const detector = new AnomalyDetector({
    ...options,
    onEpisode: ({ phase, ...episode }) => {
      if (phase === 'close') episodes.push(episode);
    },
  });
  const h = detector.handleOf(0);
  const scores = new Float64Array(values.length);
  const anomalous = new Uint8Array(values.length);
  let warmFrom = values.length;
  for (let i = 0; i < values.length; i++) {
    if (warmFrom === values.length && i > 0 && detector.isWarm(h, timestamps[i]!)) warmFrom = i;
    const score = detector.observe(h, timestamps[i]!, values[i]!);
    scores[i] = Number.isNaN(score) ? 0 : score;
    anomalous[i] = score >= detector.threshold ? 1 : 0;
  }
  const open = detector.openEpisode(h);
  if (open) episodes.push(open);
  return { scores, anomalous, episodes, threshold: detector.threshold, warmFrom };
}

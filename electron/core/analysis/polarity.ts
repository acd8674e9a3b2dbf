/**
 * Which way is better for a metric. Most operational figures (usage, latency, errors,
 * queue depth) are better lower; throughput-like ones are better higher.
 */
import type { Polarity } from '../../../shared/trend-rule.js';

export type { Polarity };

const LOWER_IS_BETTER =
  /(error|fail|unavailable|drop|loss|latency|(^|_)time($|_)|usage|utilization|wait|queue)/;
const HIGHER_IS_BETTER =
  /(throughput|requests_per|(^|_)rps($|_)|availability|uptime|success|hit_rate|(^|_)free($|_)|(^|_)available($|_))/;

export function polarityOf(metric: string): Polarity {
  // Bad words win: failed_requests_per_second is better lower, whatever "requests_per" says.
  if (LOWER_IS_BETTER.test(metric)) return 'lower_is_better';
  return HIGHER_IS_BETTER.test(metric) ? 'higher_is_better' : 'lower_is_better';
}

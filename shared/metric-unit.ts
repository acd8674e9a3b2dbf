// The unit of a metric: its threshold rule's when it has one, else read from its name. Shared by
// the core (trend rules depend on whether a metric is a percentage) and the renderer (axes,
// formats), so both read a metric the same way.

/** The unit a metric's name suggests: `%` for usage/utilization/rate/loss, `ms` for times. */
export function unitFromName(metric: string): string {
  if (/(^|_)(usage|utilization|rate|loss|percent|pct)($|_)/.test(metric)) return '%';
  if (/(^|_)(time|latency|duration)($|_)|_ms$/.test(metric)) return 'ms';
  if (/bytes/.test(metric)) return 'B';
  return '';
}

/** The unit of a metric: the threshold rule's if given, else guessed from the name. */
export function unitFor(metric: string, ruleUnit?: string | null): string {
  return ruleUnit || unitFromName(metric);
}

// What the capacity views say, as pure functions (unit-tested in Node): durations until a
// threshold ("in 3 d 4 h", "not within 7 d"), dates, growth, the backtest's figures in plain
// words, the state of the forecast run, and the order of the fleet table (soonest first).
import type {
  BacktestFigures,
  CapacityReport,
  CapacityRow,
  ForecastTarget,
  ThresholdCrossing,
} from '../../../../shared/forecast.js';
import { formatAxis, formatMetric } from '../../lib/units.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "3 d 4 h", "5 h 20 min", "12 min", "< 1 min": how long until something, to the minute. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < MIN) return '< 1 min';
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / HOUR);
  const m = Math.floor((ms % HOUR) / MIN);
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** "in 3 d 4 h"; "now" for a time already reached. */
export function formatIn(t: number, now: number): string {
  return t <= now ? 'now' : `in ${formatDuration(t - now)}`;
}

/** A horizon in words: "7 d", "36 h", "90 min". */
export function formatHorizon(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  return `${Math.round(ms / MIN)} min`;
}

/** A span of history in words, for sentences: "14 days", "3 hours", "1 day". */
export function spanWords(ms: number): string {
  const say = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= 2 * DAY) return say(Math.round(ms / DAY), 'day');
  if (ms >= 2 * HOUR) return say(Math.round(ms / HOUR), 'hour');
  return say(Math.max(1, Math.round(ms / MIN)), 'minute');
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date in the viewer's local time: "Tue 14 Jan 15:05". */
export function formatDate(t: number): string {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * A predicted value as it can be: a percentage stays within 0–100 (a model's straight line
 * runs past 100 %, a disk does not), with "full" said when it gets there.
 */
export function formatPredicted(value: number, unit: string): string {
  if (unit !== '%' || !Number.isFinite(value)) return formatMetric(value, unit);
  if (value >= 100) return '100% (full)';
  return formatMetric(Math.max(0, value), unit);
}

/** A threshold as set: "90%", "1.5 s" (no trailing zeros). */
export function formatLevel(value: number, unit: string): string {
  return formatAxis(value, unit);
}

/** Growth per day with its sign and unit: "+1.2 %/d", "−300 MiB/d", "0 %/d". */
export function formatGrowth(perDay: number, unit: string): string {
  if (!Number.isFinite(perDay)) return '—';
  // A fit's rounding noise (2.8e-12 %/d) is no growth.
  if (Math.abs(perDay) < 0.005) return `${formatMetric(0, unit)}/d`;
  const text = formatMetric(Math.abs(perDay), unit);
  const sign = perDay > 0 ? '+' : perDay < 0 ? '\u2212' : '';
  return `${sign}${text}/d`;
}

export interface CrossingCells {
  earliest: string;
  likely: string;
  latest: string;
}

/**
 * The three "days until the threshold" cells. A time not within the horizon is said so ("not
 * within 7 d"); no crossing at all (nothing to cross) is the same answer for all three.
 */
export function crossingCells(
  crossing: ThresholdCrossing | null,
  now: number,
  horizonMs: number,
): CrossingCells {
  const not = `not within ${formatHorizon(horizonMs)}`;
  const cell = (t: number | null | undefined) => (t == null ? not : formatIn(t, now));
  return {
    earliest: cell(crossing?.earliest),
    likely: cell(crossing?.likely),
    latest: cell(crossing?.latest),
  };
}

/** "reaches 90 % on Tue 14 Jan 15:05", or "stays below 90 % for the next 7 d". */
export function reachesText(
  crossing: ThresholdCrossing | null,
  unit: string,
  horizonMs: number,
): string {
  if (!crossing) return `no threshold to reach`;
  const level = formatLevel(crossing.threshold, unit);
  if (crossing.likely === null) {
    return crossing.earliest === null
      ? `stays below ${level} for the next ${formatHorizon(horizonMs)}`
      : `likely stays below ${level} for the next ${formatHorizon(horizonMs)}; could reach it on ${formatDate(crossing.earliest)}`;
  }
  return `reaches ${level} on ${formatDate(crossing.likely)}`;
}

/**
 * MASE in plain words. The scale is the error of repeating the last seasonal period (the last
 * day, for a daily series): below 1 the model did better than that, above 1 worse.
 */
export function maseSentence(mase: number | null): string {
  if (mase === null || !Number.isFinite(mase)) return 'Its backtest error is not known yet.';
  const figure = mase.toFixed(2);
  if (mase < 0.95)
    return `Backtest error (MASE) ${figure}: its errors were ${Math.round(mase * 100)} % of those of repeating the last day — better than that naive guess.`;
  if (mase <= 1.05)
    return `Backtest error (MASE) ${figure}: about as good as repeating the last day.`;
  return `Backtest error (MASE) ${figure}: its errors were ${mase.toFixed(1)} × those of repeating the last day — worse than that naive guess; trust it less.`;
}

/** "its 95 % band held 93 % of the time over the last 14 days", with the number of checks. */
export function coverageSentence(backtest: BacktestFigures): string {
  if (backtest.coverage95 === null || backtest.points === 0)
    return 'Its 95 % band has not been checked against held-out data yet.';
  const held = Math.round(backtest.coverage95 * 100);
  const verdict =
    held < 90 ? ' — narrower than it should be' : held > 99 ? ' — wider than it needs to be' : '';
  return `Its 95 % band held ${held} % of the time over the last ${spanWords(backtest.spanMs)} (${backtest.points.toLocaleString('en')} held-out points)${verdict}.`;
}

/** The model's name as an operator reads it. */
export function modelName(model: string): string {
  const names: Record<string, string> = {
    mstl_ets: 'MSTL + ETS (seasonal)',
    auto_ets: 'AutoETS',
    damped_linear: 'damped linear trend',
    seasonal_naive: 'seasonal naive',
    linear: 'linear trend',
    naive: 'naive (last value)',
  };
  return names[model] ?? model.replace(/_/g, ' ');
}

/** A stable key per forecast target (for the route and React keys). */
export function targetKey(target: ForecastTarget): string {
  if (target.kind === 'region') return `region:${target.regionId}:${target.metric}`;
  const labels = Object.entries(target.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `agent:${target.agentId}:${target.metric}${labels ? `:${labels}` : ''}`;
}

/** What the target is, in words: "eu-west-1 (region average)", "db-0042 /var". */
export function targetName(target: ForecastTarget): string {
  if (target.kind === 'region') return `${target.regionId} (region average)`;
  const mount = target.labels.mount;
  const labels = Object.entries(target.labels).filter(([k]) => k !== 'mount');
  return [
    target.hostname,
    mount,
    labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(',') : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The GET /api/v1/forecasts query for a target. */
export function forecastQuery(
  target: ForecastTarget,
  horizon?: string,
): { metric: string; region?: string; agent?: string; labels?: string; horizon?: string } {
  const labels = Object.entries(target.kind === 'agent' ? target.labels : {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    metric: target.metric,
    ...(target.kind === 'region' ? { region: target.regionId } : { agent: target.agentId }),
    ...(target.kind === 'agent' && labels ? { labels } : {}),
    ...(horizon ? { horizon } : {}),
  };
}

/**
 * Soonest exhaustion first: by likely crossing, then earliest (a row that only may cross comes
 * before one that will not), then faster growth; rows that cross nothing last.
 */
export function compareSoonest(a: CapacityRow, b: CapacityRow): number {
  const key = (r: CapacityRow) => [
    r.crossing?.likely ?? Infinity,
    r.crossing?.earliest ?? Infinity,
    -r.growthPerDay,
  ];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  }
  return targetKey(a.target).localeCompare(targetKey(b.target));
}

export function sortBySoonest(rows: readonly CapacityRow[]): CapacityRow[] {
  return [...rows].sort(compareSoonest);
}

/** The state of the forecast run in words: "computed 4 min ago", "first run under way". */
export function runStateText(
  report: Pick<CapacityReport, 'computedAt' | 'running'>,
  now: number,
): string {
  if (report.computedAt === null)
    return report.running ? 'first forecast run under way' : 'no forecast run has finished yet';
  const age = now - report.computedAt;
  const when = age < MIN ? 'computed just now' : `computed ${formatDuration(age)} ago`;
  return report.running ? `${when} · a new run is under way` : when;
}

/** Why a series has no forecast yet: "needs 24 points, has 9". */
export function insufficientText(have: number, need: number): string {
  return `needs ${need} points, has ${have}`;
}

/** What an error from the forecasting routes means for the page. */
export function unavailableText(status: number, message: string): string {
  if (status === 503) return 'Forecasting is not running in this console.';
  if (status === 0) return 'The console does not answer.';
  return `Forecasts unavailable: ${message}`;
}

/** The forecasts query for a target key (the route's id): the inverse of targetKey. */
export function queryOfKey(
  key: string,
): { metric: string; region?: string; agent?: string; labels?: string } | null {
  const m = /^(region|agent):([^:]+):([^:]+)(?::(.+))?$/.exec(key);
  if (!m) return null;
  const [, kind, id, metric, labels] = m as unknown as [string, string, string, string, string?];
  if (kind === 'region') return labels ? null : { metric, region: id };
  return { metric, agent: id, ...(labels ? { labels } : {}) };
}

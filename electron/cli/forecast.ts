// `meridian forecast --csv FILE`: the console's forecast engine on an operator's own history,
// so they can see what a forecast (and a forecast rule) would have said before relying on it.
import { readFile } from 'node:fs/promises';
import { forecastSeries } from '../core/forecast/forecast.js';
import { parseSeriesCsv, SeriesCsvError } from '../core/forecast/series-csv.js';
import {
  DAY_MS,
  HOUR_MS,
  MAX_HORIZON_MS,
  MIN_HORIZON_MS,
  type ForecastOk,
} from '../core/forecast/types.js';
import { oneOf, parse, required, UsageError } from './args.js';
import { FORECAST } from './one-shot-specs.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: HOUR_MS, d: DAY_MS };

export function horizonFlag(raw: string | undefined): number {
  if (raw === undefined) return 7 * DAY_MS;
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(raw);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : NaN;
  if (!(ms >= MIN_HORIZON_MS && ms <= MAX_HORIZON_MS)) {
    throw new UsageError(
      `meridian forecast: --horizon must be a duration from 1h to 30d, like 12h or 7d (got '${raw}')`,
    );
  }
  return ms;
}

function levelFlag(raw: string | undefined): number {
  if (raw === undefined) return 0.95;
  const n = Number(raw);
  if (!/^0?\.\d+$/.test(raw) || !(n > 0 && n < 1)) {
    throw new UsageError(
      `meridian forecast: --interval must be a number between 0 and 1, like 0.95 (got '${raw}')`,
    );
  }
  return n;
}

const num = (v: number) => String(Number(v.toFixed(6)));
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

function summary(f: ForecastOk, level: number): string {
  const b = f.backtest;
  const seasons = f.seasonality.periods.length
    ? [f.seasonality.daily ? 'daily' : '', f.seasonality.weekly ? 'weekly' : '']
        .filter(Boolean)
        .join(' + ')
    : 'none detected';
  const candidates = b.candidates
    .map((c) => `${c.model} ${c.mase === null ? 'failed' : c.mase.toFixed(3)}`)
    .join(', ');
  return [
    `model: ${f.model} (chosen by backtest over ${b.folds} folds; MASE per candidate: ${candidates})`,
    `backtest: MASE ${b.mase.toFixed(3)}, ${b.relativeToSeasonalNaive.toFixed(2)}× seasonal naive's error; ` +
      `95 % band held ${pct(b.coverage95)} and 80 % band ${pct(b.coverage80)} of held-out points ` +
      `(leads up to ${b.calibratedSteps} steps)`,
    `history: ${f.history.points} points, step ${f.stepMs / 1000} s, ${f.history.filled} gap steps filled; seasonality: ${seasons}`,
    `bands printed: ${pct(level)}; growth ${num(f.growthPerDay)} per day`,
    '',
  ].join('\n');
}

export async function forecastCommand(argv: string[]): Promise<number> {
  const flags = parse(FORECAST, argv);
  const file = required('forecast', 'csv', flags.csv);
  const horizonMs = horizonFlag(flags.horizon);
  const level = levelFlag(flags.interval);
  const effort = oneOf('forecast', 'effort', flags.effort, ['full', 'fast'] as const, 'full');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`meridian forecast: cannot read --csv ${file}: ${(err as Error).message}`);
  }
  let series;
  try {
    series = parseSeriesCsv(text);
  } catch (err) {
    if (err instanceof SeriesCsvError)
      throw new UsageError(`meridian forecast: ${file} ${err.message}`);
    throw err;
  }
  const f = forecastSeries(series, { horizonMs, effort, levels: [0.8, 0.95, level] });
  if (f.status !== 'ok') {
    const why = f.status === 'insufficient_data' ? `insufficient data: ${f.reason}` : f.reason;
    process.stderr.write(`meridian forecast: ${file}: ${why}\n`);
    return 2;
  }
  const band = f.bands.find((b) => b.level === level)!;
  const rows = ['timestamp,forecast,lower,upper'];
  for (let k = 0; k < f.point.length; k++) {
    rows.push(
      `${new Date(f.timestamps[k] as number).toISOString()},${num(f.point[k] as number)},${num(band.lower[k] as number)},${num(band.upper[k] as number)}`,
    );
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  process.stderr.write(summary(f, level));
  return 0;
}

// `meridian detect --csv FILE`: the console's streaming anomaly detector over an operator's own
// history, row by row, each row scored only from the rows before it — so what it prints is
// what an anomaly rule at that sensitivity would have raised.
import { readFile } from 'node:fs/promises';
import { scoreSeries } from '../core/anomaly/score-series.js';
import { thresholdOf, zOfScore, type Sensitivity } from '../core/anomaly/sensitivity.js';
import { parseSeriesCsv, SeriesCsvError } from '../core/forecast/series-csv.js';
import { parse, required, UsageError } from './args.js';
import { DETECT } from './one-shot-specs.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_WARMUP_MS = 30 * UNIT_MS.d!;

function sensitivityFlag(raw: string | undefined): Sensitivity {
  if (raw === undefined) return 'medium';
  if (raw === 'low' || raw === 'medium' || raw === 'high') return raw;
  const n = Number(raw);
  if (!/^0?\.\d+$/.test(raw) || !(n > 0 && n < 1)) {
    throw new UsageError(
      `meridian detect: --sensitivity must be low, medium, high or a score between 0 and 1, like 0.7 (got '${raw}')`,
    );
  }
  return n;
}

function warmupFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(raw);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!(ms >= 0 && ms <= MAX_WARMUP_MS)) {
    throw new UsageError(
      `meridian detect: --warmup must be 0 or a duration up to 30d, like 6h or 2d (got '${raw}')`,
    );
  }
  return ms;
}

const iso = (ts: number) => new Date(ts).toISOString();

export async function detectCommand(argv: string[]): Promise<number> {
  const flags = parse(DETECT, argv);
  const file = required('detect', 'csv', flags.csv);
  const sensitivity = sensitivityFlag(flags.sensitivity);
  const warmupMs = warmupFlag(flags.warmup);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`meridian detect: cannot read --csv ${file}: ${(err as Error).message}`);
  }
  let series;
  try {
    series = parseSeriesCsv(text);
  } catch (err) {
    if (err instanceof SeriesCsvError)
      throw new UsageError(`meridian detect: ${file} ${err.message}`);
    throw err;
  }
  const { timestamps, values } = series;
  const scored = scoreSeries(timestamps, values, {
    sensitivity,
    ...(warmupMs === undefined ? {} : { warmupMs, warmupSamples: warmupMs === 0 ? 0 : 24 }),
  });
  const rows = ['timestamp,value,anomaly_score,is_anomaly'];
  for (let i = 0; i < values.length; i++) {
    rows.push(
      `${iso(timestamps[i]!)},${values[i]},${scored.scores[i]!.toFixed(4)},${scored.anomalous[i] ? 'true' : 'false'}`,
    );
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  const threshold = thresholdOf(sensitivity);
  const flagged = scored.anomalous.reduce((n, a) => n + a, 0);
  process.stderr.write(
    [
      `threshold: score ≥ ${threshold} (residual ≥ ${zOfScore(threshold).toFixed(1)} × the recent mean absolute deviation)`,
      `rows: ${values.length}, of which ${scored.warmFrom} in warm-up (scored 0); ${flagged} anomalous`,
      `episodes (what an anomaly rule would have raised): ${scored.episodes.length}`,
      ...scored.episodes.map(
        (e) =>
          `  ${iso(e.start)} → ${iso(e.end)}: ${e.samples} anomalous row(s), peak ${e.peak.toFixed(3)} at ${iso(e.peakTs)}`,
      ),
      '',
    ].join('\n'),
  );
  return 0;
}

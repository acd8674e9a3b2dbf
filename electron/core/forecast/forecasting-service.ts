// The console's forecasts: scheduled runs over every target (region averages every few
// minutes, agents' capacity series hourly) on the forecast worker, the capacity table they
// leave, forecast-rule alerts after each run, and one target's full forecast on request.
// The ingest thread only reads rollups and posts them; the models run on the worker.
import type {
  CapacityReport,
  CapacityRow,
  ForecastResult,
  ForecastTarget,
  ThresholdCrossing,
} from '../../../shared/forecast.js';
import type { Rule } from '../../../shared/rules.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import { readInputs, type ForecastInput, type ForecastSource } from './forecast-input.js';
import { ForecastAlerts, type ForecastAlertSink } from './forecast-alerts.js';
import { thresholdCrossing } from './threshold.js';
import {
  agentGroups,
  capacityLevel,
  regionGroups,
  unitOf,
  type ForecastGroup,
  type SeriesCatalogue,
} from './targets.js';
import type {
  ForecastOk,
  ForecastOptions,
  ForecastResult as EngineResult,
  SeriesInput,
} from './types.js';

/** One series for the runner (the shape of forecast-runner.ts's ForecastJob). */
export interface ForecastJob {
  series: SeriesInput;
  options?: ForecastOptions;
}

/** What runs the models: the worker-thread runner, or anything with its shape (tests). */
export interface ForecastBatchRunner {
  forecastBatch(
    jobs: readonly ForecastJob[],
    onChunk?: (results: EngineResult[], offset: number) => void,
  ): Promise<EngineResult[]>;
}

export interface ForecastingDeps {
  clock: Clock;
  logger: Logger;
  store: ForecastSource & SeriesCatalogue;
  fleet: Fleet;
  rules: () => readonly Rule[];
  alerts: ForecastAlertSink;
  runner: ForecastBatchRunner;
}

export interface ForecastingOptions {
  regionsEveryMs: number;
  agentsEveryMs: number;
  /** The capacity table's horizon (forecast rules use their own, up to 30 d). */
  horizonMs: number;
}

/** History points an on-request forecast returns (the chart's; the model saw all of them). */
const MAX_HISTORY_POINTS = 2_000;

type Summary = { row: CapacityRow } | { pending: string };
type SummaryMap = Map<string, Summary & { target: ForecastTarget }>;
/** Series read and sent to the worker at a time. */
const RUN_CHUNK = 256;

export class ForecastingService {
  private regionRows: SummaryMap = new Map();
  private agentRows: SummaryMap = new Map();
  private computedAt: number | null = null;
  private runs = 0;
  private timers: TimerHandle[] = [];
  private readonly forecastAlerts: ForecastAlerts;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ForecastingDeps,
    private readonly opts: ForecastingOptions,
  ) {
    this.forecastAlerts = new ForecastAlerts(deps.alerts);
  }

  start(): void {
    const { clock } = this.deps;
    this.timers = [
      clock.setInterval(() => void this.runRegions(), this.opts.regionsEveryMs),
      clock.setInterval(() => void this.runAgents(), this.opts.agentsEveryMs),
    ];
  }

  /** No more scheduled runs; resolves once the one under way (if any) is done with the store. */
  stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    this.timers = [];
    return this.chain;
  }

  /** Runs queue one behind the other: one worker, and a table never half of two runs. */
  runRegions(): Promise<void> {
    return this.enqueue(() => this.run(regionGroups(this.deps.store, this.deps.fleet), 'region'));
  }

  runAgents(): Promise<void> {
    return this.enqueue(() => this.run(agentGroups(this.deps.store, this.deps.fleet), 'agent'));
  }

  /** Both, in order (start-up, tests). */
  async runAll(): Promise<void> {
    await this.runRegions();
    await this.runAgents();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch((err: unknown) =>
      this.deps.logger.error('forecast run failed', { error: String(err) }),
    );
    return this.chain;
  }

  private async run(groups: ForecastGroup[], kind: 'region' | 'agent'): Promise<void> {
    this.runs++;
    try {
      const now = this.deps.clock.now();
      const rules = this.deps.rules();
      const rows: SummaryMap = new Map();
      // In chunks: the rollups of one chunk are read (on this thread: the store's) while the
      // worker fits the one before, so ingest never waits for a whole run's reading at once.
      const jobsOf = (slice: ForecastGroup[]) =>
        readInputs(
          this.deps.store,
          slice.map((g) => g.series),
          now,
        ).map((input, i) => this.jobFor(slice[i]!.target, input, rules, this.opts.horizonMs));
      let slice = groups.slice(0, RUN_CHUNK);
      let jobs = jobsOf(slice);
      for (let at = 0; at < groups.length; at += RUN_CHUNK) {
        const fitting = this.deps.runner.forecastBatch(jobs);
        const nextSlice = groups.slice(at + RUN_CHUNK, at + 2 * RUN_CHUNK);
        const nextJobs = nextSlice.length > 0 ? jobsOf(nextSlice) : [];
        const results = await fitting;
        results.forEach((r, i) => {
          const g = slice[i]!;
          rows.set(g.key, { target: g.target, ...this.summarise(g.target, r, rules, now) });
        });
        // Forecast rules are of a disk or a filesystem, not of a region's average: an average
        // of one filling disk and ten flat ones "crosses 90 %" only on paper.
        if (kind === 'agent') {
          this.forecastAlerts.evaluate(
            rules,
            slice.map((g, i) => ({ key: g.key, target: g.target, result: results[i]! })),
          );
        }
        slice = nextSlice;
        jobs = nextJobs;
      }
      if (kind === 'region') this.regionRows = rows;
      else this.agentRows = rows;
      this.computedAt = now;
    } finally {
      this.runs--;
    }
  }

  private jobFor(
    target: ForecastTarget,
    input: ForecastInput,
    rules: readonly Rule[],
    horizonMs: number,
  ): ForecastJob {
    const level = capacityLevel(target.metric, rules);
    // Forecast rules may look further than the table's horizon: forecast as far as they need.
    const ruleHorizon = Math.max(
      0,
      ...rules.flatMap((r) =>
        r.kind === 'forecast' && r.enabled && r.metric === target.metric ? [r.horizonMs] : [],
      ),
    );
    return {
      series: { timestamps: input.timestamps, values: input.values },
      options: {
        horizonMs: Math.max(horizonMs, ruleHorizon),
        // Region averages are few: every candidate; agents' series are many: the fast ones.
        effort: target.kind === 'region' ? 'full' : 'fast',
        ...(level ? { threshold: { value: level.value, direction: 'rising' } } : {}),
      },
    };
  }

  private summarise(
    target: ForecastTarget,
    r: EngineResult,
    rules: readonly Rule[],
    now: number,
  ): Summary {
    if (r.status !== 'ok') return { pending: r.reason };
    const level = capacityLevel(target.metric, rules);
    return {
      row: {
        target,
        unit: unitOf(target.metric, rules),
        current: r.lastValue,
        growthPerDay: r.growthPerDay,
        atHorizon: valueAt(r, r.origin + this.opts.horizonMs),
        crossing: level ? crossingOf(r, level, this.opts.horizonMs) : null,
        model: r.model,
        backtest: backtestOf(r),
        computedAt: now,
      },
    };
  }

  capacity(q: { metric?: string; regionId?: string; limit: number }): CapacityReport {
    const keep = (t: ForecastTarget) =>
      (!q.metric || t.metric === q.metric) && (!q.regionId || t.regionId === q.regionId);
    const rowsOf = (m: SummaryMap) =>
      [...m.values()].flatMap((s) => ('row' in s && keep(s.target) ? [s.row] : []));
    const pending = [...this.regionRows.values(), ...this.agentRows.values()].flatMap((s) =>
      'pending' in s && keep(s.target) ? [{ target: s.target, reason: s.pending }] : [],
    );
    return {
      horizonMs: this.opts.horizonMs,
      computedAt: this.computedAt,
      running: this.runs > 0,
      regions: rowsOf(this.regionRows).sort(soonestFirst),
      agents: rowsOf(this.agentRows).sort(soonestFirst).slice(0, q.limit),
      pending,
    };
  }

  /** One target's full forecast, computed now on the worker (every candidate model). */
  async forecast(q: {
    metric: string;
    regionId?: string;
    agentId?: string;
    labels: Record<string, string>;
    horizonMs: number;
  }): Promise<ForecastResult> {
    const { store, fleet, clock } = this.deps;
    const groups = q.regionId
      ? regionGroups(store, fleet, { regionId: q.regionId, metric: q.metric })
      : agentGroups(store, fleet, { agentId: q.agentId!, metric: q.metric, labels: q.labels });
    const rules = this.deps.rules();
    const unit = unitOf(q.metric, rules);
    const now = clock.now();
    const target: ForecastTarget = groups[0]?.target ?? {
      kind: 'region',
      regionId: q.regionId ?? fleet.agent(q.agentId!)?.regionId ?? '',
      metric: q.metric,
    };
    // Several series (an agent's mounts) and no label filter: the caller must say which.
    const group = q.regionId ? groups[0] : groups.length === 1 ? groups[0] : undefined;
    if (!group) {
      return {
        status: 'insufficient_data',
        target,
        unit,
        computedAt: now,
        havePoints: 0,
        needPoints: 24,
        reason:
          groups.length > 1
            ? `${groups.length} series of ${q.metric}: choose one with labels (e.g. ${labelHint(groups)})`
            : `no series of ${q.metric} here`,
      };
    }
    const [input] = readInputs(store, [group.series], now);
    const job = this.jobFor(group.target, input!, rules, q.horizonMs);
    job.options = { ...job.options, horizonMs: q.horizonMs, effort: 'full' };
    const [r] = await this.deps.runner.forecastBatch([job]);
    if (!r || r.status !== 'ok') {
      return {
        status: 'insufficient_data',
        target: group.target,
        unit,
        computedAt: now,
        havePoints: input!.timestamps.length,
        needPoints: r?.status === 'insufficient_data' ? r.needed : 24,
        reason: r?.reason ?? 'the forecast did not run',
      };
    }
    const level = capacityLevel(q.metric, rules);
    const step = Math.max(1, Math.ceil(input!.timestamps.length / MAX_HISTORY_POINTS));
    const history: Array<[number, number]> = [];
    for (let i = 0; i < input!.timestamps.length; i += step)
      history.push([input!.timestamps[i]!, input!.values[i]!]);
    const band = (lvl: number) => r.bands.find((b) => Math.abs(b.level - lvl) < 1e-9);
    const b80 = band(0.8);
    const b95 = band(0.95);
    return {
      status: 'ok',
      target: group.target,
      unit,
      tier: input!.tier,
      stepMs: r.stepMs,
      computedAt: now,
      dataUntil: r.origin,
      horizonMs: q.horizonMs,
      history,
      forecast: r.timestamps.map((t, i) => ({
        t,
        value: r.point[i]!,
        lo80: b80?.lower[i] ?? r.point[i]!,
        hi80: b80?.upper[i] ?? r.point[i]!,
        lo95: b95?.lower[i] ?? r.point[i]!,
        hi95: b95?.upper[i] ?? r.point[i]!,
      })),
      model: r.model,
      seasonalPeriods: r.seasonality.periods,
      backtest: backtestOf(r),
      current: r.lastValue,
      growthPerDay: r.growthPerDay,
      atHorizon: valueAt(r, r.origin + q.horizonMs),
      crossing: level ? crossingOf(r, level, q.horizonMs) : null,
    };
  }
}

function labelHint(groups: ForecastGroup[]): string {
  const t = groups[0]!.target;
  if (t.kind !== 'agent') return '';
  return Object.entries(t.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The point forecast at `t` (the last step before it). */
function valueAt(r: ForecastOk, t: number): number {
  let v = r.lastValue;
  for (let i = 0; i < r.timestamps.length && r.timestamps[i]! <= t; i++) v = r.point[i]!;
  return v;
}

function crossingOf(
  r: ForecastOk,
  level: { value: number; source: string },
  horizonMs: number,
): ThresholdCrossing {
  const c = thresholdCrossing(r, { value: level.value, direction: 'rising', level: 0.95 });
  const within = (x: { at: number } | null) => (x && x.at - r.origin <= horizonMs ? x.at : null);
  return {
    threshold: level.value,
    source: level.source,
    earliest: within(c.earliest),
    likely: within(c.likely),
    latest: within(c.latest),
  };
}

function backtestOf(r: ForecastOk): CapacityRow['backtest'] {
  return {
    mase: Number.isFinite(r.backtest.mase) ? r.backtest.mase : null,
    coverage95: Number.isFinite(r.backtest.coverage95) ? r.backtest.coverage95 : null,
    coverage80: Number.isFinite(r.backtest.coverage80) ? r.backtest.coverage80 : null,
    points: r.backtest.folds * r.backtest.calibratedSteps,
    spanMs: r.history.used * r.stepMs,
  };
}

/** Soonest likely crossing first; then the fastest growing. */
function soonestFirst(a: CapacityRow, b: CapacityRow): number {
  const ta = a.crossing?.likely ?? Infinity;
  const tb = b.crossing?.likely ?? Infinity;
  if (ta !== tb) return ta - tb;
  return b.growthPerDay - a.growthPerDay;
}

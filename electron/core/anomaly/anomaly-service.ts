// The console's anomaly detection: every sample of a metric an anomaly rule watches is scored
// on the ingest path by a streaming detector (O(1), typed arrays); an episode of anomalous
// samples is one alert through the alert book, resolved when the episode closes. Fleet
// outliers are scanned every few minutes from the minute rollups; changepoints are found on
// request. One detector per (rule, region): a region's day starts at its own local midnight.
import type { AnomalyEpisode, Changepoint, OutlierRow } from '../../../shared/forecast.js';
import type { Agent } from '../../../shared/model.js';
import type { Sample } from '../../../shared/protocol.js';
import { DEFAULT_REGIONS } from '../../../shared/regions.js';
import type { AnomalyRule, Rule } from '../../../shared/rules.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertReport } from '../incidents/alert-book.js';
import { formatValue } from '../incidents/thresholds.js';
import type { Logger } from '../logger.js';
import { unitFor } from '../../../shared/metric-unit.js';
import type { Series } from '../store/series.js';
import { seriesKey } from '../store/series-key.js';
import { AnomalyDetector } from './detector.js';
import type { EpisodeEvent } from './episodes.js';
import { changepointsOf, scanOutliers, type RollupSource } from './fleet-scan.js';

export interface AnomalyAlertSink {
  report(r: AlertReport): unknown;
  clear(ruleId: string, subjectKey: string, lastValue: number | null): void;
}

export interface AnomalyDeps {
  clock: Clock;
  logger: Logger;
  store: RollupSource;
  fleet: Fleet;
  alerts: AnomalyAlertSink;
}

export interface AnomalyOptions {
  /** Fleet outliers are recomputed this often. */
  outliersEveryMs: number;
  /** Closed episodes kept for the API. */
  maxEpisodes: number;
  /** History a series needs before it is scored. */
  warmupMs: number;
}

const HOUR_MS = 3_600_000;

/** A region's UTC offset from its longitude (15° an hour): where its day starts. */
function dayOffsetOf(regionId: string): number {
  const region = DEFAULT_REGIONS.find((r) => r.id === regionId);
  return region ? Math.round(region.longitude / 15) * HOUR_MS : 0;
}

interface Binding {
  watch: Watch;
  handle: number;
}

interface Watch {
  rule: AnomalyRule;
  detector: AnomalyDetector;
  /** By detector handle: the series and its agent, and the open episode. */
  series: Series[];
  agents: Agent[];
  open: (AnomalyEpisode | undefined)[];
}

export class AnomalyService {
  private watches = new Map<string, Watch>();
  private byMetric = new Map<string, AnomalyRule[]>();
  private readonly closed: AnomalyEpisode[] = [];
  private timers: TimerHandle[] = [];
  private outlierRows: OutlierRow[] = [];
  private outliersAt: number | null = null;
  private nextEpisodeId = 1;
  /** The value being scored (its episode events happen inside observe()), NaN between. */
  private currentValue = NaN;
  /** Each scored series' detectors, by store series id (rebuilt when the rules change). */
  private bySeries = new Map<number, Binding[]>();

  constructor(
    private readonly deps: AnomalyDeps,
    private readonly opts: AnomalyOptions,
  ) {}

  start(): void {
    const { clock } = this.deps;
    this.timers = [
      clock.setInterval(() => this.closeIdle(), 60_000),
      clock.setInterval(() => this.rescanOutliers(), this.opts.outliersEveryMs),
    ];
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** Take the anomaly rules in force; a rule whose sensitivity changed keeps its baselines. */
  setRules(rules: readonly Rule[]): void {
    const anomaly = rules.filter((r): r is AnomalyRule => r.kind === 'anomaly' && r.enabled);
    this.byMetric = new Map();
    this.bySeries = new Map();
    for (const rule of anomaly) {
      for (const m of rule.metrics) this.byMetric.set(m, [...(this.byMetric.get(m) ?? []), rule]);
    }
    for (const [key, w] of this.watches) {
      const rule = anomaly.find((r) => r.id === w.rule.id);
      if (!rule) {
        for (const e of w.open) if (e) this.deps.alerts.clear(w.rule.id, subjectKeyOf(e), null);
        this.watches.delete(key);
        continue;
      }
      w.rule = rule;
      w.detector.setSensitivity(rule.sensitivity);
    }
  }

  /** True when some anomaly rule watches this metric (the ingest path skips the rest). */
  watchesMetric(metric: string): boolean {
    return this.byMetric.has(metric);
  }

  /** Score a sample newer than its series' newest (late samples are history, not news). */
  onSample(series: Series, agent: Agent, sample: Sample): void {
    // The hot path: one lookup by the series' numeric id, no allocation per sample.
    const bindings = this.bySeries.get(series.id) ?? this.bind(series, agent.regionId, sample.name);
    this.currentValue = sample.value;
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i]!;
      b.watch.agents[b.handle] = agent;
      b.watch.detector.observe(b.handle, sample.ts, sample.value);
    }
    this.currentValue = NaN;
  }

  /** The detectors a series is scored by (its metric's rules, in its region), made once. */
  private bind(series: Series, regionId: string, metric: string): Binding[] {
    const bindings = (this.byMetric.get(metric) ?? []).map((rule) => {
      const watch = this.watchFor(rule, regionId);
      const handle = watch.detector.handleOf(series.id);
      watch.series[handle] = series;
      return { watch, handle };
    });
    this.bySeries.set(series.id, bindings);
    return bindings;
  }

  private watchFor(rule: AnomalyRule, regionId: string): Watch {
    const key = `${rule.id}|${regionId}`;
    let w = this.watches.get(key);
    if (w) return w;
    const watch: Watch = {
      rule,
      detector: new AnomalyDetector({
        sensitivity: rule.sensitivity,
        warmupMs: this.opts.warmupMs,
        dayOffsetMs: dayOffsetOf(regionId),
        onEpisode: (e) => this.onEpisode(watch, e),
      }),
      series: [],
      agents: [],
      open: [],
    };
    this.watches.set(key, (w = watch));
    return w;
  }

  private onEpisode(w: Watch, e: EpisodeEvent): void {
    const series = w.series[e.handle]!;
    const agent = w.agents[e.handle]!;
    const value = Number.isNaN(this.currentValue) ? series.lastValue : this.currentValue;
    const rule = w.rule;
    if (e.phase === 'open') {
      const episode: AnomalyEpisode = {
        id: `anm-${this.nextEpisodeId++}`,
        regionId: agent.regionId,
        agentId: agent.id,
        hostname: agent.hostname,
        metric: series.name,
        labels: { ...series.labels },
        start: e.start,
        end: null,
        peakScore: e.peak,
        peakValue: value,
        expected: w.detector.expectedAt(e.handle, e.peakTs),
      };
      w.open[e.handle] = episode;
      const unit = unitFor(series.name);
      this.deps.alerts.report({
        ruleId: rule.id,
        subjectKey: subjectKeyOf(episode),
        subject: { kind: 'agent', regionId: agent.regionId, agentId: agent.id },
        severity: rule.severity,
        message: `${rule.description}: ${series.name}${labelText(series.labels)} on ${agent.hostname} at ${formatValue(value, unit)}, expected about ${formatValue(episode.expected, unit)} (score ${e.peak.toFixed(2)})`,
        metric: series.name,
        value,
        threshold: null,
        sampleArrivedAt: null,
        arrivedMono: null,
        forMs: 0,
      });
      return;
    }
    const episode = w.open[e.handle];
    if (!episode) return;
    w.open[e.handle] = undefined;
    episode.end = e.end;
    episode.peakScore = e.peak;
    this.closed.push(episode);
    if (this.closed.length > this.opts.maxEpisodes) this.closed.shift();
    this.deps.alerts.clear(rule.id, subjectKeyOf(episode), value);
  }

  /** Episodes whose series went quiet close on time even without a next sample. */
  closeIdle(): void {
    const now = this.deps.clock.now();
    for (const w of this.watches.values()) w.detector.closeIdle(now);
  }

  /** Open and recent episodes overlapping [from, to], newest first. */
  async anomalies(q: {
    regionId?: string;
    agentId?: string;
    metric?: string;
    from: number;
    to: number;
    changepoints: boolean;
  }): Promise<{ episodes: AnomalyEpisode[]; changepoints?: Changepoint[]; warmingUp?: boolean }> {
    const open = [...this.watches.values()].flatMap((w) => w.open.filter((e) => e !== undefined));
    const episodes = [...open, ...this.closed]
      .filter(
        (e) =>
          (!q.regionId || e.regionId === q.regionId) &&
          (!q.agentId || e.agentId === q.agentId) &&
          (!q.metric || e.metric === q.metric) &&
          e.start <= q.to &&
          (e.end === null || e.end >= q.from),
      )
      .sort((a, b) => b.start - a.start);
    const out: { episodes: AnomalyEpisode[]; changepoints?: Changepoint[]; warmingUp?: boolean } = {
      episodes,
    };
    if (q.agentId && q.metric) {
      const warm = [...this.watches.values()].some((w) =>
        w.series.some(
          (s, h) =>
            s.agentId === q.agentId &&
            s.name === q.metric &&
            w.detector.isWarm(h, this.deps.clock.now()),
        ),
      );
      out.warmingUp = this.byMetric.has(q.metric) && !warm;
      if (q.changepoints)
        out.changepoints = changepointsOf(this.deps.store, q.agentId, q.metric, q.from, q.to);
    }
    return out;
  }

  outliers(q: { regionId?: string; metric?: string }): {
    computedAt: number | null;
    outliers: OutlierRow[];
  } {
    if (this.outliersAt === null) this.rescanOutliers();
    return {
      computedAt: this.outliersAt,
      outliers: this.outlierRows.filter(
        (r) => (!q.regionId || r.regionId === q.regionId) && (!q.metric || r.metric === q.metric),
      ),
    };
  }

  private rescanOutliers(): void {
    try {
      const now = this.deps.clock.now();
      this.outlierRows = scanOutliers(this.deps.store, this.deps.fleet, now);
      this.outliersAt = now;
    } catch (err) {
      this.deps.logger.error('outlier scan failed', { error: String(err) });
    }
  }
}

/** As the threshold rules key an agent's series, so the two kinds of alert line up. */
function subjectKeyOf(e: AnomalyEpisode): string {
  return `${e.agentId}/${seriesKey(e.metric, e.labels)}`;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` {${parts.join(', ')}}` : '';
}

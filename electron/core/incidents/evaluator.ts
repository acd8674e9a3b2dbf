import type { Agent, AlertSubject, Region, Severity } from '../../../shared/model.js';
import { regionStatusForHealth } from '../../../shared/regions.js';
import type { Sample } from '../../../shared/protocol.js';
import type {
  AbsenceRule,
  AgentOfflineRule,
  RateOfChangeRule,
  RegionAggregateRule,
  RegionStatusRule,
  Rule,
  ThresholdRule,
} from '../../../shared/rules.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { AlertBook } from './alert-book.js';
import { breachOf, formatValue, isCleared } from './thresholds.js';
import { seriesKey } from '../store/series-key.js';
import { AbsenceWatch, type KnownSeries } from '../rules/absence-watch.js';
import { KeepFiring } from '../rules/keep-firing.js';
import { matchesSeries } from '../rules/matchers.js';
import { RateWindow } from '../rules/rate-window.js';
import {
  RegionAggregateWatch,
  type RegionAggregateSource,
} from '../rules/region-aggregate-watch.js';

export interface EvaluatorDeps {
  clock: Clock;
  /** The agent by id (absence rules ask whether it is still online). */
  agent(id: string): Agent | undefined;
  /** Series the store knows for a metric (absence rules watch them from the start). */
  seriesOf(metric: string): Iterable<KnownSeries>;
  /**
   * The metric store and regions, for region_aggregate rules. Left out (evaluator tests that
   * only feed samples), those rules are not checked.
   */
  aggregates?: RegionAggregateSource;
}

function labelSuffix(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` {${parts.join(', ')}}` : '';
}

/**
 * Checks samples against rules as they arrive (no polling loop), and turns agent and
 * region status changes into alerts.
 */
export class RuleEvaluator {
  private thresholdsByMetric = new Map<string, ThresholdRule[]>();
  private ratesByMetric = new Map<string, RateOfChangeRule[]>();
  /** Each rate rule's series windows, by rule id then subject key. */
  private rateWindows = new Map<string, { windowMs: number; series: Map<string, RateWindow> }>();
  private offlineRules: AgentOfflineRule[] = [];
  private regionRules: RegionStatusRule[] = [];
  /** Each region's status by health, as last seen. */
  private readonly health = new Map<string, Region['status']>();
  private readonly absence: AbsenceWatch;
  private readonly keepFiring: KeepFiring;
  private readonly regionAggregates: RegionAggregateWatch | null;

  constructor(
    private readonly alerts: AlertBook,
    events: CoreEvents,
    deps: EvaluatorDeps,
  ) {
    this.absence = new AbsenceWatch({ ...deps, alerts });
    this.keepFiring = new KeepFiring(deps.clock);
    this.regionAggregates = deps.aggregates
      ? new RegionAggregateWatch({ ...deps.aggregates, clock: deps.clock, alerts })
      : null;
    events.on('agent.changed', ({ agent, previousStatus }) => {
      if (agent.status !== previousStatus) this.onAgentStatus(agent);
    });
    events.on('region.changed', ({ region, previousStatus }) => {
      // Under maintenance the status stays `maintenance` while the health moves on.
      const health = regionStatusForHealth(region.healthScore);
      const changed = region.status !== previousStatus || health !== this.health.get(region.id);
      this.health.set(region.id, health);
      this.onRegion(region, changed);
    });
  }

  /**
   * The rules in force (at start and after every change in the console). Rate windows of
   * rules whose metric and window stayed keep their points; the rules book resolves the
   * alerts of rules removed or disabled.
   */
  setRules(rules: readonly Rule[]): void {
    this.thresholdsByMetric = new Map();
    this.ratesByMetric = new Map();
    this.offlineRules = [];
    this.regionRules = [];
    const absence: AbsenceRule[] = [];
    const regionAggregates: RegionAggregateRule[] = [];
    const windows = new Map<string, { windowMs: number; series: Map<string, RateWindow> }>();
    const add = <R extends { metric: string }>(map: Map<string, R[]>, rule: R) =>
      map.set(rule.metric, [...(map.get(rule.metric) ?? []), rule]);
    for (const rule of rules) {
      if (!rule.enabled) continue;
      if (rule.kind === 'threshold') add(this.thresholdsByMetric, rule);
      else if (rule.kind === 'rate_of_change') {
        add(this.ratesByMetric, rule);
        const kept = this.rateWindows.get(rule.id);
        windows.set(
          rule.id,
          kept && kept.windowMs === rule.windowMs
            ? kept
            : { windowMs: rule.windowMs, series: new Map() },
        );
      } else if (rule.kind === 'absence') absence.push(rule);
      else if (rule.kind === 'agent_offline') this.offlineRules.push(rule);
      else if (rule.kind === 'region_status') this.regionRules.push(rule);
      else if (rule.kind === 'region_aggregate') regionAggregates.push(rule);
      // forecast and anomaly rules are evaluated where forecasts and scores are made.
    }
    this.rateWindows = windows;
    this.absence.setRules(absence);
    this.regionAggregates?.setRules(regionAggregates);
    this.keepFiring.keepOnly(new Set(rules.filter((r) => r.enabled).map((r) => r.id)));
  }

  /** True when some rule watches this metric (the ingest path skips the rest cheaply). */
  watches(metric: string): boolean {
    return (
      this.thresholdsByMetric.has(metric) ||
      this.ratesByMetric.has(metric) ||
      this.absence.watches(metric)
    );
  }

  onSample(agent: Agent, sample: Sample, arrivedAt: number, arrivedMono: number): void {
    this.absence.onSample(agent, sample, arrivedAt);
    const subjectKey = `${agent.id}/${seriesKey(sample.name, sample.labels)}`;
    for (const rule of this.thresholdsByMetric.get(sample.name) ?? []) {
      if (!matchesSeries(rule.matchers, agent, sample.labels)) continue;
      this.judge(rule, subjectKey, sample.value, sample.value, (threshold) => ({
        text: `${sample.name}${labelSuffix(sample.labels)} ${formatValue(sample.value, rule.unit)} ${rule.comparator === 'gt' ? '>' : '<'} ${formatValue(threshold, rule.unit)} on ${agent.hostname}`,
        agent,
        metric: sample.name,
        arrivedAt,
        arrivedMono,
      }));
    }
    for (const rule of this.ratesByMetric.get(sample.name) ?? []) {
      if (!matchesSeries(rule.matchers, agent, sample.labels)) continue;
      const windows = this.rateWindows.get(rule.id)!.series;
      let w = windows.get(subjectKey);
      if (!w) windows.set(subjectKey, (w = new RateWindow(rule.windowMs)));
      const rate = w.add(sample.ts, sample.value);
      if (rate === null) continue;
      const unit = `${rule.unit}/h`;
      const mins = Math.round(rule.windowMs / 60_000);
      this.judge(rule, subjectKey, rate, sample.value, (threshold) => ({
        text: `${sample.name}${labelSuffix(sample.labels)} changing ${rate >= 0 ? '+' : ''}${formatValue(rate, unit)} over ${mins} min ${rule.comparator === 'gt' ? '>' : '<'} ${formatValue(threshold, unit)} on ${agent.hostname} (now ${formatValue(sample.value, rule.unit)})`,
        agent,
        metric: sample.name,
        arrivedAt,
        arrivedMono,
      }));
    }
  }

  /** Cancel the timers (absence and region figure checks, keep_firing_for waits): the core is stopping. */
  dispose(): void {
    this.absence.dispose();
    this.regionAggregates?.dispose();
    this.keepFiring.dispose();
  }

  /** Open, raise, hold or resolve a level rule's alert for one series, given its value. */
  private judge(
    rule: ThresholdRule | RateOfChangeRule,
    subjectKey: string,
    judged: number,
    sampleValue: number,
    say: (threshold: number) => {
      text: string;
      agent: Agent;
      metric: string;
      arrivedAt: number;
      arrivedMono: number;
    },
  ): void {
    const breach = breachOf(rule, judged);
    if (!breach) {
      // Inside the hysteresis band the alert stays open; it only learns the new value.
      if (!isCleared(rule, judged)) return this.alerts.touch(rule.id, subjectKey, sampleValue);
      const open = this.alerts.openFor(rule.id, subjectKey);
      if (!open) return;
      const keepMs = rule.keepFiringForMs ?? 0;
      if (keepMs > 0 && open.state !== 'pending') {
        open.lastValue = sampleValue;
        this.keepFiring.clearLater(rule.id, subjectKey, keepMs, () =>
          this.alerts.clear(rule.id, subjectKey, open.lastValue),
        );
      } else this.alerts.clear(rule.id, subjectKey, sampleValue);
      return;
    }
    this.keepFiring.holdAgain(rule.id, subjectKey);
    const s = say(breach.threshold);
    this.alerts.report({
      ruleId: rule.id,
      subjectKey,
      subject: { kind: 'agent', regionId: s.agent.regionId, agentId: s.agent.id },
      severity: breach.severity,
      message: `${rule.description}: ${s.text}`,
      metric: s.metric,
      value: judged,
      threshold: breach.threshold,
      sampleArrivedAt: s.arrivedAt,
      arrivedMono: s.arrivedMono,
      forMs: rule.forMs,
    });
  }

  /**
   * Raise again the status conditions (offline agents, unhealthy regions) that hold with no
   * open alert, which is what a resolve by hand while they held leaves, once no silence
   * covers them (`covered`). Raised only when they start, they would otherwise stay quiet.
   */
  recheckStatus(
    agents: Iterable<Agent>,
    regions: Iterable<Region>,
    covered: (c: { ruleId: string; subject: AlertSubject; severity: Severity }) => boolean,
  ): void {
    for (const agent of agents) {
      if (agent.status === 'online') continue;
      const subject = { kind: 'agent' as const, regionId: agent.regionId, agentId: agent.id };
      const missing = this.offlineRules.some(
        (r) =>
          !this.alerts.openFor(r.id, agent.id) &&
          !covered({ ruleId: r.id, subject, severity: r.severity }),
      );
      if (missing) this.onAgentStatus(agent, covered);
    }
    for (const region of regions) {
      const subject = { kind: 'region' as const, regionId: region.id, agentId: null };
      const health = regionStatusForHealth(region.healthScore);
      const missing = this.regionRules.some((r) => {
        const severity = health === 'failed' ? r.failed : health === 'degraded' ? r.degraded : null;
        return (
          severity !== null &&
          !this.alerts.openFor(r.id, region.id) &&
          !covered({ ruleId: r.id, subject, severity })
        );
      });
      if (missing) this.onRegion(region, true);
    }
  }

  private onAgentStatus(
    agent: Agent,
    skip?: (c: { ruleId: string; subject: AlertSubject; severity: Severity }) => boolean,
  ): void {
    for (const rule of this.offlineRules) {
      if (agent.status === 'online') {
        this.alerts.clear(rule.id, agent.id, null);
        continue;
      }
      const subject = { kind: 'agent' as const, regionId: agent.regionId, agentId: agent.id };
      if (skip?.({ ruleId: rule.id, subject, severity: rule.severity })) continue;
      const why =
        agent.status === 'error' ? 'was disconnected for a protocol error' : 'stopped reporting';
      this.alerts.report({
        ruleId: rule.id,
        subjectKey: agent.id,
        subject,
        severity: rule.severity,
        message: `Agent ${agent.hostname} (${agent.regionId}) ${why}`,
        metric: null,
        value: null,
        threshold: null,
        sampleArrivedAt: null,
        arrivedMono: null,
        forMs: 0,
      });
    }
  }

  /**
   * Bring region alerts in line with the regions as loaded: state.json and the agent registry
   * are written on their own debounces, so after a crash (or a restored backup) an alert may
   * say "37/75 agents online" of a region now at 0/75, or still be open on a healthy one, and
   * no count change may come to correct it. Opens, escalates, revises or resolves as a status
   * change would.
   */
  reconcileRegions(regions: readonly Region[]): void {
    for (const region of regions) this.onRegion(region, true);
  }

  /**
   * A status change opens, escalates or resolves the region's alert; any change of its counts
   * rewrites the open alert's text and value, so it always says the current state.
   */
  private onRegion(region: Region, statusChanged: boolean): void {
    // From its health, not its status: a region under maintenance still has its alert raised
    // (recorded, suppressed by the window), and it says how the region really is.
    const status = regionStatusForHealth(region.healthScore);
    for (const rule of this.regionRules) {
      const severity =
        status === 'failed' ? rule.failed : status === 'degraded' ? rule.degraded : null;
      if (!severity) {
        // Whether or not the status just changed: an open alert on a healthy region is stale.
        this.alerts.clear(rule.id, region.id, region.healthScore);
        continue;
      }
      const pct = Math.round(region.healthScore * 100);
      const message = `Region ${region.name} ${status}: ${region.onlineCount}/${region.agentCount} agents online (${pct}%)`;
      if (!statusChanged) {
        this.alerts.revise(rule.id, region.id, message, region.healthScore);
        continue;
      }
      this.alerts.report({
        ruleId: rule.id,
        subjectKey: region.id,
        subject: { kind: 'region', regionId: region.id, agentId: null },
        severity,
        message,
        metric: 'region_health',
        value: region.healthScore,
        threshold: status === 'failed' ? 0.5 : 0.8,
        sampleArrivedAt: null,
        arrivedMono: null,
        forMs: 0,
      });
      // A status change that does not raise the severity (failed → degraded) leaves the
      // alert open at its severity: its text still says where the region is now.
      this.alerts.revise(rule.id, region.id, message, region.healthScore);
    }
  }
}

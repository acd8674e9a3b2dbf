import type { Agent, AlertSubject, Region, Severity } from '../../../shared/model.js';
import { regionStatusForHealth } from '../../../shared/regions.js';
import type { Sample } from '../../../shared/protocol.js';
import type {
  AgentOfflineRule,
  RegionStatusRule,
  Rule,
  ThresholdRule,
} from '../../../shared/rules.js';
import type { CoreEvents } from '../events.js';
import type { AlertBook } from './alert-book.js';
import { breachOf, formatValue, isCleared } from './thresholds.js';
import { seriesKey } from '../store/series-key.js';

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
  private offlineRules: AgentOfflineRule[] = [];
  private regionRules: RegionStatusRule[] = [];
  /** Each region's status by health, as last seen. */
  private readonly health = new Map<string, Region['status']>();

  constructor(
    private readonly alerts: AlertBook,
    events: CoreEvents,
  ) {
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

  setRules(rules: readonly Rule[]): void {
    this.thresholdsByMetric = new Map();
    this.offlineRules = [];
    this.regionRules = [];
    for (const rule of rules) {
      if (!rule.enabled) continue;
      if (rule.kind === 'threshold') {
        const list = this.thresholdsByMetric.get(rule.metric) ?? [];
        list.push(rule);
        this.thresholdsByMetric.set(rule.metric, list);
      } else if (rule.kind === 'agent_offline') this.offlineRules.push(rule);
      else if (rule.kind === 'region_status') this.regionRules.push(rule);
      // forecast and anomaly rules are evaluated where forecasts and scores are made.
    }
  }

  /** True when some rule watches this metric (the ingest path skips the rest cheaply). */
  watches(metric: string): boolean {
    return this.thresholdsByMetric.has(metric);
  }

  onSample(agent: Agent, sample: Sample, arrivedAt: number, arrivedMono: number): void {
    const rules = this.thresholdsByMetric.get(sample.name);
    if (!rules) return;
    for (const rule of rules) {
      const subjectKey = `${agent.id}/${seriesKey(sample.name, sample.labels)}`;
      const breach = breachOf(rule, sample.value);
      if (!breach) {
        // Inside the hysteresis band the alert stays open; it only learns the new value.
        if (isCleared(rule, sample.value)) this.alerts.clear(rule.id, subjectKey, sample.value);
        else this.alerts.touch(rule.id, subjectKey, sample.value);
        continue;
      }
      const op = rule.comparator === 'gt' ? '>' : '<';
      this.alerts.report({
        ruleId: rule.id,
        subjectKey,
        subject: { kind: 'agent', regionId: agent.regionId, agentId: agent.id },
        severity: breach.severity,
        message: `${rule.description}: ${sample.name}${labelSuffix(sample.labels)} ${formatValue(sample.value, rule.unit)} ${op} ${formatValue(breach.threshold, rule.unit)} on ${agent.hostname}`,
        metric: sample.name,
        value: sample.value,
        threshold: breach.threshold,
        sampleArrivedAt: arrivedAt,
        arrivedMono,
        forMs: rule.forMs,
      });
    }
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

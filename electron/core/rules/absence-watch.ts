// absence rules: a series that stops reporting while its agent is online. Samples only say a
// series is alive; silence is about time, so a timer looks over the watched series every
// few seconds (not per sample).
import type { Agent } from '../../../shared/model.js';
import type { Sample } from '../../../shared/protocol.js';
import type { AbsenceRule } from '../../../shared/rules.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AlertBook } from '../incidents/alert-book.js';
import { seriesKey } from '../store/series-key.js';
import { matchesSeries } from './matchers.js';

/** How often silent series are looked for: an absence alert fires this much late at most. */
export const ABSENCE_CHECK_MS = 5_000;
/** A series silent longer than this when a rule starts is gone, not "stopped": not watched. */
const SEED_HORIZON_MS = 86_400_000;

interface Watched {
  rule: AbsenceRule;
  agentId: string;
  subjectKey: string;
  series: string;
  /** When it last reported (arrival time; the store's sample time for seeded series). */
  lastSeen: number;
}

export interface KnownSeries {
  agentId: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  lastTs: number;
}

export interface AbsenceDeps {
  clock: Clock;
  alerts: AlertBook;
  agent(id: string): Agent | undefined;
  /** Series the store holds for a metric, so a restart does not forget what was reporting. */
  seriesOf(metric: string): Iterable<KnownSeries>;
}

export class AbsenceWatch {
  private byMetric = new Map<string, AbsenceRule[]>();
  private watched = new Map<string, Watched>();
  private timer: TimerHandle | null = null;

  constructor(private readonly deps: AbsenceDeps) {}

  setRules(rules: readonly AbsenceRule[]): void {
    const previous = new Map([...this.byMetric.values()].flat().map((r) => [r.id, r]));
    this.byMetric = new Map();
    for (const r of rules) this.byMetric.set(r.metric, [...(this.byMetric.get(r.metric) ?? []), r]);
    const current = new Map(rules.map((r) => [r.id, r]));
    for (const [key, w] of this.watched) {
      const rule = current.get(w.rule.id);
      if (rule && rule.metric === w.rule.metric) w.rule = rule;
      else {
        this.deps.alerts.clear(w.rule.id, w.subjectKey, null);
        this.watched.delete(key);
      }
    }
    for (const rule of rules) {
      const old = previous.get(rule.id);
      if (!old || old.metric !== rule.metric) this.seed(rule);
    }
    if (rules.length > 0 && !this.timer)
      this.timer = this.deps.clock.setInterval(() => this.check(), ABSENCE_CHECK_MS);
    if (rules.length === 0) this.dispose();
  }

  watches(metric: string): boolean {
    return this.byMetric.has(metric);
  }

  onSample(agent: Agent, sample: Sample, arrivedAt: number): void {
    const rules = this.byMetric.get(sample.name);
    if (!rules) return;
    for (const rule of rules) {
      if (!matchesSeries(rule.matchers, agent, sample.labels)) continue;
      const series = seriesKey(sample.name, sample.labels);
      const subjectKey = `${agent.id}/${series}`;
      const key = `${rule.id}|${subjectKey}`;
      const w = this.watched.get(key);
      if (w) w.lastSeen = arrivedAt;
      else
        this.watched.set(key, { rule, agentId: agent.id, subjectKey, series, lastSeen: arrivedAt });
      this.deps.alerts.clear(rule.id, subjectKey, sample.value);
    }
  }

  /** Open an alert for every watched series silent too long on an online agent. */
  check(): void {
    const now = this.deps.clock.now();
    for (const [key, w] of this.watched) {
      const agent = this.deps.agent(w.agentId);
      if (!agent) {
        // Decommissioned: nothing is expected of it any more.
        this.deps.alerts.clear(w.rule.id, w.subjectKey, null);
        this.watched.delete(key);
        continue;
      }
      if (agent.status !== 'online') {
        // The agent_offline rule speaks for a dead agent; absence is about a live one.
        this.deps.alerts.clear(w.rule.id, w.subjectKey, null);
        continue;
      }
      const silentSince = Math.max(w.lastSeen, agent.statusChangedAt);
      if (now - silentSince < w.rule.absentForMs) continue;
      if (this.deps.alerts.openFor(w.rule.id, w.subjectKey)) continue;
      const minutes = Math.round((now - w.lastSeen) / 60_000);
      this.deps.alerts.report({
        ruleId: w.rule.id,
        subjectKey: w.subjectKey,
        subject: { kind: 'agent', regionId: agent.regionId, agentId: agent.id },
        severity: w.rule.severity,
        message: `${w.rule.description}: ${w.series} on ${agent.hostname} has not reported for ${minutes} min while the agent is online`,
        metric: w.rule.metric,
        value: null,
        threshold: w.rule.absentForMs,
        sampleArrivedAt: null,
        arrivedMono: null,
        forMs: 0,
      });
    }
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private seed(rule: AbsenceRule): void {
    const now = this.deps.clock.now();
    for (const s of this.deps.seriesOf(rule.metric)) {
      if (now - s.lastTs > SEED_HORIZON_MS) continue;
      const agent = this.deps.agent(s.agentId);
      if (!agent || !matchesSeries(rule.matchers, agent, s.labels)) continue;
      const series = seriesKey(s.name, s.labels);
      const subjectKey = `${agent.id}/${series}`;
      const key = `${rule.id}|${subjectKey}`;
      if (!this.watched.has(key))
        this.watched.set(key, { rule, agentId: agent.id, subjectKey, series, lastSeen: s.lastTs });
    }
  }
}

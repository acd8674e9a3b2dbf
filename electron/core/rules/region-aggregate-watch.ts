// region_aggregate rules: one figure per region (its p95 response_time over the last 2 min,
// say) judged against levels. The figure is over a window of stored samples, not one sample,
// so a timer computes it every few seconds from the metric store rather than per sample.
import type { Agent } from '../../../shared/model.js';
import type { RegionAggregateRule } from '../../../shared/rules.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AlertBook } from '../incidents/alert-book.js';
import { breachOf, formatValue, isCleared } from '../incidents/thresholds.js';
import { queryWindow, type QuerySource } from '../store/query.js';

/** How often region figures are computed: an alert fires this much late at most. */
export const REGION_AGGREGATE_CHECK_MS = 10_000;

export interface RegionAggregateSource {
  /** The metric store (a getter: the core opens it after the evaluator is made). */
  store(): QuerySource;
  regions(): readonly { id: string; name: string }[];
  /** Every registered agent of the region (offline ones too: their samples still count). */
  agentsOf(regionId: string): readonly Agent[];
}

export interface RegionAggregateDeps extends RegionAggregateSource {
  clock: Clock;
  alerts: AlertBook;
}

export class RegionAggregateWatch {
  private rules: RegionAggregateRule[] = [];
  /** Alerts this watch may have open, by rule id (region ids), so removed ones are cleared. */
  private subjects = new Map<string, Set<string>>();
  private timer: TimerHandle | null = null;

  constructor(private readonly deps: RegionAggregateDeps) {}

  setRules(rules: readonly RegionAggregateRule[]): void {
    this.rules = [...rules];
    const ids = new Set(rules.map((r) => r.id));
    for (const [ruleId, regions] of this.subjects) {
      if (ids.has(ruleId)) continue;
      for (const regionId of regions) this.deps.alerts.clear(ruleId, regionId, null);
      this.subjects.delete(ruleId);
    }
    if (rules.length > 0 && !this.timer)
      this.timer = this.deps.clock.setInterval(() => this.check(), REGION_AGGREGATE_CHECK_MS);
    if (rules.length === 0) this.dispose();
  }

  /** Compute every rule's figure for every region it covers, and open or clear its alerts. */
  check(): void {
    const now = this.deps.clock.now();
    for (const rule of this.rules) {
      const seen = this.subjects.get(rule.id) ?? new Set<string>();
      this.subjects.set(rule.id, seen);
      for (const region of this.deps.regions()) {
        const inScope = !rule.matchers?.regions || rule.matchers.regions.includes(region.id);
        const types = rule.matchers?.agentTypes;
        const agents = inScope
          ? this.deps.agentsOf(region.id).filter((a) => !types || types.includes(a.type))
          : [];
        const value =
          agents.length === 0
            ? null
            : queryWindow(
                this.deps.store(),
                {
                  metric: rule.metric,
                  agentIds: new Set(agents.map((a) => a.id)),
                  from: now - rule.windowMs,
                  to: now,
                  agg: rule.agg,
                },
                now,
              );
        this.judge(rule, region, value, seen);
      }
    }
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** As the evaluator judges a threshold: breach opens or raises, hysteresis holds, clear resolves. */
  private judge(
    rule: RegionAggregateRule,
    region: { id: string; name: string },
    value: number | null,
    seen: Set<string>,
  ): void {
    if (value === null || !breachOf(rule, value)) {
      // No data in the window says nothing about the figure: the alert resolves (absence
      // and region_status rules speak for silent agents).
      if (value !== null && !isCleared(rule, value))
        return this.deps.alerts.touch(rule.id, region.id, value);
      this.deps.alerts.clear(rule.id, region.id, value);
      return;
    }
    const breach = breachOf(rule, value)!;
    seen.add(region.id);
    const mins = Math.round(rule.windowMs / 60_000);
    const op = rule.comparator === 'gt' ? '>' : '<';
    this.deps.alerts.report({
      ruleId: rule.id,
      subjectKey: region.id,
      subject: { kind: 'region', regionId: region.id, agentId: null },
      severity: breach.severity,
      message: `${rule.description}: ${rule.agg} ${rule.metric} over ${mins} min in ${region.name} ${formatValue(value, rule.unit)} ${op} ${formatValue(breach.threshold, rule.unit)}`,
      metric: rule.metric,
      value,
      threshold: breach.threshold,
      sampleArrivedAt: null,
      arrivedMono: null,
      forMs: rule.forMs,
    });
  }
}

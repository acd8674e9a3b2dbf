// Runs a rule set over events: plain rules report each matching event, correlation rules
// report once per episode. Correlations may refer to other correlations (Sigma's chaining):
// a correlation that fires counts as a match of that correlation for the event that fired it.
import type { Clock } from '../../clock.js';
import type { RegionDefinition } from '../../../../shared/regions.js';
import { CorrelationWindows, type WindowFiring } from './correlation-windows.js';
import { regionDistance } from './region-distance.js';
import type {
  CompiledCorrelationRule,
  CompiledDetectionRule,
  CompiledRule,
  Detection,
  RuleInfo,
  SecurityEvent,
} from './types.js';

export interface DetectionEngineOptions {
  rules: readonly CompiledRule[];
  clock: Clock;
  /** Live group-by keys per correlation rule before the least recently seen is evicted. */
  maxGroupsPerRule?: number;
  /** The fleet's region map, for impossible_travel (km between regions). */
  regions?: readonly RegionDefinition[];
}

export interface DetectionEngineStats {
  /** Groups evicted because a rule had maxGroupsPerRule live, per correlation rule id. */
  evictions: Record<string, number>;
  /** Live groups per correlation rule id. */
  groups: Record<string, number>;
}

export const DEFAULT_MAX_GROUPS_PER_RULE = 50_000;

interface CorrelationRun {
  rule: CompiledCorrelationRule;
  windows: CorrelationWindows;
  report: boolean;
  /** Slot (in the engine's per-event `matched` flags) of each rule it correlates, in order. */
  stepSlots: number[];
  /** Its own slot: a correlation that fires counts as a match for the ones chained on it. */
  slot: number;
}

export class DetectionEngine {
  private readonly plain: { rule: CompiledDetectionRule; report: boolean; slot: number }[];
  private readonly correlations: CorrelationRun[];
  private readonly clock: Clock;
  /**
   * Which rules the event in hand matched, by slot: reused across events (cleared through
   * `touched`) rather than a Set and a list per event and correlation, as a busy console
   * runs every event through here.
   */
  private readonly matched: Uint8Array;
  private readonly touched: number[] = [];
  private readonly steps: number[] = [];

  constructor(opts: DetectionEngineOptions) {
    this.clock = opts.clock;
    const maxGroups = opts.maxGroupsPerRule ?? DEFAULT_MAX_GROUPS_PER_RULE;
    const distance = regionDistance(opts.regions ?? []);
    // Sigma `generate: false` (the default): rules a correlation uses do not report alone.
    const quiet = new Set<string>();
    for (const r of opts.rules) {
      if (r.kind === 'correlation' && !r.generate) for (const id of r.rules) quiet.add(id);
    }
    const slots = new Map<string, number>();
    opts.rules.forEach((r) => slots.set(r.id, slots.size));
    this.matched = new Uint8Array(slots.size);
    this.plain = opts.rules
      .filter((r): r is CompiledDetectionRule => r.kind === 'detection')
      .map((rule) => ({ rule, report: !quiet.has(rule.id), slot: slots.get(rule.id)! }));
    // The rule set lists correlations after what they refer to, so one pass suffices.
    this.correlations = opts.rules
      .filter((r): r is CompiledCorrelationRule => r.kind === 'correlation')
      .map((rule) => ({
        rule,
        windows: new CorrelationWindows(rule, maxGroups, distance),
        report: !quiet.has(rule.id),
        // An id no rule has never matches (slot -1).
        stepSlots: rule.rules.map((id) => slots.get(id) ?? -1),
        slot: slots.get(rule.id)!,
      }));
  }

  /** The detections this event completes (often none). */
  process(e: SecurityEvent): Detection[] {
    const out: Detection[] = [];
    const { matched, touched, steps } = this;
    for (const { rule, report, slot } of this.plain) {
      if (!rule.inLogsource(e) || !rule.matches(e)) continue;
      matched[slot] = 1;
      touched.push(slot);
      if (report)
        out.push(
          this.detection(rule, 'detection', e, {
            count: 1,
            firstTs: e.ts,
            lastTs: e.ts,
            group: {},
          }),
        );
    }
    if (touched.length === 0) return out;
    try {
      for (const { rule, windows, report, stepSlots, slot } of this.correlations) {
        steps.length = 0;
        for (let i = 0; i < stepSlots.length; i++) if (matched[stepSlots[i]!] === 1) steps.push(i);
        if (steps.length === 0) continue;
        const fired = windows.offer(e, steps);
        if (!fired) continue;
        matched[slot] = 1;
        touched.push(slot);
        if (report) out.push(this.detection(rule, rule.type, e, fired));
      }
    } finally {
      for (const slot of touched) matched[slot] = 0;
      touched.length = 0;
    }
    return out;
  }

  /** Forget correlation groups idle for longer than their timespan (by the console clock). */
  sweep(): number {
    const now = this.clock.now();
    let dropped = 0;
    for (const c of this.correlations) dropped += c.windows.sweep(now);
    return dropped;
  }

  /**
   * Whether a correlation's group is still live (its last event less than the timespan ago,
   * as of the last sweep). False for plain rules and unknown ids: they keep no groups.
   */
  isLive(ruleId: string, group: Readonly<Record<string, string>>): boolean {
    return this.correlations.some((c) => c.rule.id === ruleId && c.windows.has(group));
  }

  /** Whether the rule is a correlation (its detections are episodes). */
  isCorrelation(ruleId: string): boolean {
    return this.correlations.some((c) => c.rule.id === ruleId);
  }

  stats(): DetectionEngineStats {
    const evictions: Record<string, number> = {};
    const groups: Record<string, number> = {};
    for (const c of this.correlations) {
      evictions[c.rule.id] = c.windows.evictions;
      groups[c.rule.id] = c.windows.size;
    }
    return { evictions, groups };
  }

  private detection(
    rule: RuleInfo,
    kind: Detection['kind'],
    e: SecurityEvent,
    w: WindowFiring,
  ): Detection {
    return {
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      mitre: rule.mitre,
      tags: rule.tags,
      kind,
      detectedAt: this.clock.now(),
      count: w.count,
      firstTs: w.firstTs,
      lastTs: w.lastTs,
      group: w.group,
      ...(w.distinctValues !== undefined ? { distinctValues: w.distinctValues } : {}),
      agentId: e.agentId,
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      ...(e.regionId !== undefined ? { regionId: e.regionId } : {}),
      message: e.message,
    };
  }
}

// The detection side's figures on /metrics.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface SecurityMetricSources {
  /** Correlation groups evicted (maxGroupsPerRule reached), per Sigma rule id. */
  evictions(): Record<string, number>;
}

export function createSecurityMetrics(registry: Registry, sources: SecurityMetricSources) {
  return {
    eventsScanned: new Counter({
      name: 'meridian_detection_events_scanned_total',
      help: 'Stored agent events run through the detection rules.',
      registers: [registry],
    }),
    detections: new Counter({
      name: 'meridian_detections_total',
      help: 'Detections (a plain rule match, or one correlation episode), by Sigma rule id and severity.',
      labelNames: ['rule', 'severity'],
      registers: [registry],
    }),
    rulesLoaded: new Gauge({
      name: 'meridian_detection_rules_loaded',
      help: 'Detection rules in force (built-in and from <data-dir>/detections).',
      registers: [registry],
    }),
    ruleErrors: new Gauge({
      name: 'meridian_detection_rule_file_errors',
      help: 'Detection rule files rejected whole at the last load (each logged with file:line).',
      registers: [registry],
    }),
    evictions: new Gauge({
      name: 'meridian_detection_group_evictions',
      help: 'Correlation groups evicted because a rule had its maximum live groups, by Sigma rule id, since start.',
      labelNames: ['rule'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [rule, n] of Object.entries(sources.evictions())) this.set({ rule }, n);
      },
    }),
  };
}

export type SecurityMetrics = ReturnType<typeof createSecurityMetrics>;

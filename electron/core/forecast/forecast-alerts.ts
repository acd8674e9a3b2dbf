// Forecast rules turned into alerts after each forecast run: a target whose point forecast
// crosses the rule's threshold within the rule's horizon has an open alert (one per rule and
// target, through the same alert book and lifecycle as every other alert); one whose forecast
// no longer does has it resolved. A series already past the threshold is the threshold rule's
// business, not a forecast's: its forecast alert resolves.
import type { ForecastTarget } from '../../../shared/forecast.js';
import type { Alert } from '../../../shared/model.js';
import type { ForecastRule, Rule } from '../../../shared/rules.js';
import type { AlertReport } from '../incidents/alert-book.js';
import { formatValue } from '../incidents/thresholds.js';
import { thresholdCrossing } from './threshold.js';
import type { ForecastResult } from './types.js';

export interface ForecastAlertSink {
  report(r: AlertReport): Alert;
  clear(ruleId: string, subjectKey: string, lastValue: number | null): void;
}

export interface ForecastOutcome {
  key: string;
  target: ForecastTarget;
  result: ForecastResult;
}

const DAY_MS = 86_400_000;

/** "in 2.3 d" / "in 7 h": how far off a crossing is. */
export function inWords(ms: number): string {
  return ms >= DAY_MS
    ? `${(ms / DAY_MS).toFixed(1)} d`
    : `${Math.max(1, Math.round(ms / 3_600_000))} h`;
}

export class ForecastAlerts {
  constructor(private readonly sink: ForecastAlertSink) {}

  /** After a run over agents' series: open, revise or resolve each forecast rule's alerts. */
  evaluate(rules: readonly Rule[], outcomes: readonly ForecastOutcome[]): void {
    for (const rule of rules) {
      if (rule.kind !== 'forecast' || !rule.enabled) continue;
      for (const o of outcomes) {
        if (o.target.metric !== rule.metric) continue;
        this.apply(rule, o);
      }
    }
  }

  private apply(rule: ForecastRule, { key, target, result }: ForecastOutcome): void {
    // No forecast this time (too little data, a failed fit): the last word stands.
    if (result.status !== 'ok') return;
    const c = thresholdCrossing(result, {
      value: rule.threshold,
      direction: 'rising',
      level: 0.8,
    });
    const likely = c.likely && c.likely.at - result.origin <= rule.horizonMs ? c.likely : null;
    if (c.alreadyCrossed || !likely) {
      this.sink.clear(rule.id, key, result.lastValue);
      return;
    }
    const where =
      target.kind === 'agent'
        ? `${target.hostname}${labelText(target.labels)}`
        : `region ${target.regionId} (average)`;
    const when = new Date(likely.at).toISOString().slice(0, 16).replace('T', ' ');
    const range =
      c.earliest && c.latest
        ? ` (80 % band: ${inWords(c.earliest.at - result.origin)} to ${inWords(c.latest.at - result.origin)})`
        : c.earliest
          ? ` (80 % band: from ${inWords(c.earliest.at - result.origin)})`
          : '';
    this.sink.report({
      ruleId: rule.id,
      subjectKey: key,
      subject: {
        kind: target.kind,
        regionId: target.regionId,
        agentId: target.kind === 'agent' ? target.agentId : null,
      },
      severity: rule.severity,
      message: `${rule.description}: ${rule.metric} on ${where} forecast to reach ${formatValue(rule.threshold, rule.unit)} around ${when} UTC, in ${inWords(likely.at - result.origin)}${range}; now ${formatValue(result.lastValue, rule.unit)}`,
      metric: rule.metric,
      value: result.lastValue,
      threshold: rule.threshold,
      sampleArrivedAt: null,
      arrivedMono: null,
      forMs: 0,
    });
  }
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` {${parts.join(', ')}}` : '';
}

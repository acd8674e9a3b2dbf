// A scrape's samples as protocol samples (shared/protocol.ts): the names and labels the console
// accepts, finite values only, a per-second rate for each counter, and a cap on series.
import type { MetricKind } from '../../shared/model.js';
import type { Sample } from '../../shared/protocol.js';
import { roundForUnit } from '../precision.js';
import { seriesKey, type CounterRates } from './counter-rates.js';
import type { ExpositionSample, FamilyType } from './exposition.js';

// The console's limits (shared/protocol.ts: MetricName, Labels).
const METRIC_NAME = /^[a-zA-Z:][a-zA-Z0-9_:]{0,127}$/;
const LABEL_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const MAX_LABELS = 16;
const MAX_LABEL_VALUE = 256;

/** The suffix of a counter's rate series: `http_requests_total:rate` (colons never come from exporters). */
export const RATE_SUFFIX = ':rate';

/** Why a scraped sample was not sent. */
export type SkipReason = 'non_finite' | 'bad_name' | 'bad_labels';

export interface Forwarded {
  samples: Sample[];
  /** Series sent (a counter's raw value and its rate each count). */
  series: number;
  /** Series left out because the cap was reached. */
  overLimit: number;
  skipped: Record<SkipReason, number>;
}

export interface ForwardOptions {
  /** The target's `host:port`, sent as the `instance` label (as Prometheus does). */
  instance: string;
  /** The scrape's time: every sample of one scrape carries it. */
  ts: number;
  rates: CounterRates;
  /** At most this many series from this scrape. */
  maxSeries: number;
  /**
   * Send each counter's raw value (kind counter) beside its rate. Off by default: a counter's
   * rate is what rules and charts use, and the raw value would double the series it costs.
   */
  rawCounters?: boolean;
}

const KIND: Record<FamilyType, MetricKind | undefined> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: undefined,
};

/** The unit a name's base-unit suffix says (Prometheus naming: `_bytes`, `_seconds`). */
export function unitOf(name: string): string | undefined {
  const base = name.replace(/_(total|bucket|sum|count)$/, '');
  if (/_bytes$/.test(base) && !/_count$/.test(name)) return 'B';
  if (/_seconds$/.test(base) && !/_count$/.test(name)) return 's';
  return undefined;
}

/** Labels the console takes, plus `instance`; null when a label cannot be sent as it is. */
function labelsFor(
  labels: Record<string, string>,
  instance: string,
): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    // Prometheus keeps an exporter's own `instance` as `exported_instance`; so does the agent.
    const name = k === 'instance' ? 'exported_instance' : k;
    if (!LABEL_NAME.test(name)) return null;
    // Control characters separate series keys in the console's store: a space stands in.
    // eslint-disable-next-line no-control-regex
    const value = v.replace(/[\u0000-\u001f]/g, ' ');
    if (value.length > MAX_LABEL_VALUE) return null;
    out[name] = value;
  }
  out.instance = instance;
  return Object.keys(out).length <= MAX_LABELS ? out : null;
}

export function forward(scraped: readonly ExpositionSample[], opts: ForwardOptions): Forwarded {
  const result: Forwarded = {
    samples: [],
    series: 0,
    overLimit: 0,
    skipped: { non_finite: 0, bad_name: 0, bad_labels: 0 },
  };
  for (const s of scraped) {
    if (!Number.isFinite(s.value)) {
      // The protocol carries finite numbers only (a NaN closes the connection): a NaN or an
      // infinite value is left out, its series simply has no point this time.
      result.skipped.non_finite++;
      continue;
    }
    if (!METRIC_NAME.test(s.name) || (s.type === 'counter' && s.name.length + 5 > 128)) {
      result.skipped.bad_name++;
      continue;
    }
    const labels = labelsFor(s.labels, opts.instance);
    if (!labels) {
      result.skipped.bad_labels++;
      continue;
    }
    const unit = unitOf(s.name);
    const counter = s.type === 'counter';
    const wanted = counter ? (opts.rawCounters ? 2 : 1) : 1;
    if (result.series + wanted > opts.maxSeries) {
      result.overLimit += wanted;
      continue;
    }
    result.series += wanted;
    if (!counter || opts.rawCounters) {
      const kind = KIND[s.type];
      result.samples.push({
        name: s.name,
        value: s.value,
        ts: opts.ts,
        ...(unit ? { unit } : {}),
        ...(kind ? { kind } : {}),
        labels,
      });
    }
    if (!counter) continue;
    // The first reading of a counter only takes the baseline: its series is counted all
    // the same, so the number of series a target costs does not change from one scrape to the next.
    const rate = opts.rates.rate(seriesKey(s.name, labels), s.value, opts.ts);
    if (rate === null) continue;
    const rateUnit = `${unit ?? ''}/s`;
    result.samples.push({
      name: `${s.name}${RATE_SUFFIX}`,
      value: roundForUnit(rate, rateUnit),
      ts: opts.ts,
      unit: rateUnit,
      kind: 'gauge',
      labels,
    });
  }
  return result;
}

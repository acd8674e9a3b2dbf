// Prometheus' text exposition format (version 0.0.4), as /federate answers: one `# TYPE`
// line per metric, then `name{labels} value timestamp_ms` per series. prom-client renders
// only its own registry's metrics (no per-sample timestamps), so this small writer does it.

export interface ExposedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Epoch ms. */
  ts: number;
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A legal metric name: every other character becomes `_` (as Prometheus' own bridges do). */
export function metricName(name: string): string {
  if (NAME_RE.test(name)) return name;
  const s = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** A legal label name (no `:`, no leading digit; `__` is reserved, so it is prefixed). */
export function labelName(name: string): string {
  let s = LABEL_RE.test(name) ? name : name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(s) || s === '') s = `_${s}`;
  return s.startsWith('__') ? `exported_${s}` : s;
}

/** Label values escape `\`, `"` and newline; nothing else. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Render samples, grouped by metric name (the format wants a metric's lines together). */
export function renderExposition(samples: readonly ExposedSample[]): string {
  const byName = new Map<string, ExposedSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const lines: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    lines.push(`# TYPE ${name} untyped`);
    for (const s of byName.get(name)!) {
      const labels = Object.keys(s.labels)
        .sort()
        .map((k) => `${k}="${escapeLabelValue(s.labels[k]!)}"`)
        .join(',');
      lines.push(
        `${name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)} ${Math.round(s.ts)}`,
      );
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

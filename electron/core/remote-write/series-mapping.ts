// Remote-write series as agents' samples. A sender's `instance` is an agent (its hostname is
// the instance, made a valid hostname); its region is the series' region label, else the
// configured default. The rest of the labels travel with the samples.
import type { Sample } from '../../../shared/protocol.js';
import { isStaleMarker, type WriteSeries } from './write-request.js';

// The console's limits (shared/protocol.ts: MetricName, Labels, HelloMessage.hostname).
const METRIC_NAME = /^[a-zA-Z:][a-zA-Z0-9_:]{0,127}$/;
const LABEL_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_LABELS = 16;
const MAX_LABEL_VALUE = 256;
const MAX_HOSTNAME = 253;

/** The agent that stands for series without an `instance` label (recording rules, say). */
export const NO_INSTANCE_HOST = 'remote-write';

export interface MappingOptions {
  regionLabel: string;
  defaultRegion: string | null;
}

/** One series of a request as the console will hold it: its values still as decoded. */
export interface SeriesRun {
  name: string;
  labels: Record<string, string> | undefined;
  /** Decoded values and timestamps, non-finite values included (samplesOf skips them). */
  values: ArrayLike<number>;
  timestamps: ArrayLike<number>;
}

/** The samples of one sender's instance. */
export interface InstanceBatch {
  /** `<region>/<hostname>`: one agent each. */
  key: string;
  region: string;
  hostname: string;
  /** The `instance` label as sent ('' when absent). */
  instance: string;
  runs: SeriesRun[];
  /** Samples to store (finite values): what samplesOf gives. */
  count: number;
}

export type SkipReason = 'stale_marker' | 'non_finite' | 'unrepresentable';

export type Mapped =
  | { ok: true; batches: InstanceBatch[]; skipped: Record<SkipReason, number> }
  | { ok: false; code: 'bad_series' | 'missing_region'; message: string };

/** The instance as a hostname the registry takes: `web-1:9100` → `web-1_9100`. */
export function hostnameOf(instance: string): string {
  if (instance === '') return NO_INSTANCE_HOST;
  let host = instance.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (!/^[A-Za-z0-9]/.test(host)) host = `rw${host}`;
  return host.slice(0, MAX_HOSTNAME);
}

/**
 * Map a whole request, or say why it is refused (before anything is stored). A series the
 * console cannot hold (a name or labels beyond its limits) is skipped and counted, as the
 * agent's scraper does; a request that breaks the remote-write spec is refused.
 */
export function mapWriteRequest(series: readonly WriteSeries[], opts: MappingOptions): Mapped {
  const byKey = new Map<string, InstanceBatch>();
  const skipped: Record<SkipReason, number> = {
    stale_marker: 0,
    non_finite: 0,
    unrepresentable: 0,
  };
  for (let i = 0; i < series.length; i++) {
    const ts = series[i]!;
    let name = '';
    let instance = '';
    let region: string | null = null;
    let labels: Record<string, string> | null = {};
    let count = 0;
    const seen = new Set<string>();
    for (const { name: k, value: v } of ts.labels) {
      if (k === '' || seen.has(k))
        return bad(`series ${i}: label name ${k === '' ? 'empty' : `'${k}' twice`}`);
      seen.add(k);
      // An empty value is the label's absence (Prometheus data model).
      if (v === '') continue;
      if (k === '__name__') name = v;
      else if (k === 'instance') instance = v;
      else if (k === opts.regionLabel) region = v;
      else if (labels) {
        // eslint-disable-next-line no-control-regex
        const value = v.replace(/[\u0000-\u001f]/g, ' ');
        if (!LABEL_NAME.test(k) || value.length > MAX_LABEL_VALUE || ++count > MAX_LABELS)
          labels = null;
        else labels[k] = value;
      }
    }
    if (name === '') return bad(`series ${i} has no __name__ label`);
    region ??= opts.defaultRegion;
    if (region === null) {
      return {
        ok: false,
        code: 'missing_region',
        message: `series ${i} (${name}) has no '${opts.regionLabel}' label and no remoteWriteReceiver.defaultRegion is configured`,
      };
    }
    if (!REGION.test(region))
      return bad(`series ${i} (${name}): region '${region.slice(0, 64)}' is not a region id`);
    if (!labels || !METRIC_NAME.test(name) || instance.length > MAX_LABEL_VALUE) {
      skipped.unrepresentable += ts.values.length;
      continue;
    }
    const hostname = hostnameOf(instance);
    const key = `${region}/${hostname}`;
    let batch = byKey.get(key);
    if (!batch) {
      batch = { key, region, hostname, instance, runs: [], count: 0 };
      byKey.set(key, batch);
    }
    const { values, timestamps } = ts;
    let finite = 0;
    for (let j = 0; j < values.length; j++) {
      const value = values[j]!;
      const at = timestamps[j]!;
      if (!Number.isFinite(value)) {
        if (isStaleMarker(value)) skipped.stale_marker++;
        else skipped.non_finite++;
        continue;
      }
      if (!Number.isSafeInteger(at) || at < 0)
        return bad(`series ${i} (${name}): timestamp ${at} is not ms since the epoch`);
      finite++;
    }
    if (finite === 0) continue;
    batch.runs.push({ name, labels: count > 0 ? labels : undefined, values, timestamps });
    batch.count += finite;
  }
  return { ok: true, batches: [...byKey.values()], skipped };
}

/**
 * An instance's samples, made when it is stored rather than with the mapping: only one
 * instance's Sample objects exist at a time, so they die young (a whole request's outlived
 * scavenges and were promoted). The samples of a series share its labels object.
 */
export function samplesOf(batch: InstanceBatch): Sample[] {
  const out: Sample[] = [];
  for (const { name, labels, values, timestamps } of batch.runs) {
    for (let j = 0; j < values.length; j++) {
      const value = values[j]!;
      if (!Number.isFinite(value)) continue;
      const ts = timestamps[j]!;
      out.push(labels ? { name, value, ts, labels } : { name, value, ts });
    }
  }
  return out;
}

function bad(message: string): Mapped {
  return { ok: false, code: 'bad_series', message };
}

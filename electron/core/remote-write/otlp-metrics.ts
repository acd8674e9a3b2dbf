// OTLP/HTTP metrics (`POST /v1/metrics`, opentelemetry/proto/collector/metrics/v1), protobuf or
// JSON, as the series remote write gives (series-mapping.ts maps both): gauges and sums, one
// series per data point's attributes. The agent is the resource's `service.instance.id`, else
// its `host.name`; resource attributes other than those travel as labels only when they name
// the region. Histograms and summaries are skipped and counted (not in this version).
//
// Protobuf field numbers (walked by hand, as write-request.ts does):
//   ExportMetricsServiceRequest { ResourceMetrics resource_metrics = 1; }
//   ResourceMetrics { Resource resource = 1; ScopeMetrics scope_metrics = 2; }
//   Resource { KeyValue attributes = 1; }      ScopeMetrics { Metric metrics = 2; }
//   Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; (histogram 9, exp. 10, summary 11) }
//   Gauge / Sum { NumberDataPoint data_points = 1; }
//   NumberDataPoint { fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6;
//                     KeyValue attributes = 7; }
//   KeyValue { string key = 1; AnyValue value = 2; }
//   AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
import protobuf from 'protobufjs';
import {
  BadWriteRequest,
  DEFAULT_WRITE_CAPS,
  type WriteRequestCaps,
  type WriteSeries,
} from './write-request.js';

export interface OtlpDecoded {
  series: WriteSeries[];
  /** Data points of kinds not taken (histograms, summaries). */
  unsupported: number;
}

interface Point {
  attrs: [string, string][];
  value: number;
  ms: number;
}

/** OTLP names use dots (`http.server.duration`): the console's names use underscores. */
export function otlpName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

class Builder {
  readonly series: WriteSeries[] = [];
  unsupported = 0;
  private points = 0;
  constructor(
    private readonly caps: WriteRequestCaps,
    private readonly regionLabel: string,
  ) {}

  add(resource: [string, string][], metric: string, points: Point[]): void {
    if (metric === '') throw new BadWriteRequest('bad_protobuf', 'a metric without a name');
    const instance =
      resource.find(([k]) => k === 'service.instance.id')?.[1] ??
      resource.find(([k]) => k === 'host.name')?.[1] ??
      '';
    const region = resource.find(([k]) => k === this.regionLabel)?.[1];
    for (const p of points) {
      if (++this.points > this.caps.maxSamples)
        throw new BadWriteRequest('too_large', `more than ${this.caps.maxSamples} data points`);
      if (p.attrs.length > this.caps.maxLabelsPerSeries)
        throw new BadWriteRequest(
          'too_large',
          `a data point has more than ${this.caps.maxLabelsPerSeries} attributes`,
        );
      const labels = [{ name: '__name__', value: otlpName(metric) }];
      if (instance) labels.push({ name: 'instance', value: instance });
      if (region !== undefined) labels.push({ name: this.regionLabel, value: region });
      for (const [k, v] of p.attrs) labels.push({ name: otlpName(k), value: v });
      this.series.push({ labels, values: [p.value], timestamps: [p.ms] });
    }
  }
}

const nanosToMs = (n: bigint | number | string) => Number(BigInt(n) / 1_000_000n);

// ---- JSON (the OTLP/HTTP JSON encoding: lowerCamelCase fields, 64-bit integers as strings) ----

interface JsonKeyValue {
  key?: unknown;
  value?: { stringValue?: unknown; boolValue?: unknown; intValue?: unknown; doubleValue?: unknown };
}

function jsonAttrs(list: unknown): [string, string][] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new BadWriteRequest('bad_protobuf', 'attributes must be a list');
  return (list as JsonKeyValue[]).map((kv) => {
    if (typeof kv?.key !== 'string')
      throw new BadWriteRequest('bad_protobuf', 'an attribute without a key');
    const v = kv.value ?? {};
    const value = v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue ?? '';
    return [kv.key, String(value)];
  });
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new BadWriteRequest('bad_protobuf', `${what} must be a list`);
  return v;
}

export function decodeOtlpJson(
  text: string,
  regionLabel: string,
  caps: WriteRequestCaps = DEFAULT_WRITE_CAPS,
): OtlpDecoded {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new BadWriteRequest('bad_protobuf', `not JSON: ${(err as Error).message}`);
  }
  if (typeof root !== 'object' || root === null)
    throw new BadWriteRequest('bad_protobuf', 'not an ExportMetricsServiceRequest');
  const b = new Builder(caps, regionLabel);
  try {
    for (const rm of list(
      (root as { resourceMetrics?: unknown }).resourceMetrics,
      'resourceMetrics',
    )) {
      const r = rm as { resource?: { attributes?: unknown }; scopeMetrics?: unknown };
      const resource = jsonAttrs(r.resource?.attributes);
      for (const sm of list(r.scopeMetrics, 'scopeMetrics')) {
        for (const m of list((sm as { metrics?: unknown }).metrics, 'metrics')) {
          const metric = m as {
            name?: unknown;
            gauge?: { dataPoints?: unknown };
            sum?: { dataPoints?: unknown };
          };
          const data = metric.gauge ?? metric.sum;
          if (!data) {
            b.unsupported++;
            continue;
          }
          const points = list(data.dataPoints, 'dataPoints').map((d) => {
            const p = d as {
              asDouble?: unknown;
              asInt?: unknown;
              timeUnixNano?: unknown;
              attributes?: unknown;
            };
            const value = p.asDouble !== undefined ? Number(p.asDouble) : Number(p.asInt ?? 0);
            return {
              attrs: jsonAttrs(p.attributes),
              value,
              ms: nanosToMs(String(p.timeUnixNano ?? '0')),
            };
          });
          b.add(resource, typeof metric.name === 'string' ? metric.name : '', points);
        }
      }
    }
  } catch (err) {
    if (err instanceof BadWriteRequest) throw err;
    throw new BadWriteRequest(
      'bad_protobuf',
      `not an ExportMetricsServiceRequest: ${(err as Error).message}`,
    );
  }
  return { series: b.series, unsupported: b.unsupported };
}

// ---- protobuf ----

type R = protobuf.Reader;
const LEN = 2;

function within(r: R, end: number, each: (field: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (!each(tag >>> 3, tag & 7)) r.skipType(tag & 7);
  }
  if (r.pos !== end) throw new Error('a message ends inside a field');
}

function sub(r: R, limit: number): number {
  const end = r.uint32() + r.pos;
  if (end > limit) throw new Error('a field runs past its message');
  return end;
}

function anyValue(r: R, end: number): string {
  let out = '';
  within(r, end, (f, w) => {
    if (f === 1 && w === LEN) out = r.string();
    else if (f === 2 && w === 0) out = String(r.bool());
    else if (f === 3 && w === 0) out = String(r.int64());
    else if (f === 4 && w === 1) out = String(r.double());
    else return false;
    return true;
  });
  return out;
}

function keyValue(r: R, end: number): [string, string] {
  let key = '';
  let value = '';
  within(r, end, (f, w) => {
    if (f === 1 && w === LEN) key = r.string();
    else if (f === 2 && w === LEN) value = anyValue(r, sub(r, end));
    else return false;
    return true;
  });
  return [key, value];
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function fixed64Ms(r: R): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return nanosToMs((BigInt(hi) << 32n) | BigInt(lo));
}

function dataPoint(r: R, end: number): Point {
  const p: Point = { attrs: [], value: 0, ms: 0 };
  within(r, end, (f, w) => {
    if (f === 3 && w === 1) p.ms = fixed64Ms(r);
    else if (f === 4 && w === 1) p.value = r.double();
    else if (f === 6 && w === 1) {
      u32[0] = r.fixed32();
      u32[1] = r.fixed32();
      p.value = Number(new BigInt64Array(f64.buffer)[0]);
    } else if (f === 7 && w === LEN) p.attrs.push(keyValue(r, sub(r, end)));
    else return false;
    return true;
  });
  return p;
}

export function decodeOtlpProtobuf(
  raw: Uint8Array,
  regionLabel: string,
  caps: WriteRequestCaps = DEFAULT_WRITE_CAPS,
): OtlpDecoded {
  const r = protobuf.Reader.create(raw);
  const b = new Builder(caps, regionLabel);
  try {
    within(r, r.len, (f, w) => {
      if (f !== 1 || w !== LEN) return false;
      const rmEnd = sub(r, r.len);
      const resource: [string, string][] = [];
      within(r, rmEnd, (f2, w2) => {
        if (f2 === 1 && w2 === LEN) {
          const resEnd = sub(r, rmEnd);
          within(r, resEnd, (f3, w3) => {
            if (f3 !== 1 || w3 !== LEN) return false;
            resource.push(keyValue(r, sub(r, resEnd)));
            return true;
          });
        } else if (f2 === 2 && w2 === LEN) {
          const smEnd = sub(r, rmEnd);
          within(r, smEnd, (f3, w3) => {
            if (f3 !== 2 || w3 !== LEN) return false;
            const mEnd = sub(r, smEnd);
            let name = '';
            const points: Point[] = [];
            let kind = false;
            let other = false;
            within(r, mEnd, (f4, w4) => {
              if (f4 === 1 && w4 === LEN) name = r.string();
              else if ((f4 === 5 || f4 === 7) && w4 === LEN) {
                kind = true;
                const dEnd = sub(r, mEnd);
                within(r, dEnd, (f5, w5) => {
                  if (f5 !== 1 || w5 !== LEN) return false;
                  points.push(dataPoint(r, sub(r, dEnd)));
                  return true;
                });
              } else if (f4 >= 9 && f4 <= 11 && w4 === LEN) {
                other = true;
                return false;
              } else return false;
              return true;
            });
            if (kind) b.add(resource, name, points);
            else if (other) b.unsupported++;
            return true;
          });
        } else return false;
        return true;
      });
      return true;
    });
  } catch (err) {
    if (err instanceof BadWriteRequest) throw err;
    throw new BadWriteRequest(
      'bad_protobuf',
      `not an ExportMetricsServiceRequest: ${(err as Error).message}`,
    );
  }
  return { series: b.series, unsupported: b.unsupported };
}

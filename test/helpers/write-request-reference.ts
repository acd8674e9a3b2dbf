// The remote-write decoder as it was before its fast path for Samples (electron/core/
// remote-write/write-request.ts): every field through protobufjs' generic Reader. Kept only
// as the reference the fast path is checked against, byte for byte, on random bodies.
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import {
  BadWriteRequest,
  type WriteRequest,
  type WriteRequestCaps,
  type WriteSeries,
} from '../../electron/core/remote-write/write-request.js';

const LENGTH_DELIMITED = 2;

export function referenceDecode(body: Uint8Array, caps: WriteRequestCaps): WriteRequest {
  let declared = 0;
  for (let i = 0, shift = 1; i < 5 && i < body.length; i++, shift *= 128) {
    declared += (body[i]! & 127) * shift;
    if (body[i]! < 128) {
      if (declared > caps.maxDecodedBytes) throw new BadWriteRequest('too_large', 'declared');
      break;
    }
  }
  let raw: Uint8Array;
  try {
    raw = snappy.uncompress(body, caps.maxDecodedBytes);
  } catch (err) {
    throw new BadWriteRequest('bad_snappy', (err as Error).message);
  }
  try {
    return readWriteRequest(protobuf.Reader.create(raw), caps);
  } catch (err) {
    if (err instanceof BadWriteRequest) throw err;
    throw new BadWriteRequest('bad_protobuf', (err as Error).message);
  }
}

function fieldEnd(r: protobuf.Reader, limit: number): number {
  const end = r.uint32() + r.pos;
  if (end > limit) throw new Error('runs past its end');
  return end;
}

function readWriteRequest(r: protobuf.Reader, caps: WriteRequestCaps): WriteRequest {
  const timeseries: WriteSeries[] = [];
  let samples = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== LENGTH_DELIMITED) {
      r.skipType(tag & 7);
      continue;
    }
    if (timeseries.length >= caps.maxSeries) throw new BadWriteRequest('too_large', 'series');
    const end = fieldEnd(r, r.len);
    const series: WriteSeries = { labels: [], values: [], timestamps: [] };
    while (r.pos < end) {
      const inner = r.uint32();
      const field = inner >>> 3;
      if (field === 1 && (inner & 7) === LENGTH_DELIMITED) {
        if (series.labels.length >= caps.maxLabelsPerSeries)
          throw new BadWriteRequest('too_large', 'labels');
        const labelEnd = fieldEnd(r, end);
        let name = '';
        let value = '';
        while (r.pos < labelEnd) {
          const t = r.uint32();
          if (t === 10) name = r.string();
          else if (t === 18) value = r.string();
          else r.skipType(t & 7);
        }
        if (r.pos !== labelEnd) throw new Error('a label ends inside a field');
        series.labels.push({ name, value });
      } else if (field === 2 && (inner & 7) === LENGTH_DELIMITED) {
        if (++samples > caps.maxSamples) throw new BadWriteRequest('too_large', 'samples');
        const sampleEnd = fieldEnd(r, end);
        let value = 0;
        let timestamp = 0;
        while (r.pos < sampleEnd) {
          const t = r.uint32();
          if (t === 9) value = r.double();
          else if (t === 16) timestamp = r.int64() as unknown as number;
          else r.skipType(t & 7);
        }
        if (r.pos !== sampleEnd) throw new Error('a sample ends inside a field');
        series.values.push(value);
        series.timestamps.push(timestamp);
      } else r.skipType(inner & 7);
    }
    if (r.pos !== end) throw new Error('a time series ends inside a field');
    timeseries.push(series);
  }
  return { timeseries };
}

// Prometheus remote-write 1.0 bodies: snappy block format around a protobuf `WriteRequest`
// (prompb/remote.proto, types.proto), decompressed with snappyjs (pure JS: no native binary to
// ship with Electron) and read with protobufjs' wire Reader. The messages are walked by hand
// rather than through reflection: one pass that counts against the caps as it goes (a body of
// millions of tiny repeated entries is refused before it costs their memory) and keeps samples
// as two number arrays instead of an object each, which is most of the receiver's CPU. A Sample
// in the shape Prometheus writes it is read straight from the bytes (readCanonicalSample):
// protobufjs makes an object per int64, a million a second under load.
//
//   message WriteRequest { repeated TimeSeries timeseries = 1; }
//   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   message Label        { string name = 1; string value = 2; }
//   message Sample       { double value = 1; int64 timestamp = 2; }
//
// Other fields (metadata, exemplars, native histograms) are skipped as unknown fields.
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

// int64 timestamps as plain numbers (ms since the epoch fit in 53 bits), not Long objects.
// Nothing else in the core uses protobufjs.
protobuf.util.Long = null as unknown as typeof protobuf.util.Long;
protobuf.configure();

export interface WriteLabel {
  name: string;
  value: string;
}
export interface WriteSeries {
  labels: WriteLabel[];
  /** Sample values and their timestamps (ms), index by index. */
  values: number[];
  timestamps: number[];
}
export interface WriteRequest {
  timeseries: WriteSeries[];
}

/** Bounds on one request, checked before it is decoded into objects. */
export interface WriteRequestCaps {
  /** Decompressed bytes at most. */
  maxDecodedBytes: number;
  maxSeries: number;
  maxSamples: number;
  maxLabelsPerSeries: number;
}

export const DEFAULT_WRITE_CAPS: WriteRequestCaps = {
  maxDecodedBytes: 64 * 1024 * 1024,
  maxSeries: 100_000,
  maxSamples: 500_000,
  maxLabelsPerSeries: 64,
};

/** Why a body was refused; `code` is the JSON error code and the counter's label. */
export class BadWriteRequest extends Error {
  constructor(
    readonly code: 'bad_snappy' | 'bad_protobuf' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

/** Decompress and decode a remote-write body, or throw BadWriteRequest saying why. */
export function decodeWriteRequest(
  body: Uint8Array,
  caps: WriteRequestCaps = DEFAULT_WRITE_CAPS,
): WriteRequest {
  const declared = declaredLength(body);
  if (declared !== null && declared > caps.maxDecodedBytes)
    throw new BadWriteRequest(
      'too_large',
      `the body declares ${declared} bytes decompressed, over the ${caps.maxDecodedBytes} taken`,
    );
  let raw: Uint8Array;
  try {
    raw = snappy.uncompress(body, caps.maxDecodedBytes);
  } catch (err) {
    const message = (err as Error).message;
    throw new BadWriteRequest('bad_snappy', `the body is not snappy block format: ${message}`);
  }
  try {
    return readWriteRequest(protobuf.Reader.create(raw), caps);
  } catch (err) {
    if (err instanceof BadWriteRequest) throw err;
    throw new BadWriteRequest('bad_protobuf', `not a WriteRequest: ${(err as Error).message}`);
  }
}

/** The uncompressed length a snappy block declares up front (a varint), or null if unreadable. */
function declaredLength(body: Uint8Array): number | null {
  let value = 0;
  for (let i = 0, shift = 1; i < 5 && i < body.length; i++, shift *= 128) {
    value += (body[i]! & 127) * shift;
    if (body[i]! < 128) return value;
  }
  return null;
}

const LENGTH_DELIMITED = 2;

/** The end of the length-delimited field at the reader's position, checked against `limit`. */
function fieldEnd(r: protobuf.Reader, limit: number, what: string): number {
  const end = r.uint32() + r.pos;
  if (end > limit) throw new Error(`${what} runs past its end`);
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
    if (timeseries.length >= caps.maxSeries)
      throw new BadWriteRequest('too_large', `more than ${caps.maxSeries} time series`);
    const end = fieldEnd(r, r.len, 'a time series');
    const series: WriteSeries = { labels: [], values: [], timestamps: [] };
    while (r.pos < end) {
      const inner = r.uint32();
      const field = inner >>> 3;
      if (field === 1 && (inner & 7) === LENGTH_DELIMITED) {
        if (series.labels.length >= caps.maxLabelsPerSeries)
          throw new BadWriteRequest(
            'too_large',
            `a time series has more than ${caps.maxLabelsPerSeries} labels`,
          );
        series.labels.push(readLabel(r, fieldEnd(r, end, 'a label')));
      } else if (field === 2 && (inner & 7) === LENGTH_DELIMITED) {
        if (++samples > caps.maxSamples)
          throw new BadWriteRequest('too_large', `more than ${caps.maxSamples} samples`);
        if (!readCanonicalSample(r, end, series))
          readSample(r, fieldEnd(r, end, 'a sample'), series);
      } else r.skipType(inner & 7);
    }
    if (r.pos !== end) throw new Error('a time series ends inside a field');
    timeseries.push(series);
  }
  return { timeseries };
}

function readLabel(r: protobuf.Reader, end: number): WriteLabel {
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) name = r.string();
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) value = r.string();
    else r.skipType(tag & 7);
  }
  if (r.pos !== end) throw new Error('a label ends inside a field');
  return { name, value };
}

function readSample(r: protobuf.Reader, end: number, into: WriteSeries): void {
  // proto3 defaults: a field left out is 0.
  let value = 0;
  let timestamp = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 1)) value = r.double();
    else if (tag === 2 << 3) timestamp = r.int64() as unknown as number;
    else r.skipType(tag & 7);
  }
  if (r.pos !== end) throw new Error('a sample ends inside a field');
  into.values.push(value);
  into.timestamps.push(timestamp);
}

const SAMPLE_VALUE_TAG = (1 << 3) | 1;
const SAMPLE_TIMESTAMP_TAG = 2 << 3;
const doubleBytes = new Uint8Array(8);
const doubleView = new Float64Array(doubleBytes.buffer);

/**
 * The common shape of a Sample, as Prometheus writes it, read without the generic reader:
 * a one-byte length, then the value (left out when 0, as proto3 does) and a timestamp of at
 * most 7 varint bytes (any ms timestamp before the year 19000), ending exactly where the
 * message does. The generic reader would build an object per int64; this reads the same
 * numbers. False, with the reader where it was, for anything else (readSample takes it).
 */
function readCanonicalSample(r: protobuf.Reader, limit: number, into: WriteSeries): boolean {
  const buf = r.buf;
  let pos = r.pos;
  const length = buf[pos++]!;
  const end = pos + length;
  // (Also false at the end of the buffer, where the length byte is undefined.)
  if (!(length < 128) || end > limit) return false;
  let value = 0;
  if (buf[pos] === SAMPLE_VALUE_TAG) {
    if (pos + 9 > end) return false;
    for (let i = 0; i < 8; i++) doubleBytes[i] = buf[pos + 1 + i]!;
    value = doubleView[0]!;
    pos += 9;
  }
  if (buf[pos] !== SAMPLE_TIMESTAMP_TAG) return false;
  pos++;
  let timestamp = 0;
  for (let scale = 1, i = 0; ; i++, scale *= 128) {
    if (i === 7 || pos >= end) return false;
    const byte = buf[pos++]!;
    timestamp += (byte & 127) * scale;
    if (byte < 128) break;
  }
  if (pos !== end) return false;
  r.pos = end;
  into.values.push(value);
  into.timestamps.push(timestamp);
  return true;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/**
 * Prometheus' stale marker, the NaN 0x7ff0000000000002: the series ended (its target went
 * away). Reading it as a double may set the quiet bit (0x0008_0000 of the high word), so that
 * bit is ignored; the payload 2 in the low word is what marks it.
 */
export function isStaleMarker(value: number): boolean {
  if (!Number.isNaN(value)) return false;
  bits[0] = value;
  return words[0] === 2 && (words[1]! & ~0x0008_0000) === 0x7ff0_0000;
}

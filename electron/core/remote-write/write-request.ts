// Prometheus remote-write 1.0 bodies: snappy block format around a protobuf `WriteRequest`
// (prompb/remote.proto, types.proto). Decoded with protobufjs from the schema below (the part
// of prompb that 1.0 senders fill in: labels and float samples; metadata, exemplars and
// native histograms are skipped as unknown fields), decompressed with snappyjs (pure JS: no
// native binary to ship with Electron, and it refuses a declared length over our cap before
// allocating anything).
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

// int64 timestamps as plain numbers (ms since the epoch fit in 53 bits): one Long object per
// sample would cost more than the rest of the decode. Nothing else in the core uses protobufjs.
protobuf.util.Long = null as unknown as typeof protobuf.util.Long;
protobuf.configure();

export interface WriteLabel {
  name: string;
  value: string;
}
export interface WriteSample {
  value: number;
  timestamp: number;
}
export interface WriteSeries {
  labels: WriteLabel[];
  samples: WriteSample[];
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

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: {
          fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } },
        },
      },
    },
  },
});
const WriteRequestType = root.lookupType('prometheus.WriteRequest');

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
  measure(raw, caps);
  try {
    return WriteRequestType.decode(raw) as unknown as WriteRequest;
  } catch (err) {
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

/**
 * Count series, samples and labels by walking the wire format (no objects made), so that a
 * body of millions of tiny repeated entries is refused before it costs their memory.
 */
function measure(raw: Uint8Array, caps: WriteRequestCaps): void {
  const r = protobuf.Reader.create(raw);
  let series = 0;
  let samples = 0;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
        r.skipType(tag & 7);
        continue;
      }
      const end = r.uint32() + r.pos;
      if (end > r.len) throw new Error('a time series runs past the end of the body');
      if (++series > caps.maxSeries)
        throw new BadWriteRequest('too_large', `more than ${caps.maxSeries} time series`);
      let labels = 0;
      while (r.pos < end) {
        const inner = r.uint32();
        const field = inner >>> 3;
        if (field === 1 && ++labels > caps.maxLabelsPerSeries)
          throw new BadWriteRequest(
            'too_large',
            `a time series has more than ${caps.maxLabelsPerSeries} labels`,
          );
        if (field === 2 && ++samples > caps.maxSamples)
          throw new BadWriteRequest('too_large', `more than ${caps.maxSamples} samples`);
        r.skipType(inner & 7);
      }
      if (r.pos !== end) throw new Error('a time series ends inside a field');
    }
  } catch (err) {
    if (err instanceof BadWriteRequest) throw err;
    throw new BadWriteRequest('bad_protobuf', `not a WriteRequest: ${(err as Error).message}`);
  }
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

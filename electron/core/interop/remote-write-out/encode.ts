// Remote-write 1.0 bodies: a prometheus.WriteRequest in protobuf, snappy block-compressed.
// protobufjs' Writer encodes the three small messages by field number (the schema, from
// prometheus/prompb/types.proto, is short enough to write out here); snappyjs is the pure
// JavaScript snappy: no native module to build for Electron and for Node alike.
import protobuf from 'protobufjs';
import { compress } from 'snappyjs';

/** One series of a request: labels sorted by name (remote write requires it), samples in order. */
export interface SeriesSamples {
  /** Flat [name, value, name, value, …], sorted by name. */
  labels: string[];
  ts: number[];
  values: number[];
}

// WriteRequest { repeated TimeSeries timeseries = 1; }
// TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
// Label        { string name = 1; string value = 2; }
// Sample       { double value = 1; int64 timestamp = 2; }
export function encodeWriteRequest(series: readonly SeriesSamples[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const s of series) {
    w.uint32((1 << 3) | 2).fork();
    for (let i = 0; i < s.labels.length; i += 2) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32((1 << 3) | 2).string(s.labels[i]!);
      w.uint32((2 << 3) | 2).string(s.labels[i + 1]!);
      w.ldelim();
    }
    for (let i = 0; i < s.ts.length; i++) {
      w.uint32((2 << 3) | 2).fork();
      w.uint32((1 << 3) | 1).double(s.values[i]!);
      w.uint32((2 << 3) | 0).int64(s.ts[i]!);
      w.ldelim();
    }
    w.ldelim();
  }
  return w.finish();
}

export function writeRequestBody(series: readonly SeriesSamples[]): Uint8Array {
  return compress(encodeWriteRequest(series));
}

// The remote-write sender's durable queue, in `<data-dir>/remote-write/queue/`. The ingest ack
// waits for the queue's fsync as it waits for the WAL's, so every acked sample is either in the
// queue or already sent. Its own segments, not the store's WAL: the WAL is deleted at every
// flush (5 min) and names series by ids the sender would have to resolve through the
// catalogue; these lines carry full label sets and live until every destination has sent
// them (or the byte cap drops the oldest, counted).
//
// A line's JSON: `[[labels…], [ts…], [values…]][]` (NaN, a stale marker, written as null).
import type { Logger } from '../../logger.js';
import {
  DEFAULT_QUEUE_OPTIONS,
  SegmentQueue,
  type QueueCodec,
  type QueueLine as GenericLine,
  type QueueOptions,
} from '../../queue/segment-queue.js';
import type { SeriesSamples } from './encode.js';

export { DEFAULT_QUEUE_OPTIONS, type QueueOptions };
export type QueueLine = GenericLine<SeriesSamples[]>;

const seriesCodec: QueueCodec<readonly SeriesSamples[]> = {
  encode(series) {
    let units = 0;
    let minTs = Infinity;
    const rows = series.map((s) => {
      units += s.ts.length;
      minTs = Math.min(minTs, s.ts[0]!);
      return [s.labels, s.ts, s.values];
    });
    return { units, minTs, json: JSON.stringify(rows) };
  },
  decode(rows) {
    if (!Array.isArray(rows)) return null;
    const series: SeriesSamples[] = [];
    for (const r of rows as unknown[]) {
      if (!Array.isArray(r) || r.length !== 3) return null;
      const [labels, ts, values] = r as [string[], number[], (number | null)[]];
      series.push({ labels, ts, values: values.map((v) => (v === null ? NaN : v)) });
    }
    return series;
  },
};

export class ForwardQueue extends SegmentQueue<SeriesSamples[]> {
  constructor(dir: string, logger: Logger, opts: QueueOptions = DEFAULT_QUEUE_OPTIONS) {
    super(dir, logger, seriesCodec as QueueCodec<SeriesSamples[]>, opts, 'remote-write queue');
  }
}

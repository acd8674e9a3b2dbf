// The remote-write sender as the core runs it: the forward queue fed by ingest, one sender per
// configured destination, their figures on /metrics and for the Settings panel.
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import type { Agent } from '../../../../shared/model.js';
import type { Sample } from '../../../../shared/protocol.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { CoreMetrics } from '../../metrics.js';
import type { Series } from '../../store/series.js';
import { remoteWriteTarget, type RemoteWriteConfig } from './config.js';
import { CursorFile } from '../../queue/cursor-file.js';
import type { SeriesSamples } from './encode.js';
import { postWriteRequest } from './post.js';
import { DEFAULT_QUEUE_OPTIONS, ForwardQueue, type QueueOptions } from './queue.js';
import { RemoteWriteSender, type RemoteWritePost, type RemoteWriteStatus } from './sender.js';

/** What ingest hands over: one batch's newly stored samples, queued before the ack. */
export interface ForwardSink {
  begin(agent: Agent): ForwardBatch;
}

export interface ForwardBatch {
  add(series: Series, sample: Sample): void;
  /** Resolves once the batch is durable in the queue (null when it had nothing). */
  commit(): Promise<void> | null;
}

export interface RemoteWriteParts {
  dataDir: string;
  destinations: readonly RemoteWriteConfig[];
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  post?: RemoteWritePost;
  queueOptions?: QueueOptions;
}

export interface RemoteWrite {
  /** Null with no destination: ingest queues nothing. */
  sink: ForwardSink | null;
  open(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  status(): RemoteWriteStatus[];
}

export function createRemoteWrite(p: RemoteWriteParts): RemoteWrite {
  if (p.destinations.length === 0)
    return { sink: null, open: async () => {}, start() {}, stop: async () => {}, status: () => [] };
  const dir = join(p.dataDir, 'remote-write');
  const queue = new ForwardQueue(
    join(dir, 'queue'),
    p.logger,
    p.queueOptions ?? DEFAULT_QUEUE_OPTIONS,
  );
  const m = remoteWriteMetrics(p.metrics);
  const senders: RemoteWriteSender[] = [];
  let releasing = Promise.resolve();
  const advanced = () => {
    releasing = releasing
      .then(() => queue.release(senders.map((s) => s.cursor)))
      .catch((err: unknown) =>
        p.logger.warn('remote-write queue: segment not deleted', { error: (err as Error).message }),
      );
  };
  for (const config of p.destinations) {
    const target = remoteWriteTarget(config);
    const dest = target.label;
    senders.push(
      new RemoteWriteSender(target, {
        clock: p.clock,
        logger: p.logger,
        queue,
        cursorFile: new CursorFile(join(dir, `${target.id}.pos`)),
        post: p.post ?? postWriteRequest,
        counters: {
          sent: (n) => m.sent.inc({ dest }, n),
          failed: () => m.failed.inc({ dest }),
          dropped: (n) => m.dropped.inc({ dest }, n),
        },
        advanced,
      }),
    );
  }
  for (const s of senders)
    for (const c of [m.sent, m.failed, m.dropped]) c.inc({ dest: s.target.label }, 0);
  m.status = () => senders.map((s) => s.status());
  queue.onDrop = (segment, index) => {
    for (const s of senders)
      s.segmentDropped(segment, index.samples, (offset) => index.samplesBefore(offset));
  };
  queue.onAppended(() => {
    for (const s of senders) s.wake();
  });
  return {
    sink: { begin: (agent) => forwardBatch(agent, queue) },
    async open() {
      await queue.open();
      for (const s of senders) await s.open();
    },
    start() {
      for (const s of senders) s.start();
    },
    async stop() {
      await Promise.all(senders.map((s) => s.stop()));
      await releasing;
      await queue.close();
    },
    status: () => senders.map((s) => s.status()),
  };
}

/** Labels: `__name__`, agent, hostname, region, then the series' own; sorted by name. */
function forwardBatch(agent: Agent, queue: ForwardQueue): ForwardBatch {
  const bySeries = new Map<Series, SeriesSamples>();
  return {
    add(series, sample) {
      let entry = bySeries.get(series);
      if (!entry) {
        const labels: Record<string, string> = {
          ...series.labels,
          __name__: series.name,
          agent: agent.id,
          hostname: agent.hostname,
          region: agent.regionId,
        };
        const flat = Object.keys(labels)
          .sort()
          .flatMap((k) => [k, labels[k]!]);
        bySeries.set(series, (entry = { labels: flat, ts: [], values: [] }));
      }
      entry.ts.push(sample.ts);
      entry.values.push(sample.value);
    },
    commit: () => (bySeries.size === 0 ? null : queue.append([...bySeries.values()])),
  };
}

function remoteWriteMetrics(metrics: CoreMetrics) {
  const registers = [metrics.registry];
  const labelNames = ['dest'] as const;
  const out = {
    status: (): RemoteWriteStatus[] => [],
    sent: new Counter({
      name: 'meridian_remote_write_sent_samples_total',
      help: 'Samples a remote-write destination acked.',
      labelNames,
      registers,
    }),
    failed: new Counter({
      name: 'meridian_remote_write_failed_total',
      help: 'Remote-write requests that failed (network error, timeout or non-2xx answer).',
      labelNames,
      registers,
    }),
    dropped: new Counter({
      name: 'meridian_remote_write_dropped_samples_total',
      help: 'Samples given up: refused with a 4xx other than 429, or lost to the queue byte cap.',
      labelNames,
      registers,
    }),
  };
  const gauge = (name: string, help: string, pick: (s: RemoteWriteStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        for (const s of out.status()) this.set({ dest: s.url }, pick(s));
      },
    });
  gauge(
    'meridian_remote_write_lag_seconds',
    'Age of the oldest sample not yet sent.',
    (s) => s.lagSeconds,
  );
  gauge(
    'meridian_remote_write_pending_samples',
    'Samples queued and not yet sent.',
    (s) => s.pending,
  );
  gauge('meridian_remote_write_shards', 'Shards the last window was sent over.', (s) => s.shards);
  return out;
}

import { Counter, type Registry } from 'prom-client';

/** The remote-write receiver's own figures, on the core's /metrics. */
export function createRemoteWriteMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'meridian_remote_write_requests_total',
      help: 'Remote-write (and OTLP) requests on the ingest port, by endpoint and outcome (ok, or the error code answered).',
      labelNames: ['endpoint', 'outcome'],
      registers: [registry],
    }),
    samplesSkipped: new Counter({
      name: 'meridian_remote_write_samples_skipped_total',
      help: 'Remote-write samples not stored from an accepted request, by reason (stale_marker: the series ended; non_finite; unrepresentable: a name or labels the console cannot hold).',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

export type RemoteWriteMetrics = ReturnType<typeof createRemoteWriteMetrics>;

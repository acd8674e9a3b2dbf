import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The notifier's figures on /metrics, registered on the core's registry. */
export function createNotifyMetrics(registry: Registry) {
  return {
    attempts: new Counter({
      name: 'meridian_notify_attempts_total',
      help: 'Notification delivery attempts, by channel kind and result (ok, retry: failed with a retry to come, failed: no tries left or not worth retrying).',
      labelNames: ['channel_kind', 'result'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'meridian_notify_delivery_seconds',
      help: 'Time a delivery attempt took (HTTP answer, SMTP acceptance), by channel kind.',
      labelNames: ['channel_kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    suppressed: new Counter({
      name: 'meridian_notify_suppressed_total',
      help: 'Incidents not notified because a silence or maintenance window matched them.',
      registers: [registry],
    }),
    deduplicated: new Counter({
      name: 'meridian_notify_deduplicated_total',
      help: 'Messages not sent because the same incident, step and channel was already notified.',
      registers: [registry],
    }),
    channelsFailing: new Gauge({
      name: 'meridian_notify_channels_failing',
      help: 'Channels whose last deliveries all failed (at the failing-channel alert threshold).',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'meridian_notify_config_rejected_total',
      help: 'Channel and policy changes refused as bad input, by field.',
      labelNames: ['field'],
      registers: [registry],
    }),
  };
}

export type NotifyMetrics = ReturnType<typeof createNotifyMetrics>;

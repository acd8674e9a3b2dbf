// The agents with an hour of history behind the explorer and Trends screenshots: a busy API
// host getting slower, a database filling its memory, an edge node recovering, and a web tier
// whose errors creep up. Shapes are deterministic (trend + slow waves + seeded noise).
import { jitter, type ProbeSpec } from './history.js';

const wave = (h: number, cycles: number, phase = 0) => Math.sin(h * cycles * 2 * Math.PI + phase);
const bump = (h: number, at: number, width: number) => Math.exp(-(((h - at) / width) ** 2));

export const SHOT_PROBES: ProbeSpec[] = [
  {
    hostname: 'api-eu-west-1-07',
    region: 'eu-west-1',
    type: 'application',
    metrics: {
      cpu_usage: {
        unit: '%',
        at: (h, ts) => 41 + 22 * h + 4 * wave(h, 3) + 21 * bump(h, 0.74, 0.025) + 5 * jitter(ts),
      },
      memory_usage: { unit: '%', at: (h, ts) => 63 + 1.5 * wave(h, 1) + 1.2 * jitter(ts, 1) },
      response_time: {
        unit: 'ms',
        at: (h, ts) => 170 + 150 * h + 22 * wave(h, 4) + 30 * jitter(ts, 2),
      },
      error_rate: { unit: '%', at: (_h, ts) => 0.6 + 0.3 * jitter(ts, 3) },
    },
  },
  {
    hostname: 'db-us-east-1-03',
    region: 'us-east-1',
    type: 'database',
    metrics: {
      memory_usage: { unit: '%', at: (h, ts) => 61 + 15 * h + 1.5 * jitter(ts) },
      cpu_usage: { unit: '%', at: (h, ts) => 58 - 19 * h + 3 * wave(h, 2) + 4 * jitter(ts, 1) },
      disk_usage: { unit: '%', at: (h, ts) => 71.2 + 0.3 * h + 0.1 * jitter(ts, 2) },
    },
  },
  {
    hostname: 'edge-ap-northeast-1-02',
    region: 'ap-northeast-1',
    type: 'network',
    metrics: {
      latency: { unit: 'ms', at: (h, ts) => 88 - 42 * h + 6 * jitter(ts) },
      cpu_usage: { unit: '%', at: (h, ts) => 27 + 2 * wave(h, 2) + 3 * jitter(ts, 1) },
    },
  },
  {
    hostname: 'web-us-west-2-11',
    region: 'us-west-2',
    type: 'application',
    metrics: {
      response_time: { unit: 'ms', at: (h, ts) => 150 - 35 * h + 18 * jitter(ts) },
      error_rate: { unit: '%', at: (h, ts) => 0.4 + 2.4 * h + 0.4 * jitter(ts, 1) },
    },
  },
];

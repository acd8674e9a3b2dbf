import WebSocket from 'ws';
import {
  AGENT_TOKEN,
  benchCore,
  ms,
  percentile,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';
import type { MonitoringCore } from '../electron/core/core.js';
import type { ForecastJob } from '../electron/core/forecast/forecast-runner.js';

/** Samples in every batch: the spiking series and its background. */
const BATCH = 100;

/** Something the core does while the spikes go in; resolves when it is done. */
type Background = (core: MonitoringCore) => Promise<string>;

/** Sample arrival → alert raised, as the core measures it, over alternating breach/recover batches. */
export function alertLatency(opts: BenchOptions): Promise<Section> {
  return measureAlertLatency(opts, null);
}

/**
 * The same while the core's forecast worker fits a scheduled-size run (10,000 series of 30 d
 * of hourly points, `fast` effort): the spikes go on until the run is over.
 */
export function alertLatencyWhileForecasting(opts: BenchOptions): Promise<Section> {
  const SERIES = opts.quick ? 500 : 10_000;
  return measureAlertLatency(opts, async (core) => {
    const jobs = syntheticForecastJobs(SERIES);
    const t0 = performance.now();
    await core.forecastRunner.forecastBatch(jobs);
    return `${SERIES.toLocaleString('en')} series forecast in ${ms(performance.now() - t0)} meanwhile`;
  });
}

/** 30 d of hourly disk usage per series: a trend, a daily wave and noise, seeded. */
function syntheticForecastJobs(n: number): ForecastJob[] {
  const HOURS = 30 * 24;
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, k) => {
    const timestamps = new Float64Array(HOURS);
    const values = new Float64Array(HOURS);
    const slope = rand() * 0.05;
    for (let i = 0; i < HOURS; i++) {
      timestamps[i] = end - (HOURS - i) * 3_600_000;
      values[i] = 30 + (k % 40) + slope * i + 2 * Math.sin((2 * Math.PI * i) / 24) + rand();
    }
    return { series: { timestamps, values }, options: { effort: 'fast' } };
  });
}

async function measureAlertLatency(
  { quick }: BenchOptions,
  background: Background | null,
): Promise<Section> {
  const SPIKES = quick ? 20 : 200;
  const { core, ingestUrl, done } = await benchCore();
  // Bench instrumentation: keep every observation of the core's own histogram, not just buckets.
  const latencies: number[] = [];
  const histogram = core.metrics.sampleToAlertSeconds;
  const observe = histogram.observe.bind(histogram);
  histogram.observe = ((v: number) => {
    latencies.push(v * 1000);
    observe(v);
  }) as typeof histogram.observe;

  const ws = new WebSocket(ingestUrl, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const acks: (() => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string };
    if (m.type === 'welcome' || m.type === 'ack') acks.shift()?.();
  });
  const roundTrip = (frame: object) =>
    new Promise<void>((resolve) => {
      acks.push(resolve);
      ws.send(JSON.stringify(frame));
    });
  await roundTrip({
    type: 'hello',
    protocol: 1,
    hostname: 'lat-1',
    region: 'us-east-1',
    agentType: 'system',
    version: 'bench',
  });
  // Background noise: other series in every batch, so the rule check runs inside a realistic batch.
  const filler = Array.from({ length: BATCH - 1 }, (_, k) => ({ name: `other_${k}`, value: k }));
  let ts = Date.now();
  let backgroundNote: string | null = null;
  const backgroundDone = background?.(core).then((note) => (backgroundNote = note));
  let spikes = 0;
  for (; spikes < SPIKES || (backgroundDone && backgroundNote === null); spikes++) {
    for (const cpu of [99, 10]) {
      ts += 1;
      await roundTrip({
        type: 'metrics',
        seq: ts,
        samples: [...filler, { name: 'cpu_usage', value: cpu }].map((s) => ({ ...s, ts })),
      });
    }
    await sleep(2);
  }
  ws.close();
  await done();
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return {
    title: background
      ? 'Sample arrival → alert raised, while a forecast run is in progress'
      : 'Sample arrival → alert raised',
    command: background
      ? 'npm run bench -- latency-forecasting'
      : 'npm run bench (section latency)',
    figures: [
      ...(backgroundNote ? [{ name: 'forecast run', value: backgroundNote }] : []),
      {
        name: `alerts raised (${spikes} spikes, each in a ${BATCH}-sample batch)`,
        value: String(latencies.length),
      },
      { name: 'p50', value: ms(p50) },
      { name: 'p99', value: ms(p99), target: '≤ 50 ms', met: p99 <= 50 },
      { name: 'max', value: ms(Math.max(...latencies)) },
    ],
  };
}

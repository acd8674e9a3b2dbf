import { Worker } from 'node:worker_threads';
import { AGENT_TOKEN, benchCore, type Section } from './harness.js';

const AGENTS = 50;
const BATCH = 100;
const DURATION_MS = 10_000;

/** 50 agents sending batches of 100 samples as fast as acks allow, state persistence on. */
export async function ingestThroughput(): Promise<Section> {
  const { core, ingestUrl, done } = await benchCore({ maxSeriesPerAgent: 1_000 });
  const before = process.cpuUsage();
  const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
    workerData: {
      url: ingestUrl,
      token: AGENT_TOKEN,
      agents: AGENTS,
      batchSize: BATCH,
      window: 4,
      durationMs: DURATION_MS,
    },
  });
  const result = await new Promise<{ sent: number; acked: number; elapsedMs: number }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  await worker.terminate();
  const cpu = process.cpuUsage(before);
  const received = (await core.metrics.samplesReceived.get()).values[0]?.value ?? 0;
  const writes = core.state.writes;
  const walBytes = core.store.walBytes;
  await done();
  const perSecond = (result.acked * BATCH) / (result.elapsedMs / 1000);
  return {
    title: 'Ingest throughput',
    command: 'npm run bench (section ingest)',
    figures: [
      {
        name: `samples/s acked (${AGENTS} agents × batches of ${BATCH}, ${DURATION_MS / 1000} s, state.json + WAL on, acks after fsync)`,
        value: Math.round(perSecond).toLocaleString('en-US'),
        target: '≥ 200,000 (issue 2); ≥ 150,000 with WAL (issue 4)',
        met: perSecond >= 200_000,
      },
      { name: 'WAL bytes per sample', value: (walBytes / received).toFixed(1) },
      { name: 'samples stored by the core (counter)', value: received.toLocaleString('en-US') },
      { name: 'state.json writes during the run', value: String(writes) },
      {
        name: 'process CPU (core + load generator threads)',
        value: `${((cpu.user + cpu.system) / 1e3 / result.elapsedMs).toFixed(2)} cores`,
      },
    ],
  };
}

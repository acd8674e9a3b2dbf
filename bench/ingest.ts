import { Worker } from 'node:worker_threads';
import {
  AGENT_TOKEN,
  CORE_DEFAULTS,
  benchCore,
  coreCount,
  count,
  type BenchOptions,
  type Section,
} from './harness.js';
import type { MonitoringCore } from '../electron/core/core.js';

/** The note under the ingest table, from the run's own figures. */
export function ingestNote(run: {
  agents: number;
  batch: number;
  window: number;
  flushMs: number;
  cores: number;
  machineCores: number;
}): string {
  const { agents, batch, window, flushMs, cores, machineCores } = run;
  const used =
    `the process (core and load generator together) used ${cores.toFixed(2)} of the ` +
    `machine's ${machineCores} cores during the run`;
  return (
    `Ingest: each load agent keeps ${window} batches in flight, and a batch is acked only after ` +
    `its WAL group commit (every ${flushMs} ms) is fsynced, so the figure is bounded by that ` +
    `pipeline depth (${agents} × ${window} × ${batch} = ${count(agents * window * batch)} ` +
    `samples per commit window). ` +
    (cores < machineCores - 0.5
      ? `The CPU was not the limit: ${used}.`
      : `CPU was a limit too: ${used}.`)
  );
}

const FULL = { agents: 50, batch: 100, window: 4, durationMs: 10_000 };
const QUICK = { agents: 5, batch: 100, window: 4, durationMs: 1_000 };

/** N agents sending batches of 100 samples as fast as acks allow, state persistence on. */
export async function ingestThroughput({ quick }: BenchOptions): Promise<Section> {
  const { agents, batch, window, durationMs } = quick ? QUICK : FULL;
  const { core, ingestUrl, done } = await benchCore({ maxSeriesPerAgent: 1_000 });
  const before = process.cpuUsage();
  const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
    workerData: {
      url: ingestUrl,
      token: AGENT_TOKEN,
      agents,
      batchSize: batch,
      window,
      durationMs,
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
  const perSecond = (result.acked * batch) / (result.elapsedMs / 1000);
  const cores = (cpu.user + cpu.system) / 1e3 / result.elapsedMs;
  return {
    title: 'Ingest throughput',
    command: 'npm run bench (section ingest)',
    figures: [
      {
        name: `samples/s acked (${agents} agents × batches of ${batch}, ${durationMs / 1000} s, state.json + WAL on, acks after fsync)`,
        value: count(perSecond),
        ...(quick
          ? {}
          : {
              target: '≥ 200,000 (issue 2); ≥ 150,000 with WAL (issue 4)',
              met: perSecond >= 200_000,
            }),
      },
      { name: 'WAL bytes per sample', value: (walBytes / received).toFixed(1) },
      { name: 'samples stored by the core (counter)', value: count(received) },
      { name: 'state.json writes during the run', value: String(writes) },
      {
        name: 'process CPU (core + load generator threads)',
        value: `${cores.toFixed(2)} cores`,
      },
    ],
    notes: [
      ingestNote({
        agents,
        batch,
        window,
        flushMs: CORE_DEFAULTS.walFlushMs,
        cores,
        machineCores: coreCount(),
      }),
    ],
  };
}

/** One load run against a fresh core; `setUp` may change the core before the load starts. */
async function loadRun(
  run: { agents: number; batch: number; window: number; durationMs: number },
  setUp: (core: MonitoringCore) => void,
): Promise<number> {
  const { core, ingestUrl, done } = await benchCore({ maxSeriesPerAgent: 1_000 });
  setUp(core);
  const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
    workerData: { url: ingestUrl, token: AGENT_TOKEN, batchSize: run.batch, ...run },
  });
  const result = await new Promise<{ acked: number; elapsedMs: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  await done();
  return (result.acked * run.batch) / (result.elapsedMs / 1000);
}

/**
 * Ingest with every sample scored by an anomaly rule, against the same load with no metric
 * watched: alternating runs (off, on, off, on, …) so a busy machine weighs on both alike.
 */
export async function ingestWithAnomalyScoring({ quick }: BenchOptions): Promise<Section> {
  const run = quick ? QUICK : FULL;
  const ROUNDS = quick ? 1 : 3;
  const names = Array.from({ length: run.batch }, (_, k) => `bench_metric_${k}`);
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await loadRun(run, (core) => core.foresight.setRules([])));
    on.push(
      await loadRun(run, (core) =>
        core.foresight.setRules([
          {
            id: 'bench_anomaly',
            kind: 'anomaly',
            enabled: true,
            description: 'bench',
            metrics: names,
            sensitivity: 'medium',
            severity: 'info',
          },
        ]),
      ),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = median(on) / median(off);
  return {
    title: 'Ingest throughput with anomaly scoring',
    command: 'npm run bench -- ingest-anomaly',
    figures: [
      {
        name: `samples/s acked, no metric watched (median of ${ROUNDS} × ${run.durationMs / 1000} s)`,
        value: count(median(off)),
      },
      {
        name: 'samples/s acked, every sample scored by an anomaly rule',
        value: count(median(on)),
      },
      {
        name: 'with scoring ÷ without',
        value: `${(ratio * 100).toFixed(1)} %`,
        ...(quick ? {} : { target: '≥ 90 %', met: ratio >= 0.9 }),
      },
    ],
    notes: [
      `Anomaly scoring: ${run.agents} agents × ${run.batch} series each, every sample scored (the ` +
        `anomaly section gives the detector's own cost in µs). Runs alternate with and without, ` +
        `${ROUNDS} of each; the medians are compared.`,
    ],
  };
}

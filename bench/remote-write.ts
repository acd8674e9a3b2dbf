// Remote-write receive: realistic WriteRequests (1,000 series × 100 samples, ten instances)
// posted over real HTTP to a `meridian serve` process, and the same bodies to a real Prometheus
// with its remote-write receiver on, each measured by its own process CPU (/proc/<pid>/stat),
// so the sender's cost (this process) is in neither figure.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, startProgram } from '../test/helpers/real-program.js';
import {
  ingestHttpUrl,
  remoteWriteHeaders,
  writeRequestBody,
} from '../test/helpers/remote-write.js';
import { spawnServe } from '../test/helpers/serve-process.js';
import { AGENT_TOKEN, count, type BenchOptions, type Figure, type Section } from './harness.js';

const SERIES = 1_000;
const PER_SERIES = 100;
const INSTANCES = 10;
const TARGET_US = 1.5;
/** Requests in flight at once (Prometheus sends from several shards). */
const CONCURRENCY = 2;
const SPACING_MS = 100;

export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12].reduce((sum, i) => sum + Number(f[i]), 0);
}

/**
 * Request k: every series' next PER_SERIES samples, SPACING_MS apart, continuing where k-1
 * ended, the last request ending about now (as a sender that keeps up writes).
 */
function bodies(requests: number, base: number): Buffer[] {
  // Split into CONCURRENCY lanes of disjoint series (item k × CONCURRENCY + lane), each lane
  // sent in order by one worker: concurrent requests holding the same series would arrive out
  // of order, as no real sender sends them.
  const perLane = SERIES / CONCURRENCY;
  return Array.from({ length: requests * CONCURRENCY }, (_, item) => {
    const k = Math.floor(item / CONCURRENCY);
    const lane = item % CONCURRENCY;
    return writeRequestBody(
      Array.from({ length: perLane }, (_, j) => lane * perLane + j).map((s) => ({
        // 50 metrics × 2 devices per instance: every series distinct.
        labels: {
          __name__: `rw_bench_${s % 50}`,
          instance: `bench-${Math.floor(s / (SERIES / INSTANCES))}:9100`,
          job: 'node',
          region: 'us-east-1',
          device: `d${Math.floor(s / 50) % 2}`,
        },
        samples: Array.from({ length: PER_SERIES }, (_, i) => ({
          value: Math.sin(s + k * PER_SERIES + i) * 100,
          ts: base + (k * PER_SERIES + i) * SPACING_MS,
        })),
      })),
    );
  });
}

interface Run {
  samples: number;
  seconds: number;
  cpuUs: number;
}

async function drive(
  url: string,
  pid: number,
  payload: Buffer[],
  token: string | null,
): Promise<Run> {
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const ticks0 = await cpuTicks(pid);
  const started = performance.now();
  const worker = async (lane: number) => {
    for (let i = lane; i < payload.length; i += CONCURRENCY) {
      const body = payload[i]!;
      const res = await fetch(url, { method: 'POST', headers: remoteWriteHeaders(token), body });
      const text = await res.text();
      if (res.status >= 300)
        throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, lane) => worker(lane)));
  const seconds = (performance.now() - started) / 1000;
  const ticks = (await cpuTicks(pid)) - ticks0;
  const samples = (payload.length / CONCURRENCY) * SERIES * PER_SERIES;
  return { samples, seconds, cpuUs: ((ticks / ticksPerSecond) * 1e6) / samples };
}

export async function remoteWriteReceive({ quick }: BenchOptions): Promise<Section> {
  const requests = quick ? 4 : 30;
  const warmup = quick ? 1 : 3;
  const base = Date.now() - (warmup + requests) * PER_SERIES * SPACING_MS - 5_000;
  const payload = bodies(warmup + requests, base);
  const bytes = payload.reduce((n, b) => n + b.length, 0) / (payload.length / CONCURRENCY);
  const figures: Figure[] = [];
  const notes: string[] = [];

  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-rw-'));
  await writeFile(join(dataDir, 'config.json'), JSON.stringify({ maxSeriesPerAgent: 10_000 }));
  const serve = await spawnServe(dataDir, { MERIDIAN_AGENT_TOKEN: AGENT_TOKEN });
  let ours: Run;
  try {
    const url = `${ingestHttpUrl(serve.ingestUrl)}/api/v1/write`;
    await drive(url, serve.child.pid!, payload.slice(0, warmup * CONCURRENCY), AGENT_TOKEN);
    ours = await drive(url, serve.child.pid!, payload.slice(warmup * CONCURRENCY), AGENT_TOKEN);
  } finally {
    await serve.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  figures.push(
    {
      name: 'remote-write receive throughput (204 after the WAL write)',
      value: `${count(ours.samples / ours.seconds)} samples/s`,
    },
    {
      name: 'console CPU per sample received',
      value: `${ours.cpuUs.toFixed(2)} µs`,
      target: `≤ ${TARGET_US} µs`,
      met: ours.cpuUs <= TARGET_US,
    },
  );

  const bin = findProgram('prometheus');
  if (!bin) notes.push('No `prometheus` binary here: the side-by-side figure was not measured.');
  else {
    const prom = await startProgram(
      bin,
      (dir, port) => [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
      ],
      (dir) => writeFile(join(dir, 'prometheus.yml'), 'scrape_configs: []\n'),
    );
    try {
      const url = `${prom.url}/api/v1/write`;
      await drive(url, prom.child.pid!, payload.slice(0, warmup * CONCURRENCY), null);
      const theirs = await drive(url, prom.child.pid!, payload.slice(warmup * CONCURRENCY), null);
      const version = execFileSync(bin, ['--version'])
        .toString()
        .split('\n')[0]!
        .replace(/^prometheus, /, '');
      figures.push(
        {
          name: `Prometheus ${version.split(' ')[1] ?? ''} receiver throughput, same bodies`,
          value: `${count(theirs.samples / theirs.seconds)} samples/s`,
        },
        { name: 'Prometheus CPU per sample received', value: `${theirs.cpuUs.toFixed(2)} µs` },
      );
    } finally {
      await prom.stop();
    }
  }
  notes.push(
    `${count(requests)} requests of ${count(SERIES)} series × ${PER_SERIES} samples (${INSTANCES} instances, ` +
      `${(bytes / 1024).toFixed(0)} KiB snappy each), ${CONCURRENCY} in flight, after ${warmup} warm-up requests. ` +
      'CPU is utime + stime of the receiving process from /proc/<pid>/stat over the run, ÷ samples; ' +
      'the console runs as `meridian serve` with its WAL on the local disk.',
  );
  return {
    title: 'Remote-write receive',
    command: 'npm run bench -- remote-write-receive',
    figures,
    notes,
  };
}

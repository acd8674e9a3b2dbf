// The alternative to a relay (docs/scale-out.md): a real Prometheus in agent mode scrapes a
// region's hosts and remote-writes to the central console. 1,000 scrape targets (one local
// HTTP server answering for each, by a URL parameter) expose the same 10 series with the same
// values as the relay bench's agents, scraped every second; Prometheus remote-writes through
// the counting TCP proxy that stands for the WAN to a console in this process. Figures: samples/s
// stored, WAN bytes per sample and per 1,000 hosts, and Prometheus' own CPU and memory, to set
// beside the relay's (`npm run bench -- relay`).
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findProgram, startProgram, type RealProgram } from '../test/helpers/real-program.js';
import { WanProxy } from '../test/helpers/wan-proxy.js';
import {
  AGENT_TOKEN,
  benchCore,
  counterValue,
  count,
  sleep,
  waitUntil,
  type BenchOptions,
  type Section,
} from './harness.js';
import { cpuTicks } from './remote-write.js';

const TICKS_PER_S = 100;
const SERIES_PER_TARGET = 10;
const REGION = 'eu-west-1';
const TITLE = 'Prometheus agent mode → console (the alternative to a relay)';
const COMMAND = 'npm run bench -- prometheus-agent';

/** One server answers for every target: `/metrics?target=N`, as the relay bench's agent N. */
async function startTargets(): Promise<{ server: Server; port: number }> {
  const scrapes = new Map<number, number>();
  const names = ['cpu_usage', 'memory_usage', 'disk_usage'];
  for (let k = names.length; k < SERIES_PER_TARGET; k++) names.push(`app_metric_${k}`);
  const server = createServer((req, res) => {
    const i = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('target'));
    const seq = scrapes.get(i) ?? 0;
    scrapes.set(i, seq + 1);
    let body = '';
    for (let k = 0; k < names.length; k++) {
      // The values bench/relay-fleet-worker.ts sends: a few significant digits, moving.
      const v = k < 3 ? 20 + ((i * 7 + seq + k) % 30) : (seq * 3 + k) % 1000;
      body += `# TYPE ${names[k]} gauge\n${names[k]} ${v}\n`;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * prometheus.yml (JSON is YAML): one static group per target, all on the same server, told
 * apart by `instance` and a URL parameter (`__param_target`), so each is a target of its own.
 */
function prometheusConfig(targets: number, targetPort: number, writeUrl: string): string {
  return JSON.stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', external_labels: { region: REGION } },
    scrape_configs: [
      {
        job_name: 'node',
        static_configs: Array.from({ length: targets }, (_, i) => ({
          targets: [`127.0.0.1:${targetPort}`],
          labels: { instance: `prom-host-${i}`, __param_target: String(i) },
        })),
      },
    ],
    // Prometheus' defaults for the queue: what an operator gets without tuning.
    remote_write: [{ url: writeUrl, authorization: { credentials: AGENT_TOKEN } }],
  });
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export async function prometheusAgentPath({ quick }: BenchOptions): Promise<Section> {
  const bin = findProgram('prometheus');
  if (!bin)
    return {
      title: TITLE,
      command: COMMAND,
      figures: [],
      notes: ['No `prometheus` binary here (Debian package `prometheus`): not measured.'],
    };
  const TARGETS = quick ? 100 : 1_000;
  const STEADY_MS = quick ? 10_000 : 60_000;
  const central = await benchCore({ remoteWriteReceiver: { regionLabel: 'region' } });
  const [host, port] = new URL(central.ingestUrl).host.split(':') as [string, string];
  const wan = new WanProxy(host, Number(port));
  const wanPort = await wan.start();
  const targets = await startTargets();
  let prom: RealProgram | null = null;
  try {
    prom = await startProgram(
      bin,
      (dir, p) => [
        '--enable-feature=agent',
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.agent.path=${join(dir, 'data-agent')}`,
        `--web.listen-address=127.0.0.1:${p}`,
      ],
      (dir) =>
        writeFile(
          join(dir, 'prometheus.yml'),
          prometheusConfig(TARGETS, targets.port, `http://127.0.0.1:${wanPort}/api/v1/write`),
        ),
    );
    await waitUntil(
      () => central.core.fleet.onlineCount() >= TARGETS,
      180_000,
      `${TARGETS} instances online at the console`,
      100,
    );
    // Past Prometheus' start-up backlog: measure the steady state.
    await sleep(quick ? 2_000 : 10_000);
    const received0 = await counterValue(central.core, 'meridian_samples_received_total');
    const bytes0 = wan.bytesUp;
    const cpu0 = await cpuTicks(prom.child.pid!);
    const t0 = performance.now();
    await sleep(STEADY_MS);
    const elapsedS = (performance.now() - t0) / 1000;
    const received =
      (await counterValue(central.core, 'meridian_samples_received_total')) - received0;
    const bytes = wan.bytesUp - bytes0;
    const promCpuS = ((await cpuTicks(prom.child.pid!)) - cpu0) / TICKS_PER_S;
    const rss = await rssMiB(prom.child.pid!);
    const online = central.core.fleet.onlineCount();
    const perSecond = received / elapsedS;
    return {
      title: TITLE,
      command: COMMAND,
      figures: [
        { name: 'scrape targets (hosts), online at the central console', value: count(online) },
        {
          name: 'samples/s remote-written (stored at the console)',
          value: `${count(perSecond)}/s`,
        },
        {
          name: 'WAN bytes per sample (Prometheus → console, TCP payload)',
          value: `${(bytes / Math.max(1, received)).toFixed(2)} B`,
        },
        {
          name: 'WAN bandwidth per 1,000 hosts (10 series scraped every second)',
          value: `${(((bytes / elapsedS) * (1_000 / TARGETS) * 8) / 1000).toFixed(0)} kbit/s`,
        },
        {
          name: 'Prometheus (agent mode) CPU',
          value: `${((promCpuS / elapsedS) * 100).toFixed(1)} % of one core`,
        },
        { name: 'Prometheus (agent mode) resident memory', value: `${rss.toFixed(0)} MiB` },
      ],
      notes: [
        `A real Prometheus (${promVersion(bin)}) with \`--enable-feature=agent\` and its default remote-write queue, scraping ${count(TARGETS)} targets every second (${SERIES_PER_TARGET} gauges each, the values of the relay bench's agents), remote-writing through a counting TCP proxy to a console in the bench process; figures over ${(STEADY_MS / 1000).toFixed(0)} s of steady state. Prometheus adds 5 series of its own per target and scrape (\`up\`, \`scrape_duration_seconds\`, …), which it sends and the console stores: they are in the samples counted. WAN bytes are HTTP requests (snappy protobuf bodies and headers), not TLS (the bench runs http://).`,
      ],
    };
  } finally {
    await prom?.stop();
    const closed = new Promise<void>((resolve) => targets.server.close(() => resolve()));
    targets.server.closeAllConnections();
    await closed;
    await wan.stop();
    await central.done();
  }
}

function promVersion(bin: string): string {
  const first = execFileSync(bin, ['--version']).toString().split('\n')[0] ?? '';
  return /version (\S+)/.exec(first)?.[1] ?? 'version unknown';
}

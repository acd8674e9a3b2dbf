import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../agent/simulator.js';
import { systemClock } from '../shared/clock.js';
import { spawnServe } from '../test/helpers/serve-process.js';
import {
  AGENT_TOKEN,
  SESSION_TOKEN,
  count,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';

const FULL = { agents: 1_000, warmupMs: 15_000, measureMs: 30_000 };
const QUICK = { agents: 50, warmupMs: 2_000, measureMs: 3_000 };
/** Synthetic series per batch on top of the headline ones: ~20 samples per agent a second. */
const EXTRA_SERIES = 16;

async function procStats(pid: number): Promise<{ rssBytes: number; cpuTicks: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return { rssBytes: rssKb * 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

/** `meridian serve` in its own process with 1,000 simulated agents at 1 heartbeat/s and ~20 samples/s each. */
export async function fleetLoad({ quick }: BenchOptions): Promise<Section> {
  const { agents: AGENTS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS } = quick ? QUICK : FULL;
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-fleet-'));
  const serve = await spawnServe(dataDir, {
    MERIDIAN_AGENT_TOKEN: AGENT_TOKEN,
    MERIDIAN_SESSION_TOKEN: SESSION_TOKEN,
  });
  const { child, ingestUrl, apiUrl } = serve;
  const received = async () => {
    const text = await (
      await fetch(`${apiUrl}/metrics`, { headers: { Authorization: `Bearer ${SESSION_TOKEN}` } })
    ).text();
    return Number(/^meridian_samples_received_total (\S+)/m.exec(text)?.[1] ?? 0);
  };

  // 3 headline + up to 2 type-specific + 16 synthetic series ≈ 20 samples per agent per second.
  const sim = new Simulator({
    url: ingestUrl,
    token: AGENT_TOKEN,
    agents: AGENTS,
    seed: 42,
    clock: systemClock,
    extraSeries: EXTRA_SERIES,
  });
  await sim.start(60_000);
  const connected = sim.connectedCount();
  await sleep(WARMUP_MS);
  const start = await procStats(child.pid!);
  const samplesStart = await received();
  let peakRss = start.rssBytes;
  for (let t = 0; t < MEASURE_MS; t += 1_000) {
    await sleep(1_000);
    peakRss = Math.max(peakRss, (await procStats(child.pid!)).rssBytes);
  }
  const end = await procStats(child.pid!);
  const samplesPerSecond = ((await received()) - samplesStart) / (MEASURE_MS / 1000);
  sim.stop();
  await serve.stop();
  await rm(dataDir, { recursive: true, force: true });
  const ticksPerSecond = 100; // Linux USER_HZ
  const cpuCores = (end.cpuTicks - start.cpuTicks) / ticksPerSecond / (MEASURE_MS / 1000);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  return {
    title: `${count(AGENTS)} connected agents (core in its own process)`,
    command: 'npm run bench (section fleet)',
    figures: [
      { name: 'agents connected', value: `${connected} / ${AGENTS}` },
      {
        name: 'samples/s stored while measured',
        value: count(samplesPerSecond),
      },
      {
        name: `core RSS, peak over ${MEASURE_MS / 1000} s`,
        value: mb(peakRss),
        // The target is for 1,000 agents.
        ...(quick ? {} : { target: '≤ 300 MB', met: peakRss <= 300 * 2 ** 20 }),
      },
      { name: 'core RSS at end', value: mb(end.rssBytes) },
      { name: 'core CPU', value: `${(cpuCores * 100).toFixed(0)} % of one core` },
    ],
  };
}

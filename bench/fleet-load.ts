import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../agent/simulator.js';
import { systemClock } from '../shared/clock.js';
import { spawnServe } from '../test/helpers/serve-process.js';
import { AGENT_TOKEN, SESSION_TOKEN, sleep, type Section } from './harness.js';

const AGENTS = 1_000;
const WARMUP_MS = 15_000;
const MEASURE_MS = 30_000;

async function procStats(pid: number): Promise<{ rssBytes: number; cpuTicks: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return { rssBytes: rssKb * 1024, cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

/** `meridian serve` in its own process with 1,000 simulated agents at 1 heartbeat/s and ~20 samples/s each. */
export async function fleetLoad(): Promise<Section> {
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
    extraSeries: 16,
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
    title: `${AGENTS.toLocaleString('en-US')} connected agents (core in its own process)`,
    command: 'npm run bench (section fleet)',
    figures: [
      { name: 'agents connected', value: `${connected} / ${AGENTS}` },
      {
        name: 'samples/s stored while measured',
        value: Math.round(samplesPerSecond).toLocaleString('en-US'),
      },
      {
        name: 'core RSS, peak over 30 s',
        value: mb(peakRss),
        target: '≤ 300 MB',
        met: peakRss <= 300 * 2 ** 20,
      },
      { name: 'core RSS at end', value: mb(end.rssBytes) },
      { name: 'core CPU', value: `${(cpuCores * 100).toFixed(0)} % of one core` },
    ],
  };
}

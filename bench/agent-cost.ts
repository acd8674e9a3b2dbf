// The reference agent's own cost at its default 1 s interval: the real `meridian agent`
// process reporting this host to a real `meridian serve`, read from /proc/<pid>.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_INTERVALS, type CollectorName } from '../agent/intervals.js';
import { packageRoot } from '../electron/core/version.js';
import type { Agent } from '../shared/model.js';
import { AGENT_TOKEN, SESSION_TOKEN, sleep, type BenchOptions, type Section } from './harness.js';
import { startServe } from './ui.js';

const HOST = 'agent-cost-1';

/** CPU ticks the process and its reaped children (df, the shell reads) have used. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14 … cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
}

/** VmRSS and VmHWM (peak), in MiB. */
async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** What the agent-cost figures measure, with this run's settings. */
export function agentCostNote(o: {
  node: string;
  intervals: Readonly<Record<CollectorName, number>>;
}): string {
  const s = (ms: number) => `${ms / 1000} s`;
  return (
    `Agent cost: the real \`meridian agent\` process (Node ${o.node}) with its default ` +
    `intervals (headline ${s(o.intervals.headline)}, network ${s(o.intervals.network)}, ` +
    `filesystems ${s(o.intervals.filesystems)}) reporting this host to \`meridian serve\`. CPU ` +
    `is utime + stime of the process and its reaped children from /proc/<pid>/stat over the ` +
    `window, ÷ wall time; RSS is VmRSS from /proc/<pid>/status, read once a second.`
  );
}

export async function agentCost({ quick }: BenchOptions): Promise<Section> {
  const WARMUP_S = quick ? 3 : 10;
  const SECONDS = quick ? 10 : 120;
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const serve = await startServe();
  const child = spawn(
    process.execPath,
    [
      join(packageRoot(), 'bin', 'meridian.js'),
      'agent',
      '--url',
      serve.ingestUrl,
      '--token',
      AGENT_TOKEN,
      '--hostname',
      HOST,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const pid = child.pid!;
  const deadline = performance.now() + 30_000;
  while (!/connected as/.test(out)) {
    if (child.exitCode !== null || performance.now() > deadline)
      throw new Error(`meridian agent did not connect: ${out}`);
    await sleep(50);
  }
  const agentRecord = async (): Promise<Agent | undefined> => {
    const res = await fetch(`${serve.apiUrl}/api/v1/agents`, {
      headers: { Authorization: `Bearer ${SESSION_TOKEN}` },
    });
    const body = (await res.json()) as { agents: Agent[] };
    return body.agents.find((a) => a.hostname === HOST);
  };
  await sleep(WARMUP_S * 1000);
  const ticks0 = await cpuTicks(pid);
  const samples0 = (await agentRecord())?.metricsCount ?? 0;
  const t0 = performance.now();
  const rss: number[] = [];
  while (performance.now() - t0 < SECONDS * 1000) {
    await sleep(1000);
    rss.push((await memory(pid)).rss);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const ticks1 = await cpuTicks(pid);
  const samples1 = (await agentRecord())?.metricsCount ?? 0;
  const { peak } = await memory(pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await serve.stop();

  const cpuPct = ((ticks1 - ticks0) / ticksPerSecond / elapsed) * 100;
  const rssEnd = rss[rss.length - 1] ?? NaN;
  const rssMax = Math.max(...rss);
  const perSecond = (samples1 - samples0) / elapsed;
  const mib = (v: number) => `${v.toFixed(1)} MiB`;
  return {
    title: 'The reference agent’s own cost at its default intervals',
    command: 'npm run bench -- agent-cost',
    figures: [
      {
        name: `CPU, % of one core (${Math.round(elapsed)} s after ${WARMUP_S} s warm-up)`,
        value: `${cpuPct.toFixed(2)} %`,
        target: '≤ 1 %',
        met: cpuPct <= 1,
      },
      {
        name: 'RSS, largest reading (one a second)',
        value: mib(rssMax),
        target: '≤ 60 MB',
        met: rssMax * 1.048576 <= 60,
      },
      { name: 'RSS at the end', value: mib(rssEnd) },
      { name: 'RSS peak since start (VmHWM)', value: mib(peak) },
      { name: 'samples stored at the console per second', value: perSecond.toFixed(1) },
    ],
    notes: [agentCostNote({ node: process.version, intervals: DEFAULT_INTERVALS })],
  };
}

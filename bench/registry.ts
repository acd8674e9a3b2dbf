import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { spawnServe } from '../test/helpers/serve-process.js';
import {
  AGENT_TOKEN,
  CORE_DEFAULTS,
  count,
  ms,
  percentile,
  sleep,
  SESSION_TOKEN,
  type BenchOptions,
  type Section,
} from './harness.js';

/** The issue's measurement: 35,000 hellos with distinct hostnames (`MERIDIAN_BENCH_HELLOS` to shrink). */
const FULL_HELLOS = 35_000;
const QUICK_HELLOS = 1_000;
const PARALLEL = 200;
/** The flood worker marks every 1,000 welcomes; rates are over windows of up to 5 marks. */
const MARK = 1_000;
const WINDOW_MARKS = 5;

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** A new agent: hello → welcome → one batch → its ack. Returns ms from hello to that ack. */
async function firstAck(url: string, hostname: string): Promise<number> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
  const t0 = performance.now();
  ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      hostname,
      region: 'eu-west-1',
      agentType: 'system',
      version: 'bench',
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string };
      if (m.type === 'welcome') {
        ws.send(
          JSON.stringify({
            type: 'metrics',
            seq: 1,
            samples: [{ name: 'cpu_usage', value: 1, ts: Date.now() }],
          }),
        );
      } else if (m.type === 'ack') resolve();
    });
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
  const took = performance.now() - t0;
  ws.terminate();
  return took;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

/**
 * 35,000 hellos from distinct hostnames against `meridian serve` in its own process (each
 * connects, says hello, takes its welcome and hangs up), with a legitimate new agent probing
 * hello → first ack every 250 ms meanwhile. maxAgents is raised above the flood so every
 * hello registers: the registry itself is what is measured.
 */
export async function registryFlood({ quick }: BenchOptions): Promise<Section> {
  const HELLOS = Number(process.env.MERIDIAN_BENCH_HELLOS ?? (quick ? QUICK_HELLOS : FULL_HELLOS));
  const dataDir = await mkdtemp(join(tmpdir(), 'meridian-bench-registry-'));
  await writeFile(join(dataDir, 'config.json'), JSON.stringify({ maxAgents: HELLOS + 1_000 }));
  const serve = await spawnServe(dataDir, {
    MERIDIAN_AGENT_TOKEN: AGENT_TOKEN,
    MERIDIAN_SESSION_TOKEN: SESSION_TOKEN,
  });
  const pid = serve.child.pid!;
  const api = (path: string) =>
    fetch(`${serve.apiUrl}${path}`, { headers: { Authorization: `Bearer ${SESSION_TOKEN}` } });
  const metric = async (name: string, label = '') => {
    const text = await (await api('/metrics')).text();
    const re = new RegExp(`^${name}${label ? `\\{${label}\\}` : ''} (\\S+)$`, 'm');
    return Number(re.exec(text)?.[1] ?? 0);
  };

  const quiet = await Promise.all(
    [0, 1, 2, 3, 4].map((i) => firstAck(serve.ingestUrl, `calm-${i}`)),
  );
  let peakRss = await rssBytes(pid);
  let flooding = true;
  const probes: number[] = [];
  const sampler = (async () => {
    for (let i = 0; flooding; i++) {
      peakRss = Math.max(peakRss, await rssBytes(pid));
      probes.push(await firstAck(serve.ingestUrl, `legit-${i}`));
      await sleep(250);
    }
  })();
  const worker = new Worker(new URL('./hello-flood-worker.js', import.meta.url), {
    workerData: { url: serve.ingestUrl, token: AGENT_TOKEN, count: HELLOS, parallel: PARALLEL },
  });
  const flood = await new Promise<{
    marks: number[];
    outcome: { welcome: number; refused: number; failed: number };
    elapsedMs: number;
  }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  flooding = false;
  await sampler;
  await worker.terminate();
  peakRss = Math.max(peakRss, await rssBytes(pid));

  const pageTimes: number[] = [];
  let pageBytes = 0;
  for (let i = 0; i < 20; i++) {
    const [t, text] = await timed(async () => (await api('/api/v1/agents?limit=100')).text());
    pageTimes.push(t);
    pageBytes = Buffer.byteLength(text);
  }
  const [bigPageMs] = await timed(async () => (await api('/api/v1/agents?limit=1000')).text());
  const [allPagesMs, total] = await timed(async () => {
    let n = 0;
    let cursor: string | null = null;
    do {
      const page = (await (
        await api(`/api/v1/agents?limit=1000&fields=id,status${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as { agents: unknown[]; nextCursor: string | null };
      n += page.agents.length;
      cursor = page.nextCursor;
    } while (cursor);
    return n;
  });
  const stateWrites = await metric('meridian_state_writes_total');
  const registryAppends = await metric('meridian_registry_writes_total', 'kind="append"');
  const registryCompactions = await metric('meridian_registry_writes_total', 'kind="compact"');
  const sizes = {
    registry: (await stat(join(dataDir, 'agents.ndjson'))).size,
    state: (await stat(join(dataDir, 'state.json'))).size,
  };
  await serve.stop();
  const [restartMs, restarted] = await timed(() =>
    spawnServe(dataDir, {
      MERIDIAN_AGENT_TOKEN: AGENT_TOKEN,
      MERIDIAN_SESSION_TOKEN: SESSION_TOKEN,
    }),
  );
  await restarted.stop();
  await rm(dataDir, { recursive: true, force: true });

  const rate = (from: number, to: number) =>
    (((to - from) * 1_000) / (flood.marks[to - 1]! - (from ? flood.marks[from - 1]! : 0))) * 1_000;
  const k = flood.marks.length;
  const w = Math.min(WINDOW_MARKS, k);
  const windowLabel = count(w * MARK);
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const perSec = (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`;
  return {
    title: `Agent registry under ${HELLOS.toLocaleString('en-US')} hellos with distinct hostnames (core in its own process)`,
    command: 'npm run bench (section registry)',
    figures: [
      {
        name: 'hellos welcomed / refused / failed',
        value: `${flood.outcome.welcome} / ${flood.outcome.refused} / ${flood.outcome.failed}`,
      },
      {
        name: `registrations/s, first ${windowLabel}`,
        value: perSec(rate(0, w)),
      },
      {
        name: `registrations/s, last ${windowLabel} (the issue: ~80/s)`,
        value: perSec(rate(k - w, k)),
      },
      { name: 'registrations/s, whole flood', value: perSec((HELLOS / flood.elapsedMs) * 1_000) },
      { name: 'core RSS, peak (the issue: 1.27 GB)', value: mb(peakRss) },
      {
        name: 'new legit agent: hello → first ack, quiet (p50 of 5)',
        value: ms(percentile(quiet, 50)),
      },
      {
        name: `new legit agent: hello → first ack during the flood (p50 / max of ${probes.length}; the issue: 900 ms)`,
        value: `${ms(percentile(probes, 50))} / ${ms(Math.max(...probes))}`,
      },
      {
        name: `GET /api/v1/agents?limit=100 after the flood (p50 / max of 20; ${(pageBytes / 1024).toFixed(0)} KB)`,
        value: `${ms(percentile(pageTimes, 50))} / ${ms(Math.max(...pageTimes))}`,
      },
      { name: 'GET /api/v1/agents?limit=1000', value: ms(bigPageMs) },
      {
        name: `every agent, paged 1,000 at a time with fields=id,status (${total.toLocaleString('en-US')} agents)`,
        value: ms(allPagesMs),
      },
      {
        name: 'agents.ndjson / state.json at the end (the issue: 195 MB state.json)',
        value: `${mb(sizes.registry)} / ${mb(sizes.state)}`,
      },
      {
        name: 'registry writes: appended groups / compactions; state.json writes',
        value: `${registryAppends} / ${registryCompactions}; ${stateWrites}`,
      },
      { name: 'restart with the full registry: spawn → banner', value: ms(restartMs) },
    ],
    notes: [
      `Registry: each flood connection says hello, takes its welcome and hangs up, so each also ` +
        `leaves an \`agent_offline\` alert. Registration no longer rewrites a file (one ` +
        `\`agents.ndjson\` line each); what still grows with the flood is the alert book in ` +
        `\`state.json\`, rewritten on the ${CORE_DEFAULTS.persistDebounceMs / 1000} s debounce ` +
        `(${stateWrites} writes in this run, ${mb(sizes.state)} at the end), which is what slows ` +
        `the last ${windowLabel} and the worst first-ack. Alerts move to their own log in later work.`,
    ],
  };
}

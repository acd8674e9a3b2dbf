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

const INTERVAL_MS = 1_000;
const FULL = { kills: 20, silent: 8, beats: 3 };
const QUICK = { kills: 3, silent: 2, beats: 1 };

async function connect(url: string, hostname: string): Promise<{ ws: WebSocket; agentId: string }> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  await new Promise((r) => ws.once('open', r));
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
  const welcome = await new Promise<{ agentId: string }>((r) =>
    ws.once('message', (d) => r(JSON.parse(String(d)))),
  );
  return { ws, agentId: welcome.agentId };
}

/** Socket killed → offline, and heartbeats stopped → offline, at a 1 s heartbeat interval. */
export async function liveness({ quick }: BenchOptions): Promise<Section> {
  const { kills, silent: quiet, beats } = quick ? QUICK : FULL;
  const { core, ingestUrl, done } = await benchCore({ heartbeatIntervalMs: INTERVAL_MS });
  const offlineAt = new Map<string, number>();
  core.events.on('agent.changed', ({ agent, previousStatus }) => {
    if (agent.status === 'offline' && previousStatus === 'online')
      offlineAt.set(agent.id, performance.now());
  });

  const killed: number[] = [];
  for (let i = 0; i < kills; i++) {
    const { ws, agentId } = await connect(ingestUrl, `kill-${i}`);
    const t0 = performance.now();
    ws.terminate();
    while (!offlineAt.has(agentId)) await sleep(1);
    killed.push(offlineAt.get(agentId)! - t0);
  }

  const silent = await Promise.all(
    Array.from({ length: quiet }, async (_, i) => {
      const { ws, agentId } = await connect(ingestUrl, `quiet-${i}`);
      await sleep(i * 130); // spread the stop moments across the watchdog's sweep period
      for (let b = 0; b < beats; b++) {
        ws.send('{"type":"heartbeat"}');
        await sleep(INTERVAL_MS);
      }
      ws.send('{"type":"heartbeat"}');
      const lastBeat = performance.now();
      while (!offlineAt.has(agentId)) await sleep(5);
      ws.terminate();
      return offlineAt.get(agentId)! - lastBeat;
    }),
  );
  await done();
  return {
    title: 'Agent liveness',
    command: 'npm run bench (section liveness)',
    figures: [
      { name: `socket killed → offline, p50 (${kills} runs)`, value: ms(percentile(killed, 50)) },
      {
        name: 'socket killed → offline, max',
        value: ms(Math.max(...killed)),
        target: '≤ 1 s',
        met: Math.max(...killed) <= 1_000,
      },
      {
        name: `heartbeats stopped → offline, min (${quiet} agents, ${INTERVAL_MS / 1000} s interval)`,
        value: ms(Math.min(...silent)),
      },
      {
        name: 'heartbeats stopped → offline, max',
        value: ms(Math.max(...silent)),
        target: '≤ 3.5 s',
        met: Math.max(...silent) <= 3_500,
      },
    ],
  };
}

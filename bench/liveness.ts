import WebSocket from 'ws';
import { AGENT_TOKEN, benchCore, ms, percentile, sleep, type Section } from './harness.js';

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
export async function liveness(): Promise<Section> {
  const { core, ingestUrl, done } = await benchCore({ heartbeatIntervalMs: 1_000 });
  const offlineAt = new Map<string, number>();
  core.events.on('agent.changed', ({ agent, previousStatus }) => {
    if (agent.status === 'offline' && previousStatus === 'online')
      offlineAt.set(agent.id, performance.now());
  });

  const killed: number[] = [];
  for (let i = 0; i < 20; i++) {
    const { ws, agentId } = await connect(ingestUrl, `kill-${i}`);
    const t0 = performance.now();
    ws.terminate();
    while (!offlineAt.has(agentId)) await sleep(1);
    killed.push(offlineAt.get(agentId)! - t0);
  }

  const silent = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const { ws, agentId } = await connect(ingestUrl, `quiet-${i}`);
      await sleep(i * 130); // spread the stop moments across the watchdog's sweep period
      for (let b = 0; b < 3; b++) {
        ws.send('{"type":"heartbeat"}');
        await sleep(1_000);
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
      { name: 'socket killed → offline, p50 (20 runs)', value: ms(percentile(killed, 50)) },
      {
        name: 'socket killed → offline, max',
        value: ms(Math.max(...killed)),
        target: '≤ 1 s',
        met: Math.max(...killed) <= 1_000,
      },
      {
        name: 'heartbeats stopped → offline, min (8 agents, 1 s interval)',
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

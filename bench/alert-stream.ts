// Sample arrival → alert frame on /api/v1/stream: the compiled `meridian serve` in its own
// process, a raw WebSocket agent and a stream viewer in this one, simulated agents in the
// background so the stream's batch window is always busy with agent updates.
import WebSocket from 'ws';
import type { StreamChanges } from '../shared/api.js';
import { STREAM_BATCH_MS } from '../shared/api-constants.js';
import type { Alert } from '../shared/model.js';
import {
  AGENT_TOKEN,
  SESSION_TOKEN,
  count,
  ms,
  percentile,
  sleep,
  type BenchOptions,
  type Section,
} from './harness.js';
import { spawnSimulate } from './simulate-process.js';
import { startServe } from './ui.js';

const HOST = 'stream-bench-1';

/** A stream viewer that resolves waits for the first alert frame matching a predicate. */
function viewer(url: string) {
  const ws = new WebSocket(url);
  let waiting: {
    match: (a: Alert) => boolean;
    resolve: (hit: { alert: Alert; serverTime: number }) => void;
  } | null = null;
  ws.on('message', (data) => {
    if (!waiting) return;
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type !== 'changes') return;
    const frame = msg as StreamChanges;
    const alert = frame.alerts.find(waiting.match);
    if (alert) {
      const w = waiting;
      waiting = null;
      w.resolve({ alert, serverTime: frame.serverTime });
    }
  });
  return {
    ready: new Promise<void>((resolve) => ws.once('open', () => resolve())),
    next: (match: (a: Alert) => boolean, timeoutMs = 10_000) =>
      new Promise<{ alert: Alert; serverTime: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no alert frame within 10 s')), timeoutMs);
        waiting = {
          match,
          resolve: (hit) => {
            clearTimeout(timer);
            resolve(hit);
          },
        };
      }),
    close: () => ws.close(),
  };
}

/** What the alert-stream figures measure, with this run's numbers. */
export function alertStreamNote(o: { background: number; windowMs: number }): string {
  return (
    `Alert stream: from the bench sending a crossing sample on a raw WebSocket to the ` +
    `\`changes\` frame carrying the alert reaching a stream viewer in the same process ` +
    `(two loopback hops, \`meridian serve\` in its own process), while ${count(o.background)} ` +
    `agents of \`meridian simulate\` (a third process) report every second and keep the ${o.windowMs} ms batch window ` +
    `busy. Each sample is sent at a random point of that window.`
  );
}

export async function alertStream({ quick }: BenchOptions): Promise<Section> {
  const SPIKES = quick ? 20 : 300;
  const BACKGROUND = quick ? 50 : 500;
  const serve = await startServe();
  const sim = await spawnSimulate(serve.ingestUrl, BACKGROUND, 5);
  const view = viewer(`${serve.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`);
  await view.ready;
  const agent = new WebSocket(serve.ingestUrl, {
    headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
  });
  await new Promise((r) => agent.once('open', r));
  const welcome = new Promise<string>((resolve) =>
    agent.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; agentId?: string };
      if (m.type === 'welcome') resolve(m.agentId!);
    }),
  );
  agent.send(
    JSON.stringify({
      type: 'hello',
      protocol: 1,
      hostname: HOST,
      region: 'us-east-1',
      agentType: 'system',
      version: 'bench',
    }),
  );
  const agentId = await welcome;
  const beat = setInterval(() => agent.send('{"type":"heartbeat"}'), 500);
  let seq = 0;
  let ts = Date.now();
  const send = (cpu: number) =>
    agent.send(
      JSON.stringify({
        type: 'metrics',
        seq: ++seq,
        samples: [{ name: 'cpu_usage', value: cpu, ts: ++ts }],
      }),
    );
  const mine = (a: Alert) => a.subject.agentId === agentId && a.ruleId === 'cpu_usage';
  const raised: number[] = [];
  const resolved: number[] = [];
  const inCore: number[] = [];
  for (let i = 0; i < SPIKES; i++) {
    // Land at a random point of the batch window, as a real crossing does.
    await sleep(Math.random() * STREAM_BATCH_MS);
    let t0 = performance.now();
    const up = view.next((a) => mine(a) && a.state === 'firing');
    send(99);
    const { alert, serverTime } = await up;
    raised.push(performance.now() - t0);
    // The core's own share: the sample's arrival → the frame built (epoch ms, 1 ms steps).
    if (alert.sampleArrivedAt !== null) inCore.push(serverTime - alert.sampleArrivedAt);
    await sleep(Math.random() * STREAM_BATCH_MS);
    t0 = performance.now();
    const down = view.next((a) => a.id === alert.id && a.state === 'resolved');
    send(5);
    await down;
    resolved.push(performance.now() - t0);
  }
  clearInterval(beat);
  agent.close();
  view.close();
  await sim.stop();
  await serve.stop();
  const p99 = percentile(raised, 99);
  return {
    title: 'Sample arrival → alert frame on the stream',
    command: 'npm run bench -- alert-stream',
    figures: [
      { name: `alert raised → frame: p50 of ${SPIKES}`, value: ms(percentile(raised, 50)) },
      { name: 'alert raised → frame: p99', value: ms(p99), target: '≤ 20 ms', met: p99 <= 20 },
      { name: 'alert raised → frame: max', value: ms(Math.max(...raised)) },
      {
        name: 'of which in the core (arrival → frame built, 1 ms steps): p50 / p99',
        value: `${percentile(inCore, 50)} ms / ${percentile(inCore, 99)} ms`,
      },
      { name: 'alert resolved → frame: p50', value: ms(percentile(resolved, 50)) },
      { name: 'alert resolved → frame: p99', value: ms(percentile(resolved, 99)) },
    ],
    notes: [alertStreamNote({ background: BACKGROUND, windowMs: STREAM_BATCH_MS })],
  };
}

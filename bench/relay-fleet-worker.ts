// The relay bench's agents, in their own thread: N agents on one relay, each with a heartbeat
// every second and a batch of `samples` every `everyMs` (a real agent's cadence), started over
// the first second. The thread answers { ready } once all are welcomed, then { sent, acked }
// when told to stop.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

interface FleetJob {
  url: string;
  token: string;
  agents: number;
  samples: number;
  everyMs: number;
  region: string;
}

const job = workerData as FleetJob;
let sent = 0;
let acked = 0;
let welcomed = 0;
let stopping = false;
const sockets: WebSocket[] = [];
const timers: NodeJS.Timeout[] = [];

function startAgent(i: number): void {
  const ws = new WebSocket(job.url, {
    headers: { Authorization: `Bearer ${job.token}` },
    perMessageDeflate: false,
  });
  sockets.push(ws);
  let seq = 0;
  const names = ['cpu_usage', 'memory_usage', 'disk_usage'];
  for (let k = names.length; k < job.samples; k++) names.push(`app_metric_${k}`);
  ws.on('open', () =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 2,
        hostname: `relay-bench-${i}`,
        region: job.region,
        agentType: 'system',
        version: 'bench',
      }),
    ),
  );
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string };
    if (msg.type === 'ack') acked++;
    if (msg.type !== 'welcome') return;
    if (++welcomed === job.agents) parentPort!.postMessage({ ready: true });
    timers.push(setInterval(() => ws.send('{"type":"heartbeat"}'), 1_000));
    const batch = () => {
      if (stopping) return;
      const ts = Date.now();
      let samples = '';
      for (let k = 0; k < names.length; k++) {
        // Values that move like a host's: a few significant digits, not white noise.
        const v = k < 3 ? 20 + ((i * 7 + seq + k) % 30) : (seq * 3 + k) % 1000;
        samples += `${k ? ',' : ''}{"name":"${names[k]}","value":${v},"ts":${ts}}`;
      }
      ws.send(`{"type":"metrics","seq":${++seq},"samples":[${samples}]}`);
      sent += names.length;
    };
    timers.push(setInterval(batch, job.everyMs));
  });
  ws.on('error', () => {});
}

for (let i = 0; i < job.agents; i++) setTimeout(() => startAgent(i), (i * 1_000) / job.agents);

parentPort!.on('message', (m: { stop?: boolean; reset?: boolean; report?: boolean }) => {
  if (m.reset) {
    sent = 0;
    acked = 0;
    return;
  }
  if (m.report) {
    parentPort!.postMessage({ report: true, sent, acked });
    return;
  }
  stopping = true;
  for (const t of timers) clearInterval(t);
  parentPort!.postMessage({ sent, acked });
  for (const ws of sockets) ws.close();
  setTimeout(() => process.exit(0), 200);
});

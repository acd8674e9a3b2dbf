// Load generator for the ingest bench, in its own thread so it does not share the core's.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

interface LoadJob {
  url: string;
  token: string;
  agents: number;
  batchSize: number;
  /** Batches in flight per agent before waiting for acks. */
  window: number;
  durationMs: number;
}

const job = workerData as LoadJob;
let acked = 0;
let sent = 0;

async function runAgent(i: number, deadline: number): Promise<void> {
  const ws = new WebSocket(job.url, {
    headers: { Authorization: `Bearer ${job.token}` },
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let seq = 0;
  let ts = Date.now();
  let inFlight = 0;
  const names = Array.from({ length: job.batchSize }, (_, k) => `bench_metric_${k}`);
  const send = () => {
    while (inFlight < job.window && Date.now() < deadline) {
      ts += 1;
      let samples = '';
      for (let k = 0; k < names.length; k++) {
        samples += `${k ? ',' : ''}{"name":"${names[k]}","value":${(k * 7 + seq) % 50},"ts":${ts}}`;
      }
      ws.send(`{"type":"metrics","seq":${++seq},"samples":[${samples}]}`);
      inFlight++;
      sent++;
    }
  };
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string };
      if (msg.type === 'welcome') return send();
      if (msg.type !== 'ack') return;
      inFlight--;
      acked++;
      if (Date.now() < deadline) send();
      else if (inFlight === 0) resolve();
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        hostname: `bench-${i}`,
        region: 'us-east-1',
        agentType: 'system',
        version: 'bench',
      }),
    );
  });
  ws.close();
}

const start = Date.now();
const deadline = start + job.durationMs;
await Promise.all(Array.from({ length: job.agents }, (_, i) => runAgent(i, deadline)));
parentPort!.postMessage({ sent, acked, elapsedMs: Date.now() - start });

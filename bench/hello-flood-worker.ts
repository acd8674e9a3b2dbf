// Hello flood for the registry bench, in its own thread: `count` connections with distinct
// hostnames, `parallel` at a time; each says hello, waits for its welcome (or a refusal),
// and hangs up. Reports when every 1,000th registration completed.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

interface FloodJob {
  url: string;
  token: string;
  count: number;
  parallel: number;
}

const job = workerData as FloodJob;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1'];
const TYPES = ['system', 'application', 'database', 'network'];

function helloOnce(i: number): Promise<'welcome' | 'refused' | 'failed'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(job.url, {
      headers: { Authorization: `Bearer ${job.token}` },
      perMessageDeflate: false,
    });
    const done = (r: 'welcome' | 'refused' | 'failed') => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(r);
    };
    ws.once('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          hostname: `flood-${i}`,
          region: REGIONS[i % 4],
          agentType: TYPES[(i >> 2) % 4],
          version: 'flood',
        }),
      ),
    );
    ws.once('message', () => done('welcome'));
    ws.once('close', () => done('refused'));
    ws.once('error', () => done('failed'));
  });
}

const marks: number[] = [];
const outcome = { welcome: 0, refused: 0, failed: 0 };
let next = 0;
const started = performance.now();
async function lane(): Promise<void> {
  while (next < job.count) {
    const i = next++;
    outcome[await helloOnce(i)]++;
    const finished = outcome.welcome + outcome.refused + outcome.failed;
    if (finished % 1_000 === 0) marks.push(performance.now() - started);
  }
}
await Promise.all(Array.from({ length: job.parallel }, () => lane()));
parentPort!.postMessage({ marks, outcome, elapsedMs: performance.now() - started });

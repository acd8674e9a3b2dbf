// Issue 7, item 5, with a real descriptor limit: the compiled `meridian serve` under
// `ulimit -n 256`, its ingest port flooded with more connections than it may open at all.
import { rm } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import { connectAgent, metricsFrame, tempDir, waitFor } from '../helpers/core.js';
import { slowloris, type Flood } from '../helpers/flood.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const SESSION = 'fd-session';
const AGENT = 'fd-agent';
const FD_LIMIT = 256;

let serve: ServeProcess | null = null;
let flood: Flood | null = null;
let dataDir = '';
afterEach(async () => {
  await flood?.stop({ destroy: true });
  await serve?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  flood = serve = null;
});

it(`under ulimit -n ${FD_LIMIT}, an ingest flood past the limit leaves /healthz, the API and agents working`, async () => {
  dataDir = await tempDir();
  serve = await spawnServe(
    dataDir,
    { MERIDIAN_SESSION_TOKEN: SESSION, MERIDIAN_AGENT_TOKEN: AGENT },
    15_000,
    { openFiles: FD_LIMIT },
  );
  const api = serve.apiUrl;
  const get = (path: string) =>
    fetch(`${api}${path}`, { headers: { Authorization: `Bearer ${SESSION}` } });
  const metrics = async () => {
    const text = await (await get('/metrics')).text();
    return (name: string, labels: Record<string, string> = {}) => {
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (want.every((w) => line.includes(w)))
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    };
  };
  const before = await metrics();
  expect(before('meridian_process_process_max_fds')).toBe(FD_LIMIT);
  const caps =
    before('meridian_connection_limit', { kind: 'unauthenticated' }) +
    before('meridian_connection_limit', { kind: 'agent_connections' }) +
    before('meridian_connection_limit', { port: 'api' });
  expect(caps).toBeLessThan(FD_LIMIT); // the rest is the reserve for files, WAL and runtime

  const ingestPort = Number(new URL(serve.ingestUrl).port);
  const sources = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
  flood = slowloris({ port: ingestPort, sources, concurrency: 2 * FD_LIMIT, maxMs: 90_000 });
  await waitFor(() => flood!.connected >= 2 * FD_LIMIT, 20_000, 'flood past the fd limit');

  // While it lasts: /healthz and the API answer, and the figures show what is going on.
  const timeout = () => AbortSignal.timeout(5_000);
  expect((await fetch(`${api}/healthz`, { signal: timeout() })).status).toBe(200);
  expect(
    (
      await fetch(`${api}/api/v1/agents`, {
        headers: { Authorization: `Bearer ${SESSION}` },
        signal: timeout(),
      })
    ).status,
  ).toBe(200);
  await waitFor(
    async () =>
      (await metrics())('meridian_connections_refused_total', { port: 'ingest' }) > FD_LIMIT,
    20_000,
    'refusals',
  );
  const during = await metrics();
  expect(
    during('meridian_connections_open', { port: 'ingest', state: 'handshake' }),
  ).toBeLessThanOrEqual(during('meridian_connection_limit', { kind: 'unauthenticated' }));
  expect(during('meridian_process_process_open_fds')).toBeLessThan(FD_LIMIT);
  expect(during('meridian_connections_refused_total', { reason: 'fd_exhausted' })).toBe(0);

  await flood.stop({ destroy: true });
  flood = null;
  // Once it stops, an agent connects and its batch is acked.
  const agent = await connectAgent(serve.ingestUrl, { hostname: 'after-flood' }, AGENT);
  const frame = metricsFrame([{ name: 'cpu_usage', value: 7 }]);
  agent.send(frame);
  expect(await agent.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
  await agent.close();
  expect(serve.child.exitCode).toBeNull();
}, 90_000);

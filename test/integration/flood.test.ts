// Issue 7, item 5: slow, unauthenticated connections must not take the console's ports down.
// Floods come from 127.0.0.2+ (all loopback), so per-source caps can be told apart from the
// legitimate agent on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, type Socket } from 'node:net';
import type { NetLimitSettings } from '../../electron/core/net/limits.js';
import {
  WAIT_MS,
  connectAgent,
  metricsFrame,
  SESSION_TOKEN,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { slowloris, type Flood } from '../helpers/flood.js';

const LIMITS: NetLimitSettings = {
  ingestMaxUnauthenticated: 30,
  ingestMaxUnauthenticatedPerSource: 10,
  ingestMaxAgentConnections: 20,
  ingestHandshakeTimeoutMs: 2_000,
  apiMaxConnections: 16,
  apiHeaderTimeoutMs: 2_000,
};

describe('connection floods', () => {
  let t: TestCore | null = null;
  let flood: Flood | null = null;
  const held: Socket[] = [];
  afterEach(async () => {
    await flood?.stop({ destroy: true });
    flood = null;
    for (const s of held.splice(0)) s.destroy();
    await t?.stop();
    t = null;
  });

  const refused = (port: string, reason: string) =>
    t!.metric('meridian_connections_refused_total', { port, reason });
  const open = (port: string, state: string) =>
    t!.metric('meridian_connections_open', { port, state });

  /** The console still does its work: health, an API read, a new agent's batch acked. */
  async function consoleServes(hostname: string): Promise<void> {
    const health = await fetch(`${t!.addr.apiUrl}/healthz`);
    expect(health.status).toBe(200);
    const agents = await t!.api<{ agents: unknown[] }>('/api/v1/agents');
    expect(agents.status).toBe(200);
    const agent = await connectAgent(t!.addr.ingestUrl, { hostname });
    const frame = metricsFrame([{ name: 'cpu_usage', value: 10 }]);
    agent.send(frame);
    expect(await agent.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
    await agent.close();
  }

  it('one source trickling headers holds at most its per-source cap, each for the handshake timeout', async () => {
    t = await startTestCore({ limits: LIMITS });
    flood = slowloris({ port: t.addr.ingestPort, sources: ['127.0.0.2'], concurrency: 200 });
    await waitFor(async () => (await refused('ingest', 'source_limit')) >= 200, 15_000, 'refusals');
    // While it lasts: the API, /healthz and a legitimate agent (127.0.0.1) all work.
    await consoleServes('during-flood');
    expect(await open('ingest', 'handshake')).toBeLessThanOrEqual(10);
    // The held connections are cut by the handshake deadline, not by Node's 60 s timeout.
    await waitFor(
      async () => (await refused('ingest', 'handshake_timeout')) >= 10,
      15_000,
      'handshake timeouts',
    );
    // Stop replacing connections and let the console close every one left.
    await flood.stop({ destroy: false });
    expect(flood.closedByConsole).toBe(flood.connected);
    // Every flood connection was refused or cut once, and counted once.
    const total =
      (await refused('ingest', 'source_limit')) + (await refused('ingest', 'handshake_timeout'));
    expect(total).toBe(flood.connected);
    await waitFor(async () => (await open('ingest', 'handshake')) === 0, WAIT_MS, 'no handshakes');
  });

  it('several sources filling the handshake cap cannot lock out a new source', async () => {
    t = await startTestCore({ limits: LIMITS });
    const sources = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
    flood = slowloris({ port: t.addr.ingestPort, sources, concurrency: 200 });
    // Spread evenly, the flood meets the total cap: nobody holds more than a newcomer would.
    await waitFor(
      async () => (await refused('ingest', 'handshake_limit')) >= 20,
      15_000,
      'total cap reached',
    );
    expect(await open('ingest', 'handshake')).toBeLessThanOrEqual(30);
    // A new source takes the oldest slot of the largest holder, so the agent still gets in.
    await consoleServes('newcomer');
    expect(await refused('ingest', 'handshake_evicted')).toBeGreaterThanOrEqual(1);
  });

  it('caps established agent connections with 503 and Retry-After', async () => {
    t = await startTestCore({ limits: { ...LIMITS, ingestMaxAgentConnections: 2 } });
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'a' });
    await connectAgent(t.addr.ingestUrl, { hostname: 'b' });
    const res = await refusedUpgrade(t.addr.ingestUrl);
    expect(res.status).toBe(503);
    expect(res.retryAfter).toBe('5');
    expect(JSON.parse(res.body).error.code).toBe('agent_connection_limit');
    expect(await refused('ingest', 'agent_connection_limit')).toBe(1);
    expect(await open('ingest', 'established')).toBe(2);
    await a.close();
    await waitFor(async () => (await open('ingest', 'established')) === 1, WAIT_MS, 'slot freed');
    await connectAgent(t.addr.ingestUrl, { hostname: 'c' });
  });

  it('caps API connections and cuts idle ones, while the stream keeps working', async () => {
    // A header deadline long enough that filling the port never races it on a busy machine.
    t = await startTestCore({ limits: { ...LIMITS, apiHeaderTimeoutMs: 5_000 } });
    // Figures read in-process here: a scrape over HTTP would need a slot of the full port.
    const local = (name: string, labels: Record<string, string>) =>
      metricInProcess(t!, name, labels);
    const port = t.addr.apiPort;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`, {
      headers: { Authorization: `Bearer ${SESSION_TOKEN}` },
    });
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(String(d)));
    await new Promise((r) => ws.once('open', r));
    // Fill the port with connections that never send a request (the stream holds one slot).
    for (let i = 0; i < 15; i++) held.push(await tcp(port));
    await waitFor(
      async () =>
        (await local('meridian_connections_open', { port: 'api', state: 'handshake' })) === 15,
      WAIT_MS,
      'slots taken',
    );
    const extra = await tcp(port);
    held.push(extra);
    let extraClosed = false;
    extra.once('close', () => (extraClosed = true));
    await waitFor(() => extraClosed, WAIT_MS, 'the connection over the cap refused');
    expect(
      await local('meridian_connections_refused_total', {
        port: 'api',
        reason: 'connection_limit',
      }),
    ).toBe(1);
    // The idle ones are cut by the header deadline; the stream, older than them, stays open.
    await waitFor(
      async () =>
        (await local('meridian_connections_refused_total', {
          port: 'api',
          reason: 'handshake_timeout',
        })) === 15,
      15_000,
      'idle connections cut',
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const before = messages.length;
    await waitFor(() => messages.length > before, WAIT_MS, 'stream still sending');
    expect((await fetch(`${t.addr.apiUrl}/healthz`)).status).toBe(200);
    ws.close();
  });
});

async function metricInProcess(
  t: TestCore,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const all = await t.core.metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return match?.value ?? 0;
}

function tcp(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    s.on('error', () => {});
    s.resume(); // read (and drop) whatever comes, so a refusal's close is seen
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function refusedUpgrade(
  url: string,
): Promise<{ status: number; body: string; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: 'Bearer test-agent-token' } });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          retryAfter: res.headers['retry-after'] as string | undefined,
        }),
      );
    });
    ws.on('error', () => {});
  });
}

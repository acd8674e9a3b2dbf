// A real `meridian relay` whose queue holds more bytes than one relay batch may carry: events
// with long messages and attributes, queued while the console was away. Batches are bounded
// by samples or events, and a bulky backlog of few units must still be cut into frames the
// console takes (MAX_RELAY_FRAME_BYTES compressed, MAX_RELAY_BATCH_BYTES inflated); a batch
// over those is refused, and resent, for ever: the region's data would stop there.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventsPage } from '../../shared/events-api.js';
import { MAX_FRAME_BYTES } from '../../shared/protocol.js';
import { MAX_RELAY_FRAME_BYTES } from '../../shared/relay-protocol.js';
import { AGENT_TOKEN, startTestCore, tempDir, waitFor, type TestCore } from '../helpers/core.js';
import { spawnRelay, type RelayProcess } from '../helpers/relay.js';

const RELAY_AGENT_TOKEN = 'relay-agents-secret';
const LONG = 120_000;
const cleanup: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
}, LONG);

/** A port nothing listens on yet: the console starts there later. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An events message just under an agent frame: 7 events of 4 KiB text and 32 KiB of attributes. */
function bulkyEvents(seq: number, base: number) {
  const events = Array.from({ length: 7 }, (_, i) => ({
    ts: base + seq * 10 + i,
    category: 'log',
    severity: 'info',
    source: 'bulk',
    message: randomBytes(3000).toString('base64').slice(0, 4000),
    attributes: Object.fromEntries(
      Array.from({ length: 32 }, (_, k) => [`a${k}`, randomBytes(750).toString('base64')]),
    ),
  }));
  return { type: 'events', seq, events };
}

it('cuts a bulky backlog into batches the console takes: every queued event arrives', async () => {
  const port = await freePort();
  const stateDir = await tempDir();
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
  const relay: RelayProcess = await spawnRelay({
    upstream: `ws://127.0.0.1:${port}`,
    token: AGENT_TOKEN,
    region: 'us-east-1',
    name: 'relay-bulky',
    stateDir,
    agentToken: RELAY_AGENT_TOKEN,
  });
  cleanup.push(() => relay.stop());

  // The console is not there yet: the relay queues the agent's events.
  const ws = new WebSocket(relay.ingestUrl, {
    headers: { Authorization: `Bearer ${RELAY_AGENT_TOKEN}` },
  });
  const acked = new Set<number>();
  let agentId = '';
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; seq?: number; agentId?: string };
    if (m.type === 'welcome') agentId = m.agentId!;
    if (m.type === 'ack') acked.add(m.seq!);
  });
  cleanup.push(async () => ws.close());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: 2,
      hostname: 'bulky-1',
      region: 'us-east-1',
      agentType: 'system',
      version: 'test',
    }),
  );
  await waitFor(() => agentId !== '', LONG, 'welcome from the relay');
  const MESSAGES = 30;
  const base = Date.now() - 600_000;
  let queuedBytes = 0;
  for (let seq = 1; seq <= MESSAGES; seq++) {
    const frame = JSON.stringify(bulkyEvents(seq, base));
    expect(Buffer.byteLength(frame)).toBeLessThan(MAX_FRAME_BYTES);
    queuedBytes += Buffer.byteLength(frame);
    ws.send(frame);
  }
  await waitFor(() => acked.size === MESSAGES, LONG, 'every events message queued at the relay');
  // Far fewer than 5,000 events, yet more bytes than a relay frame may carry.
  expect(queuedBytes).toBeGreaterThan(MAX_RELAY_FRAME_BYTES);

  const central: TestCore = await startTestCore({ ingestPort: port });
  cleanup.push(() => central.stop());
  const count = async () => {
    const qs = new URLSearchParams({ agent: agentId, limit: '1000' });
    const { body } = await central.api<EventsPage>(`/api/v1/events?${qs}`);
    return body.events?.length ?? 0;
  };
  await waitFor(async () => (await count()) === MESSAGES * 7, LONG, 'every event at the console');
  expect(
    await central.metric('meridian_relay_frames_rejected_total', { reason: 'bad_compression' }),
  ).toBe(0);
  expect(
    await central.metric('meridian_relay_batches_total', { outcome: 'acked' }),
  ).toBeGreaterThan(1);
}, 300_000);

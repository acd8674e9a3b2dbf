// A relay whose console keeps closing the link over one batch (4001: as a console of another
// version might) must not resend that batch for ever and starve its region. The console here
// is a stand-in, named as such: a real WebSocket server on loopback that plays the console's
// side of the relay link and refuses the first batch three times, as the real console cannot
// be made to. The relay is the real RelayNode with a real probe agent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { RelayBatch } from '../../shared/relay-protocol.js';
import { systemClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { defaultRelayConfig, RelayNode } from '../../electron/core/relay/node/relay-node.js';
import { waitFor } from '../helpers/core.js';
import { ProbeAgent } from '../helpers/relay.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

it('drops a batch the console refuses three times at the same position, counts it, and sends the rest', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  cleanup.push(() => new Promise((r) => wss.close(r)));
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as AddressInfo).port;
  let refusals = 0;
  const accepted: RelayBatch[] = [];
  const dropped: number[] = [];
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const msg = JSON.parse(String(data)) as { type: string; queue?: { dropped: number } };
        if (msg.type === 'relay_hello')
          ws.send(
            JSON.stringify({
              type: 'relay_welcome',
              protocol: 1,
              relayId: 'rly-poison',
              serverTime: Date.now(),
              statusIntervalMs: 200,
            }),
          );
        if (msg.type === 'relay_status') dropped.push(msg.queue!.dropped);
        return;
      }
      const batch = JSON.parse(inflateRawSync(data as Buffer).toString()) as RelayBatch;
      if (refusals < 3) {
        refusals++;
        ws.close(4001, 'schema_violation: refused by the stand-in console');
        return;
      }
      accepted.push(batch);
      ws.send(JSON.stringify({ type: 'relay_ack', seq: batch.seq, problems: [] }));
    });
  });

  const stateDir = await mkdtemp(join(tmpdir(), 'meridian-relay-poison-'));
  cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
  const relay = new RelayNode(
    defaultRelayConfig({
      stateDir,
      upstream: `ws://127.0.0.1:${port}`,
      upstreamToken: 'secret',
      region: 'us-east-1',
      listenPort: 0,
      ingestTls: 'off',
      agentToken: 'agents',
      upstreamOptions: { backoff: { initialMs: 20, maxMs: 100 } },
    }),
    { clock: systemClock, logger: silentLogger },
  );
  const addr = await relay.start();
  cleanup.push(() => relay.stop());
  const base = Math.floor((Date.now() - 60_000) / 1000) * 1000;
  const probe = new ProbeAgent(addr.ingestUrl, 'agents', 'poison-1', 'us-east-1', base, 20);
  probe.start();
  cleanup.push(() => probe.stop());
  await waitFor(() => probe.acked.size >= 20, 30_000, 'batches acked by the relay');

  // After three refusals the first batch is dropped; what follows reaches the console.
  await waitFor(() => accepted.length > 0, 30_000, 'a batch accepted after the refusals');
  expect(refusals).toBe(3);
  await waitFor(() => dropped.some((d) => d > 0), 30_000, 'the drop reported in relay_status');
  const sentSeqs = accepted.flatMap((b) =>
    b.entries.flatMap((e) => (e.message.type === 'metrics' ? [e.message.seq] : [])),
  );
  expect(sentSeqs.length).toBeGreaterThan(0);
  // The refused batch began with the first batch the agent sent: it is not among those sent.
  expect(sentSeqs).not.toContain(1);
  expect(Math.max(...dropped)).toBeGreaterThan(0);
}, 60_000);

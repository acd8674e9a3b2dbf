// The relay's side of recovery actions, with the real `meridian relay` process and a real
// WebSocket agent behind it. Upstream, a stand-in for the console's relay link (named as such:
// a raw `ws` server on loopback), so the test can send the relay frames the real console does
// not send on demand (an action for an agent the relay does not know, a malformed one) and read
// exactly what the relay answers and queues.
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ActionMessage } from '../../shared/protocol.js';
import type { RelayAgents, RelayBatch, RelayHello } from '../../shared/relay-protocol.js';
import { actionAgent } from '../helpers/action-agent.js';
import { AGENT_TOKEN, WAIT_MS, tempDir, waitFor } from '../helpers/core.js';
import { spawnRelay } from '../helpers/relay.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** Stand-in console: welcomes the relay, acks its batches, records every frame it sends. */
async function standInConsole() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/relay' });
  await new Promise((r) => wss.once('listening', r));
  const frames: Record<string, unknown>[] = [];
  let link: WebSocket | null = null;
  wss.on('connection', (ws) => {
    link = ws;
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? inflateRawSync(data as Buffer).toString() : String(data);
      const msg = JSON.parse(text) as Record<string, unknown>;
      frames.push(msg);
      if (msg.type === 'relay_hello')
        ws.send(
          JSON.stringify({
            type: 'relay_welcome',
            protocol: 1,
            relayId: 'rly-standin',
            serverTime: Date.now(),
            statusIntervalMs: 60_000,
          }),
        );
      if (msg.type === 'relay_batch')
        ws.send(JSON.stringify({ type: 'relay_ack', seq: msg.seq, problems: [] }));
    });
  });
  cleanup.push(() => new Promise((r) => wss.close(r)));
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    frames,
    send: (msg: unknown) => link!.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    linkOpen: () => link !== null && link.readyState === link.OPEN,
    find: <T>(pred: (m: Record<string, unknown>) => boolean, what: string) =>
      waitFor(() => frames.find(pred) as T | undefined, WAIT_MS, what),
  };
}

const action = (id: string): ActionMessage => ({
  type: 'action',
  id,
  action: 'clean_tmp',
  params: { dir: '/tmp' },
  dryRun: false,
  deadline: Date.now() + 60_000,
});

describe('a relay routing recovery actions', () => {
  it("offers its agents' actions upstream, delivers an action, queues the result before the agent's ack, and refuses what it cannot deliver at once", async () => {
    const upstream = await standInConsole();
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const relay = await spawnRelay({
      upstream: upstream.url,
      token: 'enrolment-secret',
      region: 'eu-west-1',
      name: 'relay-t',
      stateDir: dir,
      agentToken: AGENT_TOKEN,
    });
    cleanup.push(() => relay.stop());
    const hello = await upstream.find<RelayHello>((m) => m.type === 'relay_hello', 'relay_hello');
    expect(hello.actions).toBe(true);

    const agent = await actionAgent(relay.ingestUrl, { hostname: 'web-1' }, ['clean_tmp']);
    cleanup.push(() => agent.close());
    const entry = await upstream.find<RelayAgents>(
      (m) =>
        m.type === 'relay_agents' &&
        (m as RelayAgents).agents.some((a) => a.hello.agentId === agent.agentId && a.online),
      "the agent's registration upstream",
    );
    const reported = entry.agents.find((a) => a.hello.agentId === agent.agentId)!;
    expect(reported.hello.capabilities).toEqual({ actions: ['clean_tmp'] });

    // Delivered to the agent's live connection; its result queued, then acked, then upstream.
    upstream.send({ type: 'relay_action', agentId: agent.agentId, action: action('act-1') });
    expect((await agent.nthAction(1)).id).toBe('act-1');
    await waitFor(() => agent.acks.includes('act-1'), WAIT_MS, 'the action_ack at the agent');
    const batch = await upstream.find<RelayBatch>(
      (m) =>
        m.type === 'relay_batch' &&
        (m as RelayBatch).entries.some((e) => e.message.type === 'action_result'),
      'the action result in a relay batch',
    );
    const result = batch.entries.find((e) => e.message.type === 'action_result')!;
    expect(result).toMatchObject({
      agentId: agent.agentId,
      message: { type: 'action_result', id: 'act-1', status: 'succeeded' },
    });

    // Bad input: a malformed relay_action is dropped (logged, counted), the link stays up.
    upstream.send({ type: 'relay_action', agentId: agent.agentId, action: { id: 'x' } });
    upstream.send('{"type":"relay_action",');
    // An agent the relay does not know: refused at once, saying so.
    upstream.send({ type: 'relay_action', agentId: 'agt-nope', action: action('act-2') });
    const unknown = await upstream.find<Record<string, unknown>>(
      (m) => m.type === 'relay_action_refused' && m.id === 'act-2',
      'the refusal of act-2',
    );
    expect(unknown).toMatchObject({ agentId: 'agt-nope', code: 'unknown_agent' });
    expect(upstream.linkOpen()).toBe(true);
    expect(agent.actions).toHaveLength(1);

    // The agent gone from the relay: refused at once, naming the relay.
    await agent.close();
    await upstream.find(
      (m) =>
        m.type === 'relay_agents' &&
        (m as RelayAgents).agents.some((a) => a.hello.agentId === agent.agentId && !a.online),
      'the agent reported offline',
    );
    upstream.send({ type: 'relay_action', agentId: agent.agentId, action: action('act-3') });
    const gone = await upstream.find<Record<string, unknown>>(
      (m) => m.type === 'relay_action_refused' && m.id === 'act-3',
      'the refusal of act-3',
    );
    expect(gone).toMatchObject({
      agentId: agent.agentId,
      action: 'clean_tmp',
      code: 'agent_not_connected',
      message: 'agent not connected to relay relay-t',
    });
    expect(relay.child.exitCode).toBeNull();
    expect(relay.out()).toMatch(/upstream sent a bad frame/);
  });
});

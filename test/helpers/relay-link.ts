// A relay link spoken by hand: a raw `ws` client on the console's /relay path that sends
// whatever frames a test writes (good, malformed, hostile) and records what comes back. For
// bad-input and security tests of the link; test/helpers/relay.ts runs the real relay process.
import { randomUUID } from 'node:crypto';
import { deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Agent } from '../../shared/model.js';
import type { HelloMessage } from '../../shared/protocol.js';
import { RELAY_PATH, RELAY_PROTOCOL_VERSION } from '../../shared/relay-protocol.js';
import type { RelaysResponse, RelayView } from '../../shared/relays.js';
import { AGENT_TOKEN, messageInbox, WAIT_MS, waitFor, type TestCore } from './core.js';

const deflate = promisify(deflateRaw);

export interface RelayConn {
  ws: WebSocket;
  sendText(msg: unknown): void;
  /** A binary frame as is (already compressed, or deliberately not). */
  sendBinary(bytes: Buffer): void;
  /** A relay_batch the way a relay sends it: JSON, raw DEFLATE, one binary frame. */
  sendBatch(batch: unknown): Promise<void>;
  /** The next message of this type from the console (kept if it came before the ask). */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export const relayUrl = (ingestUrl: string): string => new URL(RELAY_PATH, ingestUrl).toString();

/** Open /relay with this bearer token; rejects when the upgrade is refused. */
export async function openRelay(ingestUrl: string, token: string): Promise<RelayConn> {
  const ws = new WebSocket(relayUrl(ingestUrl), { headers: { Authorization: `Bearer ${token}` } });
  const { next } = messageInbox(ws);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    sendText: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    sendBinary: (bytes) => ws.send(bytes, { binary: true }),
    sendBatch: async (batch) => ws.send(await deflate(Buffer.from(JSON.stringify(batch)))),
    next,
    close: async () => {
      ws.close();
      await closed;
    },
  };
}

export interface UpgradeAnswer {
  status: number;
  body: { error: { code: string; message: string } } | null;
}

/** The console's HTTP answer to an upgrade on `path` (101 when it was accepted). */
export function upgradeAnswer(
  ingestUrl: string,
  path: string,
  token: string,
  localAddress?: string,
): Promise<UpgradeAnswer> {
  const url = new URL(path, ingestUrl).toString();
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      ...(localAddress ? { localAddress } : {}),
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, body: null });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: text ? (JSON.parse(text) as UpgradeAnswer['body']) : null,
        }),
      );
    });
    ws.on('error', () => {});
  });
}

export function relayHello(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'relay_hello',
    protocol: RELAY_PROTOCOL_VERSION,
    name: 'relay-test',
    region: 'us-east-1',
    version: 'test',
    bootId: `boot-${randomUUID().slice(0, 8)}`,
    startedAt: Date.now(),
    ...overrides,
  };
}

/** One relay_agents entry: an agent the relay holds online, as its last hello. */
export function relayedAgent(agentId: string, hello: Partial<HelloMessage> = {}) {
  return {
    hello: {
      type: 'hello',
      protocol: 2,
      hostname: agentId,
      region: 'us-east-1',
      agentType: 'system',
      version: 'test',
      agentId,
      ...hello,
    },
    online: true,
    lastSeen: Date.now(),
    address: '10.1.2.3',
  };
}

export const keyToken = (c: { keyId: string; key: string }): string => `mak.${c.keyId}.${c.key}`;

/** Sample timestamps: an hour back, on a whole second, so each test's points are its own. */
export const SAMPLE_BASE = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

/** A relay_batch entry: one agent's metrics, `stepMs` apart from `base`. */
export function metricsEntry(
  agentId: string,
  name: string,
  values: number[],
  base = SAMPLE_BASE,
  stepMs = 1000,
) {
  return {
    agentId,
    message: {
      type: 'metrics',
      seq: 1,
      samples: values.map((value, i) => ({ name, value, ts: base + i * stepMs })),
    },
  };
}

export interface EnrolledRelay {
  conn: RelayConn;
  relayId: string;
  token: string;
}

/** Relay-link steps against one core, and what the core then shows through its API. */
export function relayLinkKit(core: () => TestCore) {
  const agent = async (id: string): Promise<Agent | undefined> => {
    const { body } = await core().api<{ agents: Agent[] }>('/api/v1/agents?limit=1000');
    return body.agents.find((a) => a.id === id);
  };
  return {
    agent,
    /** A relay enrolling with the enrolment secret: relay_hello → relay_welcome with its key. */
    async enrolRelay(name: string): Promise<EnrolledRelay> {
      const conn = await openRelay(core().addr.ingestUrl, AGENT_TOKEN);
      conn.sendText(relayHello({ name }));
      const welcome = await conn.next<{
        relayId: string;
        credential: { keyId: string; key: string };
      }>('relay_welcome');
      if (!welcome.relayId.startsWith('rly-')) throw new Error(`relay id ${welcome.relayId}`);
      return { conn, relayId: welcome.relayId, token: keyToken(welcome.credential) };
    },
    /** The same relay on a new link (its key, its id): the earlier link was closed. */
    async reconnect(relay: EnrolledRelay): Promise<RelayConn> {
      const conn = await openRelay(core().addr.ingestUrl, relay.token);
      conn.sendText(relayHello({ relayId: relay.relayId }));
      await conn.next('relay_welcome');
      return conn;
    },
    /** Register agents behind this link and wait until the console lists them online. */
    async register(conn: RelayConn, ids: string[]): Promise<void> {
      const agents = ids.map((id) => relayedAgent(id));
      conn.sendText({ type: 'relay_agents', full: true, agents });
      for (const id of ids)
        await waitFor(async () => (await agent(id))?.status === 'online', WAIT_MS, `${id} online`);
    },
    async relayView(id: string): Promise<RelayView | undefined> {
      const { body } = await core().api<RelaysResponse>('/api/v1/relays');
      return body.relays.find((r) => r.id === id);
    },
    /** How many samples of this metric the console holds, over every agent. */
    async storedCount(metric: string, from = SAMPLE_BASE): Promise<number> {
      const qs = new URLSearchParams({
        metric,
        from: String(from - 1000),
        to: String(from + 30_000 * 1000),
        step: '60000',
        agg: 'count',
      });
      const { status, body } = await core().api<QueryRangeResult>(`/api/v1/query_range?${qs}`);
      if (status !== 200) throw new Error(`query_range: ${status} ${JSON.stringify(body)}`);
      let n = 0;
      for (const s of body.series) for (const [, c] of s.points) n += c ?? 0;
      return n;
    },
    framesRejected: (reason: string) => core().metric('meridian_frames_rejected_total', { reason }),
    relayRejected: (reason: string) =>
      core().metric('meridian_relay_frames_rejected_total', { reason }),
  };
}

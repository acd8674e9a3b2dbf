// A relay link spoken by hand: a raw `ws` client on the console's /relay path that sends
// whatever frames a test writes (good, malformed, hostile) and records what comes back. For
// bad-input and security tests of the link; test/helpers/relay.ts runs the real relay process.
import { randomUUID } from 'node:crypto';
import { deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import type { HelloMessage } from '../../shared/protocol.js';
import { RELAY_PATH, RELAY_PROTOCOL_VERSION } from '../../shared/relay-protocol.js';
import { WAIT_MS } from './core.js';

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
  const inbox: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: never) => void }[] = [];
  ws.on('message', (data, isBinary) => {
    // The console sends text only; a binary frame is recorded so that a test can see it.
    const msg = isBinary
      ? { type: 'binary_frame' }
      : (JSON.parse(String(data)) as Record<string, unknown>);
    const i = waiters.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg as never);
    else inbox.push(msg);
  });
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
    next: <T>(type: string, timeoutMs = WAIT_MS) => {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as T);
      return new Promise<T>((resolve, reject) => {
        const waiter = {
          type,
          resolve: (m: never) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no '${type}' from the console within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
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

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { HelloMessage } from '../../shared/protocol.js';
import type { Clock } from '../../shared/clock.js';
import { defaultConfig, type CoreConfig } from '../../electron/core/config.js';
import { createCore, type CoreAddresses, type MonitoringCore } from '../../electron/core/core.js';
import { silentLogger } from '../../electron/core/logger.js';

export const SESSION_TOKEN = 'test-session-token';
export const AGENT_TOKEN = 'test-agent-token';
/**
 * The deadline of a wait unless a test names a longer one. Generous on purpose: it only bounds a
 * wait for a condition, so a machine with both cores busy costs time, never a failure.
 */
export const WAIT_MS = 15_000;

/** startTestCore's heartbeat interval unless a test sets one: longer than any test runs. */
export const QUIET_AGENT_HEARTBEAT_MS = 600_000;

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'meridian-test-'));
}

export interface TestCore {
  core: MonitoringCore;
  addr: CoreAddresses;
  dataDir: string;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

/**
 * The real core on ephemeral ports with a temp data dir. `clock` replaces the system clock (a
 * ManualClock lets a test step through heartbeat intervals exactly instead of sleeping).
 */
export async function startTestCore(
  overrides: Partial<CoreConfig> = {},
  deps: { clock?: Clock } = {},
): Promise<TestCore> {
  const dataDir = overrides.dataDir ?? (await tempDir());
  const config = defaultConfig({
    dataDir,
    apiPort: 0,
    ingestPort: 0,
    sessionToken: SESSION_TOKEN,
    agentToken: AGENT_TOKEN,
    // Plain ws:// unless a test asks for TLS: the TLS path has its own tests (ingest-tls).
    ingestTls: 'off',
    persistDebounceMs: 20,
    // Test agents (connectAgent) send no heartbeat unless told to: on the console's default 1 s
    // interval they would go offline, with a critical alert, 3 s after connecting, and a test
    // reading alerts or agents reaches 3 s on a loaded machine. Liveness tests set their own.
    heartbeatIntervalMs: QUIET_AGENT_HEARTBEAT_MS,
    ...overrides,
  });
  const core = createCore(config, { logger: silentLogger, ...deps });
  const addr = await core.start();
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const res = await fetch(`${addr.apiUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${SESSION_TOKEN}`,
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const res = await fetch(`${addr.apiUrl}/metrics`, {
      headers: { Authorization: `Bearer ${SESSION_TOKEN}` },
    });
    const text = await res.text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  };
  return {
    core,
    addr,
    dataDir,
    api,
    metric,
    async stop(opts = {}) {
      await core.stop();
      if (!opts.keepDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestAgent {
  ws: WebSocket;
  agentId: string;
  send(msg: unknown): void;
  /** Resolves with the next message of this type from the console; fails after `timeoutMs`. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export function hello(overrides: Partial<HelloMessage> = {}): HelloMessage {
  return {
    type: 'hello',
    protocol: 1,
    hostname: 'web-1',
    region: 'us-east-1',
    agentType: 'application',
    version: 'test',
    ...overrides,
  };
}

/** Open a raw WebSocket to the ingest port (no hello sent). */
export async function openIngest(
  url: string,
  token = AGENT_TOKEN,
  opts: { localAddress?: string } = {},
): Promise<Omit<TestAgent, 'agentId'>> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, ...opts });
  const { next } = messageInbox(ws);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    closed,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next,
    close: async () => {
      ws.close();
      await closed;
    },
  };
}

/**
 * The console's messages on `ws`, by type: `next(type)` resolves with the first one of that type
 * not taken yet (kept if it came before the ask), or fails after `timeoutMs`. A binary frame is
 * recorded as `{type: 'binary_frame'}`, so a test can see one.
 */
export function messageInbox(ws: WebSocket): {
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
} {
  const inbox: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (m: never) => void }[] = [];
  ws.on('message', (data, isBinary) => {
    const msg = isBinary
      ? { type: 'binary_frame' }
      : (JSON.parse(String(data)) as Record<string, unknown>);
    const i = waiters.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg as never);
    else inbox.push(msg);
  });
  return {
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
  };
}

/** Connect and complete hello → welcome. */
export async function connectAgent(
  url: string,
  overrides: Partial<HelloMessage> = {},
  token = AGENT_TOKEN,
): Promise<TestAgent> {
  const conn = await openIngest(url, token);
  conn.send(hello(overrides));
  const welcome = await conn.next<{ agentId: string }>('welcome');
  return { ...conn, agentId: welcome.agentId };
}

/** Poll `fn` until it returns something truthy (and return that), or fail after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = WAIT_MS,
  what = 'condition',
): Promise<T> {
  const start = performance.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;
let lastTs = 0;
/** A metrics batch; timestamps strictly increase between calls, as a real agent's do. */
export function metricsFrame(
  samples: { name: string; value: number; labels?: Record<string, string> }[],
  ts = (lastTs = Math.max(Date.now(), lastTs + 1)),
) {
  return { type: 'metrics', seq: ++seq, samples: samples.map((s) => ({ ts, ...s })) };
}

// Issue 7, item 5: guessing the agent token from one address earns a cool-down (429, with
// Retry-After, the token no longer checked), while agents elsewhere are not affected.
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  WAIT_MS,
  AGENT_TOKEN,
  connectAgent,
  hello,
  metricsFrame,
  openIngest,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';

let t: TestCore | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { error: { code: string; message: string } } | null;
}

/** One upgrade attempt: the HTTP answer of a refusal, or status 101 when it was accepted. */
function attempt(url: string, token: string, localAddress: string): Promise<Answer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, localAddress });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, retryAfter: undefined, body: null });
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: res.headers['retry-after'] as string | undefined,
          body: JSON.parse(text) as Answer['body'],
        }),
      );
    });
    ws.on('error', () => {});
  });
}

it('after N wrong tokens from one address: 429 with Retry-After for a cool-down; other addresses connect', async () => {
  t = await startTestCore({
    limits: { authFailuresBeforeCooldown: 5, authFailureWindowMs: 60_000, authCooldownMs: 2_000 },
  });
  const url = t.addr.ingestUrl;
  for (let i = 0; i < 5; i++) {
    expect((await attempt(url, `guess-${i}`, '127.0.0.2')).status).toBe(401);
  }
  // Now even the right token is not looked at from there.
  const limited = await attempt(url, AGENT_TOKEN, '127.0.0.2');
  expect(limited.status).toBe(429);
  expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(limited.retryAfter)).toBeLessThanOrEqual(2);
  expect(limited.body?.error.code).toBe('auth_rate_limited');
  expect((await attempt(url, 'guess-again', '127.0.0.2')).status).toBe(429);
  const refused = (reason: string) =>
    t!.metric('meridian_connections_refused_total', { port: 'ingest', reason });
  expect(await refused('auth_rate_limited')).toBe(2);
  // Tokens checked (and refused) only before the cool-down began.
  expect(await t.metric('meridian_frames_rejected_total', { reason: 'unauthorized' })).toBe(5);

  // A good agent from another address is unaffected.
  const conn = await openIngest(url, AGENT_TOKEN, { localAddress: '127.0.0.1' });
  conn.send(hello({ hostname: 'good' }));
  await conn.next('welcome');
  const frame = metricsFrame([{ name: 'cpu_usage', value: 3 }]);
  conn.send(frame);
  expect(await conn.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
  await conn.close();

  // After the cool-down the address may try again, and the right token works.
  await waitFor(
    async () => (await attempt(url, AGENT_TOKEN, '127.0.0.2')).status === 101,
    WAIT_MS,
    'cool-down over',
  );
  await connectAgent(url, { hostname: 'after-cooldown' });
});

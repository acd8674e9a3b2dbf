// Issue 14, the relay link under bad input and hostile peers, part 1: who may open it, frame
// order, compression. Raw WebSocket clients on the console's /relay path (no relay process),
// against a real core; each refusal is checked by its exact close code or HTTP status and
// reason label, and by its counter on /metrics. Batches: relay-link-batches.test.ts.
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELAY_BATCH_BYTES, MAX_RELAY_FRAME_BYTES } from '../../shared/relay-protocol.js';
import type { RelaysResponse } from '../../shared/relays.js';
import {
  AGENT_TOKEN,
  hello,
  openIngest,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import {
  keyToken,
  metricsEntry,
  openRelay,
  relayHello,
  relayLinkKit,
  upgradeAnswer,
  type RelayConn,
} from '../helpers/relay-link.js';

/** Wrong tokens from one address before it is cooled down (kept small for the test). */
const AUTH_FAILURES = 3;

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore({
    limits: {
      authFailuresBeforeCooldown: AUTH_FAILURES,
      authFailureWindowMs: 600_000,
      authCooldownMs: 600_000,
    },
  });
});

afterAll(async () => {
  await t?.stop();
});

const { enrolRelay, reconnect, register, storedCount, framesRejected, relayRejected } =
  relayLinkKit(() => t);

describe('the relay link at the upgrade', () => {
  it("refuses an agent's key on /relay and a relay's key on the agents' path (403 not_a_relay)", async () => {
    const direct = await openIngest(t.addr.ingestUrl, AGENT_TOKEN);
    direct.send(hello({ protocol: 2, hostname: 'direct-key-1' }));
    const welcome = await direct.next<{ credential: { keyId: string; key: string } }>('welcome');
    const agentKey = keyToken(welcome.credential);
    const before = await framesRejected('not_a_relay');

    const onRelay = await upgradeAnswer(t.addr.ingestUrl, '/relay', agentKey);
    expect(onRelay.status).toBe(403);
    expect(onRelay.body?.error).toMatchObject({
      code: 'not_a_relay',
      message: 'an agent key cannot open a relay link',
    });

    const relay = await enrolRelay('relay-keys');
    const onAgents = await upgradeAnswer(t.addr.ingestUrl, '/', relay.token);
    expect(onAgents.status).toBe(403);
    expect(onAgents.body?.error).toMatchObject({
      code: 'not_a_relay',
      message: 'a relay key cannot connect as an agent',
    });
    expect(await framesRejected('not_a_relay')).toBe(before + 2);
    // Nor on the ingest port's HTTP endpoints (remote write), where agent keys are taken.
    const write = await fetch(`${t.addr.ingestUrl.replace(/^ws/, 'http')}/api/v1/write`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${relay.token}`, 'Content-Encoding': 'snappy' },
      body: new Uint8Array([0]),
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('not_a_relay');
    // Each key still opens its own path.
    expect((await upgradeAnswer(t.addr.ingestUrl, '/relay', relay.token)).status).toBe(101);
    expect((await upgradeAnswer(t.addr.ingestUrl, '/', agentKey)).status).toBe(101);
    await relay.conn.close();
    await direct.close();
  });

  it("a relay's key cannot speak as another relay, nor the enrolment secret as an enrolled one (4012)", async () => {
    const a = await enrolRelay('relay-imp-a');
    const b = await enrolRelay('relay-imp-b');
    const before = await relayRejected('agent_id_mismatch');
    const byKey = await openRelay(t.addr.ingestUrl, a.token);
    byKey.sendText(relayHello({ relayId: b.relayId }));
    expect(await byKey.closed).toEqual({
      code: 4012,
      reason: `agent_id_mismatch: this key belongs to relay ${a.relayId}, not ${b.relayId}`,
    });
    const bySecret = await openRelay(t.addr.ingestUrl, AGENT_TOKEN);
    bySecret.sendText(relayHello({ relayId: b.relayId }));
    const closed = await bySecret.closed;
    expect(closed.code).toBe(4012);
    expect(closed.reason).toMatch(/^agent_id_mismatch: relay rly-\S+ has its own key/);
    expect(await relayRejected('agent_id_mismatch')).toBe(before + 2);
    // B's link was not displaced by either attempt.
    expect(b.conn.ws.readyState).toBe(b.conn.ws.OPEN);
    await a.conn.close();
    await b.conn.close();
  });

  it('refuses a wrong token on /relay with 401, and the auth throttle counts it (then 429 even for a good key)', async () => {
    const relay = await enrolRelay('relay-throttle');
    const from = '127.0.0.3';
    const before = await framesRejected('unauthorized');
    for (let i = 0; i < AUTH_FAILURES; i++) {
      const wrong = await upgradeAnswer(t.addr.ingestUrl, '/relay', `guess-${i}`, from);
      expect(wrong.status).toBe(401);
      expect(wrong.body?.error.code).toBe('unauthorized');
    }
    expect(await framesRejected('unauthorized')).toBe(before + AUTH_FAILURES);
    const limited = await upgradeAnswer(t.addr.ingestUrl, '/relay', relay.token, from);
    expect(limited.status).toBe(429);
    expect(limited.body?.error.code).toBe('auth_rate_limited');
    expect(
      await t.metric('meridian_connections_refused_total', {
        port: 'ingest',
        reason: 'auth_rate_limited',
      }),
    ).toBe(1);
    // The relay's own address is not affected.
    expect((await upgradeAnswer(t.addr.ingestUrl, '/relay', relay.token)).status).toBe(101);
    await relay.conn.close();
  });
});

describe('relay link framing', () => {
  it('closes on a binary frame before relay_hello (4005), text garbage (4001), an extra hello property (4001), a second hello (4006)', async () => {
    const relay = await enrolRelay('relay-framing');
    await relay.conn.close();
    const batch = deflateRawSync(JSON.stringify({ type: 'relay_batch', seq: 0, entries: [] }));

    const cases: { send(c: RelayConn): void; hello: boolean; code: number; label: string }[] = [
      { send: (c) => c.sendBinary(batch), hello: false, code: 4005, label: 'hello_required' },
      {
        send: (c) => c.sendText('{"type":"relay_hel'),
        hello: false,
        code: 4001,
        label: 'schema_violation',
      },
      {
        send: (c) => c.sendText(relayHello({ relayId: relay.relayId, admin: true })),
        hello: false,
        code: 4001,
        label: 'schema_violation',
      },
      {
        send: (c) => c.sendText(relayHello({ relayId: relay.relayId })),
        hello: true,
        code: 4006,
        label: 'duplicate_hello',
      },
    ];
    for (const c of cases) {
      const before = await relayRejected(c.label);
      const conn = c.hello
        ? await reconnect(relay)
        : await openRelay(t.addr.ingestUrl, relay.token);
      c.send(conn);
      const closed = await conn.closed;
      expect(closed.code, c.label).toBe(c.code);
      expect(closed.reason.startsWith(`${c.label}: `), closed.reason).toBe(true);
      expect(await relayRejected(c.label)).toBe(before + 1);
    }
  });
});

describe('a relay that goes away while it enrols', () => {
  it('is not left "connected" when its link closed before the welcome (the key is issued meanwhile)', async () => {
    for (let i = 0; i < 5; i++) {
      const issued = await t.metric('meridian_agent_keys_issued_total');
      const conn = await openRelay(t.addr.ingestUrl, AGENT_TOKEN);
      // The hello is on the wire, then the link is cut while the console writes the key.
      await new Promise<void>((resolve, reject) =>
        conn.ws.send(JSON.stringify(relayHello({ name: `ghost-${i}` })), (err) =>
          err ? reject(err) : resolve(),
        ),
      );
      conn.ws.terminate();
      await conn.closed;
      // A second enrolment as a barrier: keys and audit records are written in order, so by
      // its welcome the ghost's hello has been handled to the end.
      const barrier = await enrolRelay(`barrier-${i}`);
      expect(await t.metric('meridian_agent_keys_issued_total')).toBe(issued + 2);
      const { relays } = (await t.api<RelaysResponse>('/api/v1/relays')).body;
      const ghost = relays.find((r) => r.name === `ghost-${i}`);
      expect(ghost?.state ?? 'absent', `ghost-${i}`).not.toBe('connected');
      await barrier.conn.close();
    }
  });
});

describe('relay link compression', () => {
  it('closes on a binary frame that is not raw DEFLATE, or is cut short (4015 bad_compression)', async () => {
    const relay = await enrolRelay('relay-notdeflate');
    const whole = deflateRawSync(JSON.stringify({ type: 'relay_batch', seq: 1, entries: [] }));
    const frames = [
      // 0xff: final block of the reserved type 3, which no inflater accepts.
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from(JSON.stringify({ type: 'relay_batch', seq: 1, entries: [] })),
      whole.subarray(0, whole.length - 4),
    ];
    let conn = relay.conn;
    for (const frame of frames) {
      const before = await relayRejected('bad_compression');
      conn.sendBinary(frame);
      const closed = await conn.closed;
      expect(closed.code).toBe(4015);
      expect(closed.reason).toMatch(/^bad_compression: not raw DEFLATE/);
      expect(await relayRejected('bad_compression')).toBe(before + 1);
      conn = await reconnect(relay);
    }
    await conn.close();
  });

  it('closes on a frame over MAX_RELAY_FRAME_BYTES (1009 frame_too_big) and counts it', async () => {
    const relay = await enrolRelay('relay-toobig');
    const before = await relayRejected('frame_too_big');
    relay.conn.sendBinary(Buffer.alloc(MAX_RELAY_FRAME_BYTES + 1));
    expect((await relay.conn.closed).code).toBe(1009);
    await waitFor(
      async () => (await relayRejected('frame_too_big')) === before + 1,
      undefined,
      'the oversized frame counted',
    );
  });

  it('refuses a zip bomb (256 MiB of zeros in a 256 KiB frame) at MAX_RELAY_BATCH_BYTES, without taking its size in memory, and keeps serving', async () => {
    const bombBytes = 256 * 1024 * 1024;
    const bomb = await deflatedZeros(bombBytes);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const relay = await enrolRelay('relay-bomb');
    await register(relay.conn, ['bomb-agent-1']);
    const before = await relayRejected('bad_compression');

    // The console runs in this process: watch its buffer memory while it inflates.
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    const watch = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 1);
    relay.conn.sendBinary(bomb);
    const closed = await relay.conn.closed;
    clearInterval(watch);
    // At most the cap (32 MiB) and its working buffers, never the bomb's 256 MiB.
    expect(peak - base).toBeLessThan(bombBytes / 2);
    expect(closed.code).toBe(4015);
    expect(closed.reason).toBe(`bad_compression: inflates past ${MAX_RELAY_BATCH_BYTES} bytes`);
    expect(await relayRejected('bad_compression')).toBe(before + 1);

    // The console still serves: the same relay reconnects and its next batch is stored.
    const conn = await reconnect(relay);
    await conn.sendBatch({
      type: 'relay_batch',
      seq: 2,
      entries: [metricsEntry('bomb-agent-1', 'rl_after_bomb', [1, 2, 3])],
    });
    expect(await conn.next('relay_ack')).toEqual({ type: 'relay_ack', seq: 2, problems: [] });
    expect(await storedCount('rl_after_bomb')).toBe(3);
    await conn.close();
  }, 60_000);
});

/** `bytes` zeros, raw DEFLATE, compressed as a stream (the test never holds them whole). */
function deflatedZeros(bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createDeflateRaw({ level: 9 });
    const parts: Buffer[] = [];
    z.on('data', (c: Buffer) => parts.push(c));
    z.on('end', () => resolve(Buffer.concat(parts)));
    z.on('error', reject);
    const mib = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < bytes / mib.length; i++) z.write(mib);
    z.end();
  });
}

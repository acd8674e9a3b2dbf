// Issue 14, the relay link under bad input and hostile peers: raw WebSocket clients on the
// console's /relay path (no relay process), against a real core. Each refusal is checked by
// its exact close code or HTTP status and reason label, by its counter on /metrics, and by
// what the console stored afterwards (through the query API): nothing from a refused batch.
import { deflateRawSync, createDeflateRaw } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Agent } from '../../shared/model.js';
import { MAX_RELAY_BATCH_BYTES, MAX_RELAY_ENTRIES } from '../../shared/relay-protocol.js';
import type { RelaysResponse, RelayView } from '../../shared/relays.js';
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
  openRelay,
  relayHello,
  relayedAgent,
  upgradeAnswer,
  type RelayConn,
} from '../helpers/relay-link.js';

/** Wrong tokens from one address before it is cooled down (kept small for the test). */
const AUTH_FAILURES = 3;
/** Sample timestamps: an hour back, on a whole second, so each test's points are its own. */
const BASE = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

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

interface Relay {
  conn: RelayConn;
  relayId: string;
  token: string;
}

/** A relay enrolling with the enrolment secret: relay_hello → relay_welcome with its key. */
async function enrolRelay(name: string, core = t): Promise<Relay> {
  const conn = await openRelay(core.addr.ingestUrl, AGENT_TOKEN);
  conn.sendText(relayHello({ name }));
  const welcome = await conn.next<{ relayId: string; credential: { keyId: string; key: string } }>(
    'relay_welcome',
  );
  expect(welcome.relayId).toMatch(/^rly-/);
  return { conn, relayId: welcome.relayId, token: keyToken(welcome.credential) };
}

/** The same relay on a new link (its key, its id): the earlier link was closed. */
async function reconnect(relay: Relay): Promise<RelayConn> {
  const conn = await openRelay(t.addr.ingestUrl, relay.token);
  conn.sendText(relayHello({ relayId: relay.relayId }));
  await conn.next('relay_welcome');
  return conn;
}

async function agent(id: string, core = t): Promise<Agent | undefined> {
  const { body } = await core.api<{ agents: Agent[] }>('/api/v1/agents?limit=1000');
  return body.agents.find((a) => a.id === id);
}

/** Register agents behind this link and wait until the console lists them online. */
async function register(conn: RelayConn, ids: string[], core = t): Promise<void> {
  conn.sendText({ type: 'relay_agents', full: true, agents: ids.map((id) => relayedAgent(id)) });
  for (const id of ids)
    await waitFor(
      async () => (await agent(id, core))?.status === 'online',
      undefined,
      `${id} online`,
    );
}

async function relayView(id: string): Promise<RelayView | undefined> {
  return (await t.api<RelaysResponse>('/api/v1/relays')).body.relays.find((r) => r.id === id);
}

function metricsEntry(agentId: string, name: string, values: number[], base = BASE, stepMs = 1000) {
  return {
    agentId,
    message: {
      type: 'metrics',
      seq: 1,
      samples: values.map((value, i) => ({ name, value, ts: base + i * stepMs })),
    },
  };
}

/** How many samples of this metric the console holds, over every agent. */
async function storedCount(metric: string, core = t, from = BASE): Promise<number> {
  const qs = new URLSearchParams({
    metric,
    from: String(from - 1000),
    to: String(from + 30_000 * 1000),
    step: '60000',
    agg: 'count',
  });
  const { status, body } = await core.api<QueryRangeResult>(`/api/v1/query_range?${qs}`);
  expect(status).toBe(200);
  let n = 0;
  for (const s of body.series) for (const [, c] of s.points) n += c ?? 0;
  return n;
}

const framesRejected = (reason: string) => t.metric('meridian_frames_rejected_total', { reason });
const relayRejected = (reason: string) =>
  t.metric('meridian_relay_frames_rejected_total', { reason });

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
    // Each key still opens its own path.
    expect((await upgradeAnswer(t.addr.ingestUrl, '/relay', relay.token)).status).toBe(101);
    expect((await upgradeAnswer(t.addr.ingestUrl, '/', agentKey)).status).toBe(101);
    await relay.conn.close();
    await direct.close();
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

describe('relay batches the console refuses', () => {
  it('closes on a batch with a non-finite number, a __proto__ key or too many entries, and stores nothing of it', async () => {
    const relay = await enrolRelay('relay-badbatch');
    await register(relay.conn, ['bad-batch-1']);
    // The query sees what a good batch stores: the refusals below are not a blind query.
    await relay.conn.sendBatch({
      type: 'relay_batch',
      seq: 1,
      entries: [metricsEntry('bad-batch-1', 'rl_good', [1, 2])],
    });
    await relay.conn.next('relay_ack');
    expect(await storedCount('rl_good')).toBe(2);
    await relay.conn.close();

    const good = (metric: string, n: number) =>
      Array.from({ length: n }, () => metricsEntry('bad-batch-1', metric, [1, 2, 3]));
    const batchText = (metric: string, entries = good(metric, 2)) =>
      JSON.stringify({ type: 'relay_batch', seq: 2, entries });
    const cases: { metric: string; text: string; detail: RegExp }[] = [
      {
        // JSON has no Infinity; 1e999 parses to it.
        metric: 'rl_nonfinite',
        text: batchText('rl_nonfinite').replace('"value":3', '"value":1e999'),
        detail: /\/entries\/0\/message\/samples\/2\/value: Infinity is not a finite number/,
      },
      {
        metric: 'rl_proto',
        text: batchText('rl_proto').replace('"value":2', '"value":2,"labels":{"__proto__":"x"}'),
        detail: /key "__proto__" is not allowed/,
      },
      {
        metric: 'rl_many',
        text: batchText('rl_many', good('rl_many', MAX_RELAY_ENTRIES + 1)),
        detail: /\/entries: .*5000/,
      },
    ];
    for (const c of cases) {
      const samplesBefore = await t.metric('meridian_samples_received_total');
      const before = await relayRejected('schema_violation');
      const conn = await reconnect(relay);
      conn.sendBinary(deflateRawSync(c.text));
      const closed = await conn.closed;
      expect(closed.code, c.metric).toBe(4001);
      expect(closed.reason, c.metric).toMatch(/^schema_violation: /);
      expect(closed.reason, c.metric).toMatch(c.detail);
      expect(await relayRejected('schema_violation')).toBe(before + 1);
      expect(await storedCount(c.metric)).toBe(0);
      expect(await t.metric('meridian_samples_received_total')).toBe(samplesBefore);
    }
  });

  it('acks entries for an agent this relay never registered with unknown_agent, and stores none of them', async () => {
    const a = await enrolRelay('relay-unknown-a');
    const b = await enrolRelay('relay-unknown-b');
    await register(a.conn, ['behind-a-1']);
    await register(b.conn, ['behind-b-1']);
    await a.conn.sendBatch({
      type: 'relay_batch',
      seq: 7,
      entries: [
        metricsEntry('behind-a-1', 'rl_own', [1]),
        metricsEntry('never-registered', 'rl_unknown', [1, 2]),
        // Another relay's agent: one relay cannot report for the agents of another.
        metricsEntry('behind-b-1', 'rl_other_relay', [1, 2]),
      ],
    });
    const ack = await a.conn.next<{ seq: number; problems: { agentId: string; code: string }[] }>(
      'relay_ack',
    );
    expect(ack.seq).toBe(7);
    expect(ack.problems.map((p) => [p.agentId, p.code])).toEqual([
      ['never-registered', 'unknown_agent'],
      ['behind-b-1', 'unknown_agent'],
    ]);
    expect(await storedCount('rl_own')).toBe(1);
    expect(await storedCount('rl_unknown')).toBe(0);
    expect(await storedCount('rl_other_relay')).toBe(0);
    expect((await agent('never-registered')) ?? null).toBeNull();
    expect((await agent('behind-b-1'))?.labels.relay).toBe('relay-unknown-b');
    await a.conn.close();
    await b.conn.close();
  });

  it('refuses to take over an agent that has its own key (relay_error agents_refused, agent_has_own_key)', async () => {
    const direct = await openIngest(t.addr.ingestUrl, AGENT_TOKEN);
    direct.send(hello({ protocol: 2, hostname: 'own-key-1' }));
    const { agentId } = await direct.next<{ agentId: string }>('welcome');
    const relay = await enrolRelay('relay-takeover');
    const refusedBefore = await t.metric('meridian_relay_agents_refused_total');

    relay.conn.sendText({
      type: 'relay_agents',
      full: true,
      agents: [relayedAgent(agentId, { hostname: 'own-key-1' })],
    });
    const error = await relay.conn.next<Record<string, unknown>>('relay_error');
    expect(error).toMatchObject({
      code: 'agents_refused',
      problems: [{ agentId, code: 'agent_has_own_key' }],
    });
    expect(await t.metric('meridian_relay_agents_refused_total')).toBe(refusedBefore + 1);

    // Its data through the relay is refused too, and stored nowhere.
    await relay.conn.sendBatch({
      type: 'relay_batch',
      seq: 1,
      entries: [metricsEntry(agentId, 'rl_takeover', [1, 2])],
    });
    const ack = await relay.conn.next<{ problems: { agentId: string; code: string }[] }>(
      'relay_ack',
    );
    expect(ack.problems).toMatchObject([{ agentId, code: 'unknown_agent' }]);
    expect(await storedCount('rl_takeover')).toBe(0);
    // The agent is still its own: connected directly, not labelled with the relay.
    const a = await agent(agentId);
    expect(a?.status).toBe('online');
    expect(a?.labels.relay).toBeUndefined();
    expect(direct.ws.readyState).toBe(direct.ws.OPEN);
    const { relays: views } = (await t.api<RelaysResponse>('/api/v1/relays')).body;
    expect(views.find((r) => r.id === relay.relayId)?.agents.total).toBe(0);
    await relay.conn.close();
    await direct.close();
  });
});

describe('revoking a relay key', () => {
  it('closes the link with 4013 key_revoked; the console shows the relay down and refuses the key from then on', async () => {
    const relay = await enrolRelay('relay-revoked');
    await register(relay.conn, ['revoked-behind-1']);
    // The operator finds the relay's key where an agent's keys are listed, by the relay's id.
    const listed = await t.api<{ keys: { keyId: string; agentId: string; revokedAt: null }[] }>(
      `/api/v1/agents/${relay.relayId}/keys`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.keys).toHaveLength(1);
    expect((await t.api('/api/v1/agents/rly-nope/keys')).status).toBe(404);
    const { keyId } = listed.body.keys[0]!;
    expect(relay.token.startsWith(`mak.${keyId}.`)).toBe(true);
    expect(listed.body.keys[0]).toMatchObject({ agentId: relay.relayId, revokedAt: null });
    const revoked = await t.api<{ disconnected: number }>(
      `/api/v1/agents/${relay.relayId}/keys/${keyId}/revoke`,
      { method: 'POST', body: JSON.stringify({ comment: 'relay host decommissioned' }) },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.disconnected).toBe(1);
    const closed = await relay.conn.closed;
    expect(closed.code).toBe(4013);
    expect(closed.reason).toMatch(/^key_revoked: /);
    await waitFor(
      async () => (await relayView(relay.relayId))?.state === 'down',
      undefined,
      'the relay shown down',
    );

    const before = await framesRejected('key_revoked');
    const again = await upgradeAnswer(t.addr.ingestUrl, '/relay', relay.token);
    expect(again.status).toBe(401);
    expect(again.body?.error.code).toBe('key_revoked');
    expect(await framesRejected('key_revoked')).toBe(before + 1);
    // Nor can the enrolment secret speak as the revoked relay.
    const bySecret = await openRelay(t.addr.ingestUrl, AGENT_TOKEN);
    bySecret.sendText(relayHello({ relayId: relay.relayId }));
    expect((await bySecret.closed).code).toBe(4012);
  });
});

describe('ingest paused', () => {
  let slow: TestCore | null = null;
  afterEach(async () => {
    await slow?.stop();
    slow = null;
  });

  it('answers a relay batch with relay_error ingest_paused and retryAfterMs, stores it only once resent', async () => {
    // A long group-commit window stands in for a slow disk: the WAL queue passes its bound.
    slow = await startTestCore({ walFlushMs: 250, walMaxQueuedBytes: 32 * 1024 });
    const core = slow;
    const relay = await enrolRelay('relay-paused', core);
    await register(relay.conn, ['paused-1'], core);
    const BATCHES = 40;
    const PER_BATCH = 500;
    const batch = (seq: number) => ({
      type: 'relay_batch',
      seq,
      entries: [
        metricsEntry(
          'paused-1',
          'rl_paused',
          Array.from({ length: PER_BATCH }, (_, i) => seq * 1000 + i),
          // A millisecond apart: every sample its own, all in the past.
          BASE + seq * PER_BATCH,
          1,
        ),
      ],
    });
    const acked = new Set<number>();
    const problems: unknown[] = [];
    const deferred = new Map<number, Record<string, unknown>>();
    relay.conn.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as {
        type: string;
        seq: number;
        code?: string;
        problems?: unknown[];
      };
      if (m.type === 'relay_ack') acked.add(m.seq);
      if (m.type === 'relay_ack') problems.push(...m.problems!);
      if (m.type === 'relay_error' && m.code === 'ingest_paused') deferred.set(m.seq, m);
    });
    for (let seq = 1; seq <= BATCHES; seq++) await relay.conn.sendBatch(batch(seq));
    await waitFor(() => acked.size + deferred.size >= BATCHES, undefined, 'every batch answered');
    expect(deferred.size).toBeGreaterThan(0);
    for (const [seq, error] of deferred) {
      expect(error).toEqual({
        type: 'relay_error',
        code: 'ingest_paused',
        message: expect.stringMatching(/^write_backlog: /),
        seq,
        retryAfterMs: 1_000,
      });
    }
    expect(await core.metric('meridian_relay_batches_total', { outcome: 'paused' })).toBe(
      deferred.size,
    );
    // Deferred batches were not stored: only the acked ones are there.
    expect(await storedCount('rl_paused', core)).toBe(acked.size * PER_BATCH);

    // The relay resends what was deferred, as told, until all is acked.
    while (acked.size < BATCHES) {
      const missing = [...deferred.keys()].filter((s) => !acked.has(s));
      deferred.clear();
      for (const seq of missing) await relay.conn.sendBatch(batch(seq));
      await waitFor(
        () => missing.every((s) => acked.has(s) || deferred.has(s)),
        undefined,
        'resends answered',
      );
    }
    expect(problems).toEqual([]);
    expect(await storedCount('rl_paused', core)).toBe(BATCHES * PER_BATCH);
    expect(await core.metric('meridian_samples_dropped_total', { reason: 'duplicate' })).toBe(0);
    await relay.conn.close();
  }, 60_000);
});

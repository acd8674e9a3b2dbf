// Issue 14, the relay link under bad input and hostile peers, part 2: what the console does
// with a relay's batches and registrations, revocation, and ingest paused. Raw WebSocket
// clients on /relay against a real core; checked by close code and reason label, by the
// counters on /metrics, and by what is stored afterwards (the query API): nothing from a
// refused batch or for an agent the relay may not speak for. Part 1: relay-link.test.ts.
import { deflateRawSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELAY_ENTRIES } from '../../shared/relay-protocol.js';
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
  SAMPLE_BASE as BASE,
  metricsEntry,
  openRelay,
  relayHello,
  relayLinkKit,
  relayedAgent,
  upgradeAnswer,
} from '../helpers/relay-link.js';

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore();
});

afterAll(async () => {
  await t?.stop();
});

const { agent, enrolRelay, reconnect, register, relayView, storedCount } = relayLinkKit(() => t);
const { framesRejected, relayRejected } = relayLinkKit(() => t);

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
    const lost = await t.metric('meridian_relay_link_lost_total', { how: 'down' });
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
    expect(await t.metric('meridian_relay_link_lost_total', { how: 'down' })).toBe(lost + 1);

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
    const k = relayLinkKit(() => core);
    const relay = await k.enrolRelay('relay-paused');
    await k.register(relay.conn, ['paused-1']);
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
    expect(await k.storedCount('rl_paused')).toBe(acked.size * PER_BATCH);

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
    expect(await k.storedCount('rl_paused')).toBe(BATCHES * PER_BATCH);
    expect(await core.metric('meridian_samples_dropped_total', { reason: 'duplicate' })).toBe(0);
    await relay.conn.close();
  }, 60_000);
});

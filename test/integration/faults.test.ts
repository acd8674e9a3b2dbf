// Faults from docs/RELIABILITY.md that no other file injects: SIGKILL in a loop, a reconnect
// storm after a console restart, fuzzed frames, and clock steps (the agent's and the console's).
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Simulator } from '../../agent/simulator.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import { ManualClock, systemClock } from '../../shared/clock.js';
import type { Agent, Alert } from '../../shared/model.js';
import {
  AGENT_TOKEN,
  connectAgent,
  hello,
  openIngest,
  startTestCore,
  tempDir,
  waitFor,
  WAIT_MS,
  type TestCore,
} from '../helpers/core.js';
import { spawnServe } from '../helpers/serve-process.js';

const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

/** Seeded uniform [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('faults', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it(
    'SIGKILL three times in a row during ingest: every acked batch is there once',
    { timeout: 180_000 },
    async () => {
      const dataDir = await tempDir();
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
      const env = { MERIDIAN_SESSION_TOKEN: 'loop-session', MERIDIAN_AGENT_TOKEN: AGENT_TOKEN };
      const acked = new Set<number>();
      let next = 1;
      let agentId = '';
      for (let round = 0; round < 3; round++) {
        const serve = await spawnServe(dataDir, env);
        cleanup.push(() => void serve.child.kill('SIGKILL'));
        const ws = new WebSocket(serve.ingestUrl, {
          headers: { Authorization: `Bearer ${AGENT_TOKEN}` },
        });
        let inFlight = 0;
        const target = acked.size + 150;
        const pump = () => {
          while (inFlight < 8 && ws.readyState === ws.OPEN) {
            inFlight++;
            const seq = next++;
            ws.send(
              JSON.stringify({
                type: 'metrics',
                seq,
                samples: [{ name: 'loop_probe', ts: BASE + seq * 1000, value: seq }],
              }),
            );
          }
        };
        ws.on('open', () => ws.send(JSON.stringify(hello({ hostname: 'loop-1' }))));
        ws.on('message', (d) => {
          const m = JSON.parse(String(d)) as { type: string; seq?: number; agentId?: string };
          if (m.type === 'welcome') {
            agentId = m.agentId!;
            pump();
          } else if (m.type === 'ack') {
            acked.add(m.seq!);
            inFlight--;
            pump();
          }
        });
        ws.on('error', () => {});
        await waitFor(() => acked.size >= target, 30_000, `acks in round ${round}`);
        serve.child.kill('SIGKILL');
        await new Promise((r) => serve.child.once('exit', r));
        ws.terminate();
      }
      const last = await spawnServe(dataDir, env);
      cleanup.push(() => void last.child.kill('SIGKILL'));
      const counts = new Map<number, number | null>();
      for (let from = BASE; from < BASE + next * 1000; from += 1_500_000) {
        const qs = new URLSearchParams({
          metric: 'loop_probe',
          agent: agentId,
          from: String(from),
          to: String(from + 1_500_000),
          step: '1000',
          agg: 'count',
        });
        const res = await fetch(`${last.apiUrl}/api/v1/query_range?${qs}`, {
          headers: { Authorization: 'Bearer loop-session' },
        });
        for (const [t, c] of ((await res.json()) as QueryRangeResult).series[0]!.points)
          counts.set(t, c);
      }
      const missing = [...acked].filter((seq) => counts.get(BASE + seq * 1000) !== 1);
      expect(missing, 'acked batches not stored exactly once').toEqual([]);
      expect([...counts.values()].every((c) => c === null || c === 1)).toBe(true);
    },
  );

  it('a reconnect storm after a console restart: all agents back, no offline alerts', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    let t: TestCore = await startTestCore({ dataDir, heartbeatIntervalMs: 1_000 });
    const ingestPort = t.addr.ingestPort;
    const sim = new Simulator({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      agents: 200,
      seed: 3,
      clock: systemClock,
    });
    cleanup.push(() => sim.stop());
    await sim.start(30_000);
    await waitFor(() => t.core.fleet.onlineCount() === 200, 30_000, 'all online');
    await t.stop({ keepDir: true });
    t = await startTestCore({ dataDir, heartbeatIntervalMs: 1_000, ingestPort });
    cleanup.push(() => t.stop());
    await waitFor(() => t.core.stats().agentsConnected === 200, 60_000, 'all 200 reconnected');
    await waitFor(() => t.core.fleet.onlineCount() === 200, 30_000, 'all online again');
    const open = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(
      open.filter((a) => a.ruleId === 'agent_offline' || a.ruleId.startsWith('region')),
    ).toEqual([]);
    const agents = (await t.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents;
    expect(agents).toHaveLength(200); // the same agents, not 200 new ones
  });

  it('fuzzed frames: the console stays up, closes each bad connection with a code, stores nothing from them', async () => {
    const t = await startTestCore();
    cleanup.push(() => t.stop());
    const legit = await connectAgent(t.addr.ingestUrl, { hostname: 'legit-1' });
    const rand = prng(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const valid = [
      JSON.stringify({ type: 'heartbeat' }),
      JSON.stringify({
        type: 'metrics',
        seq: 1,
        samples: [{ name: 'fuzz_probe', ts: BASE, value: 1 }],
      }),
    ];
    const mutate = (text: string): string | Buffer => {
      switch (Math.floor(rand() * 8)) {
        case 0: // flip random characters
          return [...text]
            .map((c) => (rand() < 0.1 ? String.fromCharCode(rand() * 0xffff) : c))
            .join('');
        case 1: // cut short
          return text.slice(0, Math.floor(rand() * text.length));
        case 2: // a value of the wrong kind
          return text.replace(
            /"value":1/,
            pick(['"value":"1"', '"value":1e999', '"value":null', '"value":[]']),
          );
        case 3: // prototype games
          return text.replace('"type"', pick(['"__proto__":{},"type"', '"constructor":1,"type"']));
        case 4: // deep nesting
          return `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
        case 5: // random bytes, sent binary or as text
          return Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256)));
        case 6: // an unknown field
          return text.replace('{', '{"extra":true,');
        default: // an enormous number of samples
          return JSON.stringify({
            type: 'metrics',
            seq: 2,
            samples: Array.from({ length: 6_000 }, () => ({
              name: 'fuzz_probe',
              ts: BASE,
              value: 2,
            })),
          });
      }
    };
    let closedWithCode = 0;
    let unanswered = 0;
    const FRAMES = 600;
    // After the mutated frame, a valid batch of the probe series: frames are taken in order, so a
    // connection the console kept open answers it. Every connection thus ends in a close or that
    // ack, waited for (not a fixed time, which a loaded machine can outlast).
    const SENTINEL_SEQ = 999;
    const sentinel = JSON.stringify({
      type: 'metrics',
      seq: SENTINEL_SEQ,
      samples: [{ name: 'fuzz_probe', ts: BASE, value: 1 }],
    });
    for (let i = 0; i < FRAMES; i += 30) {
      // Connections in parallel, 30 at a time, each: hello, then one mutated frame.
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          const conn = await openIngest(t.addr.ingestUrl);
          const sentinelAcked = new Promise<'acked'>((resolve) =>
            conn.ws.on('message', (data, isBinary) => {
              if (isBinary) return;
              const msg = JSON.parse(String(data)) as { type?: string; seq?: number };
              if (msg.type === 'ack' && msg.seq === SENTINEL_SEQ) resolve('acked');
            }),
          );
          conn.send(hello({ hostname: `fuzz-${Math.floor(rand() * 1e6)}` }));
          const frame = mutate(pick(valid));
          if (Buffer.isBuffer(frame)) conn.ws.send(frame, { binary: rand() < 0.5 });
          else conn.send(frame);
          conn.send(sentinel);
          let deadline: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([
            conn.closed,
            sentinelAcked,
            new Promise<'no answer'>((r) => (deadline = setTimeout(() => r('no answer'), WAIT_MS))),
          ]);
          clearTimeout(deadline);
          if (outcome === 'no answer') unanswered++;
          else if (outcome !== 'acked' && outcome.code >= 1000) closedWithCode++;
          conn.ws.terminate();
        }),
      );
    }
    expect(unanswered).toBe(0);
    expect(closedWithCode).toBeGreaterThan(FRAMES / 2);
    // Still up, still serving the agent that behaves.
    const health = await fetch(`${t.addr.apiUrl}/healthz`);
    expect(health.status).toBe(200);
    legit.send({ type: 'metrics', seq: 9, samples: [{ name: 'legit_probe', ts: BASE, value: 5 }] });
    expect(await legit.next<{ seq: number }>('ack')).toMatchObject({ seq: 9 });
    expect(
      await t.metric('meridian_frames_rejected_total', { reason: 'schema_violation' }),
    ).toBeGreaterThan(0);
    // Nothing from a rejected frame was stored (only the valid metrics frames may have been).
    const stored = t.core.store.head.headStats().rows;
    expect(stored).toBeLessThanOrEqual(FRAMES + 1);
  });

  it('clock steps: the console’s wall clock jumping does not make agents look silent; an agent clock far off is refused with a reason', async () => {
    const HEARTBEAT_MS = 1_000;
    const clock = new ManualClock(Date.now());
    const t = await startTestCore({ heartbeatIntervalMs: HEARTBEAT_MS }, { clock });
    cleanup.push(() => t.stop());
    let welcomed = false;
    const connecting = connectAgent(t.addr.ingestUrl, { hostname: 'clock-1' }).finally(
      () => (welcomed = true),
    );
    while (!welcomed) {
      clock.advance(5);
      await new Promise((r) => setTimeout(r, 20));
    }
    const a = await connecting;
    const beat = async () => {
      const at = clock.now();
      a.send({ type: 'heartbeat' });
      await waitFor(
        () => t.core.fleet.agent(a.agentId)?.lastHeartbeat === at,
        undefined,
        'heartbeat',
      );
    };
    const statusOf = () => t.core.fleet.agent(a.agentId)?.status;
    // The wall clock steps an hour forward, then two back (NTP, a user): heartbeats keep
    // coming every interval, so the agent stays online, with no offline alert.
    for (const step of [3_600_000, -7_200_000]) {
      clock.stepWall(step);
      for (let i = 0; i < 6; i++) {
        clock.advance(HEARTBEAT_MS);
        await beat();
        expect(statusOf()).toBe('online');
      }
    }
    const open = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(open.filter((x) => x.ruleId === 'agent_offline')).toEqual([]);
    // Silence is still seen, in monotonic time.
    clock.advance(3 * HEARTBEAT_MS + HEARTBEAT_MS / 2);
    expect(statusOf()).toBe('offline');
    await beat();

    // The agent's clock far ahead: refused with future_timestamp; far behind: too_old.
    const now = clock.now();
    const send = (seq: number, ts: number) => {
      a.send({ type: 'metrics', seq, samples: [{ name: 'clock_probe', ts, value: seq }] });
    };
    send(1, now + 3_600_000);
    expect(await a.next<{ code: string }>('error')).toMatchObject({ code: 'future_timestamp' });
    send(2, now - 12 * 3_600_000);
    expect(await a.next<{ code: string }>('error')).toMatchObject({ code: 'too_old' });
    // A correct sample after them is stored: neither blinded the series.
    send(3, now);
    clock.advance(100);
    await waitFor(
      async () => (await t.metric('meridian_samples_received_total')) >= 1,
      undefined,
      'the good sample stored',
    );
  });
});

import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { QueryRangeResult } from '../../shared/analysis.js';
import { WAIT_MS, tempDir, waitFor } from '../helpers/core.js';
import { spawnServe } from '../helpers/serve-process.js';

// Within the raw tier's retention (6 h), so the query reads raw samples.
const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const AGENTS = 6;
const BATCHES = 1_500;

const serve = (dataDir: string) =>
  spawnServe(dataDir, {
    MERIDIAN_SESSION_TOKEN: 'crash-session',
    MERIDIAN_AGENT_TOKEN: 'crash-agent',
  });

/** An agent that pipelines batches (one sample each, 1 s apart in time) and records which were acked. */
function loadAgent(
  url: string,
  hostname: string,
  acked: Set<number>,
  onId: (id: string) => void,
): WebSocket {
  const ws = new WebSocket(url, { headers: { Authorization: 'Bearer crash-agent' } });
  let seq = 0;
  let inFlight = 0;
  const pump = () => {
    while (inFlight < 16 && seq < BATCHES && ws.readyState === ws.OPEN) {
      seq++;
      inFlight++;
      ws.send(
        JSON.stringify({
          type: 'metrics',
          seq,
          samples: [{ name: 'crash_probe', ts: BASE + seq * 1000, value: seq }],
        }),
      );
    }
  };
  ws.on('open', () =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        hostname,
        region: 'us-east-1',
        agentType: 'system',
        version: 'test',
      }),
    ),
  );
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; seq?: number; agentId?: string };
    if (m.type === 'welcome') {
      onId(m.agentId!);
      pump();
    } else if (m.type === 'ack') {
      acked.add(m.seq!);
      inFlight--;
      pump();
    }
  });
  ws.on('error', () => {});
  return ws;
}

/** A new agent that sends one batch as soon as it is welcomed, and says when it is acked. */
function newAgent(url: string, hostname: string, onAcked: (agentId: string) => void): WebSocket {
  const ws = new WebSocket(url, { headers: { Authorization: 'Bearer crash-agent' } });
  let agentId = '';
  ws.on('open', () =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: 1,
        hostname,
        region: 'eu-west-1',
        agentType: 'application',
        version: 'test',
      }),
    ),
  );
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; agentId?: string };
    if (m.type === 'welcome') {
      agentId = m.agentId!;
      ws.send(
        JSON.stringify({
          type: 'metrics',
          seq: 1,
          samples: [{ name: 'first_probe', ts: BASE, value: 1 }],
        }),
      );
    } else if (m.type === 'ack') onAcked(agentId);
  });
  ws.on('error', () => {});
  return ws;
}

describe('kill -9 during ingest', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('keeps every acked batch, exactly once, after a restart', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serve(dataDir);
    cleanup.push(() => void first.child.kill('SIGKILL'));
    const acked = Array.from({ length: AGENTS }, () => new Set<number>());
    const ids: string[] = [];
    const sockets = acked.map((set, i) =>
      loadAgent(first.ingestUrl, `crash-${i}`, set, (id) => (ids[i] = id)),
    );
    // Let ingest run until a good number of batches are acked, then kill the console mid-stream.
    await waitFor(() => acked.every((s) => s.size >= 100), 2 * WAIT_MS, 'acks');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    sockets.forEach((ws) => ws.terminate());
    const ackedTotal = acked.reduce((n, s) => n + s.size, 0);
    expect(ackedTotal).toBeGreaterThan(AGENTS * 100);

    const second = await serve(dataDir);
    cleanup.push(() => void second.child.kill('SIGKILL'));
    for (let i = 0; i < AGENTS; i++) {
      const qs = new URLSearchParams({
        metric: 'crash_probe',
        agent: ids[i]!,
        from: String(BASE + 1000),
        to: String(BASE + (BATCHES + 1) * 1000),
        step: '1000',
        agg: 'count',
      });
      const res = await fetch(`${second.apiUrl}/api/v1/query_range?${qs}`, {
        headers: { Authorization: 'Bearer crash-session' },
      });
      const body = (await res.json()) as QueryRangeResult;
      const counts = new Map(body.series[0]!.points.map(([t, c]) => [(t - BASE) / 1000, c]));
      for (const seq of acked[i]!) expect(counts.get(seq), `agent ${i} batch ${seq}`).toBe(1);
      // Nothing is stored twice, acked or not.
      expect([...counts.values()].every((c) => c === null || c === 1)).toBe(true);
    }
  });

  it('keeps every agent that was welcomed (and the batch acked to it) while agents register', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serve(dataDir);
    cleanup.push(() => void first.child.kill('SIGKILL'));
    const acked = new Map<string, string>();
    const sockets: WebSocket[] = [];
    cleanup.push(() => sockets.forEach((ws) => ws.terminate()));
    // Agents keep arriving; the console dies while registrations are in flight.
    for (let i = 0; acked.size < 40 && i < 2_000; i++) {
      sockets.push(newAgent(first.ingestUrl, `fresh-${i}`, (id) => acked.set(id, `fresh-${i}`)));
      if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      if (i >= 200) await waitFor(() => acked.size >= 40, 15_000, 'acks');
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(acked.size).toBeGreaterThanOrEqual(40);

    const second = await serve(dataDir);
    cleanup.push(() => void second.child.kill('SIGKILL'));
    const headers = { Authorization: 'Bearer crash-session' };
    const res = await fetch(`${second.apiUrl}/api/v1/agents?region=eu-west-1&fields=id,hostname`, {
      headers,
    });
    const { agents } = (await res.json()) as { agents: { id: string; hostname: string }[] };
    const registered = new Map(agents.map((a) => [a.id, a.hostname]));
    for (const [id, hostname] of acked)
      expect(registered.get(id), `agent ${hostname}`).toBe(hostname);
    // Their acked samples are there, and belong to agents of the region (a region query goes
    // through the registry).
    const qs = new URLSearchParams({
      metric: 'first_probe',
      region: 'eu-west-1',
      from: String(BASE - 1000),
      to: String(BASE + 1000),
      step: '2000',
      agg: 'count',
    });
    const body = (await (
      await fetch(`${second.apiUrl}/api/v1/query_range?${qs}`, { headers })
    ).json()) as QueryRangeResult;
    const counted = body.series[0]!.points.reduce((n, [, c]) => n + (c ?? 0), 0);
    expect(counted).toBeGreaterThanOrEqual(acked.size);
  });
});

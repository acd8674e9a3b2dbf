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
});

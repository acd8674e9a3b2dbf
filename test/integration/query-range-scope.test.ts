// GET /api/v1/query_range through the real core: the service (agent type) filter the Trends
// page groups by, how many series each aggregated point stands for, and the flag on steps
// that are still filling. Live tails over the stream carry the same filter and counts.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { StreamTail } from '../../shared/api.js';
import { PARTIAL_SETTLE_MS } from '../../shared/api-constants.js';
import type { AgentType } from '../../shared/model.js';
import {
  SESSION_TOKEN,
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

// An hour ago, minute-aligned: long settled, inside the raw tier.
const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

describe('query_range scope, series counts and partial steps', () => {
  let t: TestCore | null = null;
  const agents: TestAgent[] = [];
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await t?.stop();
    t = null;
  });

  async function agent(hostname: string, region: string, agentType: AgentType, cpu: number) {
    const a = await connectAgent(t!.addr.ingestUrl, { hostname, region, agentType });
    agents.push(a);
    a.send({ type: 'metrics', seq: 1, samples: [{ name: 'cpu_usage', ts: BASE, value: cpu }] });
    await a.next('ack');
    return a;
  }

  const query = (params: Record<string, string>) =>
    t!.api<QueryRangeResult & { error?: { code: string; field?: string } }>(
      `/api/v1/query_range?${new URLSearchParams({
        metric: 'cpu_usage',
        from: String(BASE),
        to: String(BASE + 60_000),
        step: '60000',
        ...params,
      })}`,
    );

  it('filters by service within a region or the fleet, and counts the series per point', async () => {
    t = await startTestCore();
    await agent('db-1', 'eu-west-1', 'database', 10);
    await agent('db-2', 'eu-west-1', 'database', 20);
    await agent('app-1', 'eu-west-1', 'application', 90);
    await agent('db-3', 'us-east-1', 'database', 50);

    const dbWest = await query({ region: 'eu-west-1', service: 'database' });
    expect(dbWest.status).toBe(200);
    expect(dbWest.body.series[0]!.points).toEqual([[BASE, 15]]);
    expect(dbWest.body.series[0]!.seriesCounts).toEqual([2]);

    const west = await query({ region: 'eu-west-1' });
    expect(west.body.series[0]!.points).toEqual([[BASE, 40]]);
    expect(west.body.series[0]!.seriesCounts).toEqual([3]);

    const dbFleet = await query({ service: 'database', agg: 'max' });
    expect(dbFleet.body.series[0]!.points).toEqual([[BASE, 50]]);
    expect(dbFleet.body.series[0]!.seriesCounts).toEqual([3]);

    // No database agent in that region: no series, not an error.
    const none = await query({ region: 'us-west-2', service: 'database' });
    expect(none.status).toBe(200);
    expect(none.body.series).toEqual([]);

    // One agent's series: no counts (nothing is aggregated).
    const one = await query({ agent: agents[0]!.agentId });
    expect(one.body.series[0]!.seriesCounts).toBeUndefined();
    // An hour-old range is settled.
    expect(one.body.partialFrom).toBeNull();
  });

  it('refuses a bad service with a JSON 400 naming the field, and counts it', async () => {
    t = await startTestCore();
    const a = await agent('db-1', 'eu-west-1', 'database', 10);
    const before = await t.metric('meridian_api_requests_rejected_total', {
      reason: 'invalid_query',
    });
    const bad = await query({ region: 'eu-west-1', service: 'databse' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_query', field: 'service' });
    const withAgent = await query({ agent: a.agentId, service: 'database' });
    expect(withAgent.status).toBe(400);
    expect(withAgent.body.error).toMatchObject({ code: 'invalid_query', field: 'service' });
    expect(
      await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_query' }),
    ).toBe(before + 2);
  });

  it('flags the steps at the live edge as partial', async () => {
    t = await startTestCore();
    const a = await agent('db-1', 'eu-west-1', 'database', 10);
    const now = Date.now();
    a.send({ type: 'metrics', seq: 2, samples: [{ name: 'cpu_usage', ts: now, value: 30 }] });
    await a.next('ack');
    const res = await query({
      region: 'eu-west-1',
      from: String(now - 30_000),
      to: String(now + 1_000),
      step: '1000',
    });
    const { partialFrom, step, to } = res.body;
    expect(step).toBe(1000);
    // At least the step holding "now" is partial; every step that ended before now − settle is not.
    expect(partialFrom).not.toBeNull();
    expect(partialFrom!).toBeLessThanOrEqual(now);
    expect(partialFrom!).toBeGreaterThanOrEqual(now - PARTIAL_SETTLE_MS - step);
    expect(partialFrom!).toBeLessThan(to);
  });

  it('tails a service-filtered line live with its series counts', async () => {
    t = await startTestCore();
    const db1 = await agent('db-1', 'eu-west-1', 'database', 10);
    const db2 = await agent('db-2', 'eu-west-1', 'database', 20);
    const app = await agent('app-1', 'eu-west-1', 'application', 90);
    const viewer = new WebSocket(
      `${t.addr.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`,
    );
    const tails: StreamTail[] = [];
    const errors: { id: string; message: string }[] = [];
    viewer.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'tail') tails.push(m);
      if (m.type === 'tail_error') errors.push(m);
    });
    await new Promise((r) => viewer.once('open', r));
    // At the chart's step (2 s here): whole steps, aggregated by the console like the query's.
    viewer.send(
      JSON.stringify({
        type: 'tail',
        id: 'db',
        query: { metric: 'cpu_usage', region: 'eu-west-1', service: 'database', step: '2000' },
      }),
    );
    viewer.send(
      JSON.stringify({ type: 'tail', id: 'fine', query: { metric: 'cpu_usage', step: '500' } }),
    );
    // A 6 h chart past raw retention reads 1-minute rollups: its tail asks for 60 s steps.
    viewer.send(
      JSON.stringify({ type: 'tail', id: 'six-h', query: { metric: 'cpu_usage', step: '60000' } }),
    );
    viewer.send(
      JSON.stringify({ type: 'tail', id: 'coarse', query: { metric: 'cpu_usage', step: '60001' } }),
    );
    // Keep the three reporting (at most once a 200 ms, paced by the poll) until the tail
    // shows the databases' mean.
    let seq = 10;
    let sentAt = 0;
    const hit = await waitFor(
      () => {
        const ts = Date.now();
        if (ts - sentAt >= 200) {
          sentAt = ts;
          for (const [a, v] of [
            [db1, 40],
            [db2, 60],
            [app, 99],
          ] as const)
            a.send({ type: 'metrics', seq: ++seq, samples: [{ name: 'cpu_usage', ts, value: v }] });
        }
        return tails.find((m) =>
          m.points.some(([, v], i) => v === 50 && m.seriesCounts?.[i] === 2),
        );
      },
      undefined,
      'a tail point of the two database agents',
    );
    // Never the application agent's value in the databases' line; points on the 2 s grid.
    expect(hit.points.every(([, v]) => v === null || v <= 60)).toBe(true);
    expect(hit.points.every(([t]) => t % 2000 === 0)).toBe(true);
    await waitFor(() => tails.some((m) => m.id === 'six-h'), undefined, 'the 60 s tail');
    expect(errors).toEqual([
      expect.objectContaining({ id: 'fine', message: expect.stringContaining('/query/step') }),
      expect.objectContaining({ id: 'coarse', message: expect.stringContaining('/query/step') }),
    ]);
    viewer.close();
  });
});

import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PercentileRow, PerformanceTrend, QueryRangeResult } from '../../shared/analysis.js';
import {
  SESSION_TOKEN,
  connectAgent,
  startTestCore,
  tempDir,
  waitFor,
  type TestCore,
} from '../helpers/core.js';

// An hour ago, minute-aligned: inside the raw tier's retention (6 h).
const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

function batch(seq: number, samples: [string, number, number][], labels?: Record<string, string>) {
  return {
    type: 'metrics',
    seq,
    samples: samples.map(([name, ts, value]) => ({
      name,
      ts,
      value,
      ...(labels ? { labels } : {}),
    })),
  };
}

describe('metric store through ingest and /api/v1/query_range', () => {
  let t: TestCore | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  async function query(core: TestCore, params: Record<string, string | number>) {
    const qs = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    );
    return core.api<QueryRangeResult>(`/api/v1/query_range?${qs}`);
  }

  it('returns what was sent, and the same after a restart', async () => {
    const dataDir = await tempDir();
    t = await startTestCore({ dataDir });
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'ts-1' });
    const values = [10, 20, 30, 40, 50, 60];
    agent.send(
      batch(
        1,
        values.slice(0, 3).map((v, i) => ['queue_depth', BASE + i * 1000, v]),
      ),
    );
    agent.send(
      batch(
        2,
        values.slice(3).map((v, i) => ['queue_depth', BASE + (i + 3) * 1000, v]),
      ),
    );
    await agent.next('ack');
    await agent.next('ack');
    const params = {
      metric: 'queue_depth',
      agent: agent.agentId,
      from: BASE,
      to: BASE + 6000,
      step: 1000,
    };
    const first = await query(t, params);
    expect(first.status).toBe(200);
    expect(first.body.tier).toBe('raw');
    expect(first.body.series).toHaveLength(1);
    expect(first.body.series[0]!.points).toEqual(values.map((v, i) => [BASE + i * 1000, v]));
    await agent.close();
    await t.stop({ keepDir: true });

    t = await startTestCore({ dataDir });
    const again = await query(t, params);
    expect(again.body.series[0]!.points).toEqual(first.body.series[0]!.points);
    expect(await t.metric('meridian_wal_replay_corrupt_lines')).toBe(0);
  });

  it('stores a resent batch once', async () => {
    t = await startTestCore();
    const agent = await connectAgent(t.addr.ingestUrl);
    const frame = batch(7, [
      ['queue_depth', BASE, 5],
      ['queue_depth', BASE + 1000, 6],
    ]);
    agent.send(frame);
    await agent.next('ack');
    agent.send(frame); // the ack was "lost": the agent resends
    expect(await agent.next('ack')).toEqual({ type: 'ack', seq: 7 });
    const res = await query(t, {
      metric: 'queue_depth',
      agent: agent.agentId,
      from: BASE,
      to: BASE + 2000,
      step: 1000,
      agg: 'count',
    });
    expect(res.body.series[0]!.points).toEqual([
      [BASE, 1],
      [BASE + 1000, 1],
    ]);
    expect(await t.metric('meridian_samples_dropped_total', { reason: 'duplicate' })).toBe(2);
    await agent.close();
  });

  it('aggregates across the agents of a region and across the fleet', async () => {
    t = await startTestCore();
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'a', region: 'eu-west-1' });
    const b = await connectAgent(t.addr.ingestUrl, { hostname: 'b', region: 'eu-west-1' });
    const c = await connectAgent(t.addr.ingestUrl, { hostname: 'c', region: 'us-west-2' });
    for (const [agent, v] of [
      [a, 10],
      [b, 30],
      [c, 100],
    ] as const) {
      agent.send(batch(1, [['response_time', BASE, v]]));
      await agent.next('ack');
    }
    const region = await query(t, {
      metric: 'response_time',
      region: 'eu-west-1',
      from: BASE,
      to: BASE + 1000,
      step: 1000,
    });
    expect(region.body.series).toEqual([
      { agentId: null, labels: {}, points: [[BASE, 20]], seriesCounts: [2] },
    ]);
    const fleetMax = await query(t, {
      metric: 'response_time',
      from: BASE,
      to: BASE + 1000,
      step: 1000,
      agg: 'max',
    });
    expect(fleetMax.body.series[0]!.points).toEqual([[BASE, 100]]);
    const fleetSum = await query(t, {
      metric: 'response_time',
      from: BASE,
      to: BASE + 1000,
      step: 1000,
      agg: 'sum',
    });
    expect(fleetSum.body.series[0]!.points).toEqual([[BASE, 140]]);
    for (const x of [a, b, c]) await x.close();
  });

  it('decimates any range to at most 2,000 points and picks the tier by step', async () => {
    t = await startTestCore();
    const agent = await connectAgent(t.addr.ingestUrl);
    const now = Date.now();
    agent.send(batch(1, [['queue_depth', now - 1000, 1]]));
    await agent.next('ack');
    const day = await query(t, {
      metric: 'queue_depth',
      agent: agent.agentId,
      from: now - 86_400_000,
      to: now,
      step: 1000,
    });
    expect(day.body.series[0]!.points.length).toBeLessThanOrEqual(2_000);
    expect(day.body.step).toBeGreaterThanOrEqual(43_200);
    const month = await query(t, {
      metric: 'queue_depth',
      agent: agent.agentId,
      from: now - 30 * 86_400_000,
      to: now,
    });
    expect(month.body.tier).toBe('1h');
    expect(month.body.series[0]!.points.length).toBeLessThanOrEqual(2_000);
    await agent.close();
  });

  it('answers bad queries with 4xx naming the field', async () => {
    t = await startTestCore();
    const noMetric = await t.api<{ error: { field: string } }>('/api/v1/query_range');
    expect(noMetric.status).toBe(400);
    expect(noMetric.body.error.field).toBe('metric');
    const badAgg = await t.api<{ error: { field: string } }>(
      '/api/v1/query_range?metric=x&agg=median',
    );
    expect(badAgg.body.error.field).toBe('agg');
    const backwards = await t.api<{ error: { field: string } }>(
      '/api/v1/query_range?metric=x&from=2000&to=1000',
    );
    expect(backwards.status).toBe(400);
    const unknownAgent = await t.api('/api/v1/query_range?metric=x&agent=agt-none');
    expect(unknownAgent.status).toBe(404);
  });

  it('loads the rest of a WAL whose last line is torn, and counts it as torn (no alert: never acked)', async () => {
    const dataDir = await tempDir();
    t = await startTestCore({ dataDir });
    const agent = await connectAgent(t.addr.ingestUrl);
    agent.send(
      batch(1, [
        ['queue_depth', BASE, 1],
        ['queue_depth', BASE + 1000, 2],
      ]),
    );
    await agent.next('ack');
    await agent.close();
    // Simulate a crash mid-write: stop without the final checkpoint, then tear the WAL.
    await t.core.stop();
    const walDir = join(dataDir, 'tsdb');
    const segments = (await readdir(walDir)).filter((f) => f.startsWith('wal-')).sort();
    await appendFile(
      join(walDir, segments[segments.length - 1]!),
      '1234abcd {"this line was cut sho',
    );
    t = await startTestCore({ dataDir });
    const res = await query(t, {
      metric: 'queue_depth',
      agent: agent.agentId,
      from: BASE,
      to: BASE + 2000,
      step: 1000,
    });
    expect(res.body.series[0]!.points).toEqual([
      [BASE, 1],
      [BASE + 1000, 2],
    ]);
    expect(await t.metric('meridian_wal_replay_torn_lines')).toBe(1);
    expect(await t.metric('meridian_wal_replay_corrupt_lines')).toBe(0);
    const open = await t.api<{ alerts: { ruleId: string }[] }>('/api/v1/alerts?state=open');
    expect(open.body.alerts.map((a) => a.ruleId)).not.toContain('wal_corrupt');
  });
});

describe('performance analysis and live tails', () => {
  let t: TestCore;
  afterEach(async () => {
    await t.stop();
  });

  it('finds a degrading trend and response-time percentiles through the API', async () => {
    t = await startTestCore();
    const db = await connectAgent(t.addr.ingestUrl, {
      hostname: 'db-1',
      region: 'eu-west-1',
      agentType: 'database',
    });
    const app = await connectAgent(t.addr.ingestUrl, {
      hostname: 'app-1',
      region: 'eu-west-1',
      agentType: 'application',
    });
    const now = Date.now();
    // Memory climbing from 40 % to 70 % over the last hour, a sample a minute.
    const climb = Array.from(
      { length: 60 },
      (_, i) => ['memory_usage', now - (60 - i) * 60_000, 40 + i * 0.5] as [string, number, number],
    );
    db.send(batch(1, climb));
    await db.next('ack');
    // Flat memory and response times 1..100 ms on the application host.
    const flat = Array.from(
      { length: 60 },
      (_, i) => ['memory_usage', now - (60 - i) * 60_000, 50 + (i % 2)] as [string, number, number],
    );
    const rt = Array.from(
      { length: 100 },
      (_, i) => ['response_time', now - 50 * 60_000 + i * 1000, i + 1] as [string, number, number],
    );
    app.send(batch(1, [...flat, ...rt]));
    await app.next('ack');

    const { body } = await t.api<{ trends: PerformanceTrend[] }>(
      '/api/v1/trends?fresh=1&window=1h&region=eu-west-1&metric=memory_usage',
    );
    const byService = Object.fromEntries(body.trends.map((x) => [x.service, x]));
    expect(byService.database).toMatchObject({
      direction: 'degrading',
      polarity: 'lower_is_better',
    });
    expect(byService.database!.slopePerHour).toBeCloseTo(30, 0);
    expect(byService.database!.rSquared).toBeGreaterThan(0.95);
    expect(byService.application!.direction).toBe('stable');
    const degrading = await t.api<{ trends: PerformanceTrend[] }>(
      '/api/v1/trends?direction=degrading',
    );
    expect(degrading.body.trends[0]!.id).toBe('eu-west-1/database/memory_usage/1h');

    const pct = await t.api<{ rows: PercentileRow[] }>(
      '/api/v1/percentiles?metric=response_time&window=1h',
    );
    expect(pct.body.rows).toEqual([
      expect.objectContaining({
        regionId: 'eu-west-1',
        service: 'application',
        count: 100,
        p50: 50.5,
        p95: 95.05,
        p99: 99.01,
      }),
    ]);
    await db.close();
    await app.close();
  });

  it('streams live tail points for a subscribed series', async () => {
    t = await startTestCore();
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'tail-1' });
    const viewer = new WebSocket(
      `${t.addr.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`,
    );
    const tails: { id: string; points: [number, number | null][] }[] = [];
    const errors: unknown[] = [];
    viewer.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'tail') tails.push(m);
      if (m.type === 'tail_error') errors.push(m);
    });
    await new Promise((r) => viewer.once('open', r));
    viewer.send(
      JSON.stringify({
        type: 'tail',
        id: 'chart-1',
        query: { metric: 'queue_depth', agent: agent.agentId },
      }),
    );
    viewer.send(JSON.stringify({ type: 'tail', id: 'bad', query: { metric: 'x', colour: 'red' } }));
    agent.send(batch(1, [['queue_depth', Date.now(), 42]]));
    await agent.next('ack');
    const hit = await waitFor(
      () => tails.find((m) => m.id === 'chart-1' && m.points.some(([, v]) => v === 42)),
      undefined,
      'tail point',
    );
    expect(hit.points.length).toBeLessThanOrEqual(6);
    expect(errors).toEqual([
      expect.objectContaining({
        type: 'tail_error',
        message: expect.stringContaining('/query/colour'),
      }),
    ]);
    viewer.close();
    await agent.close();
  });
});

describe('agent clocks', () => {
  it('drops samples stamped far in the future, so one bad clock cannot blind a series', async () => {
    const t = await startTestCore();
    try {
      const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'skewed' });
      const now = Date.now();
      agent.send(
        batch(1, [
          ['queue_depth', now + 365 * 86_400_000, 1],
          ['queue_depth', now, 2],
        ]),
      );
      const error = await agent.next<{ code: string }>('error');
      expect(error.code).toBe('future_timestamp');
      await agent.next('ack');
      agent.send(batch(2, [['queue_depth', now + 1000, 3]]));
      await agent.next('ack');
      const res = await t.api<QueryRangeResult>(
        `/api/v1/query_range?metric=queue_depth&agent=${agent.agentId}&from=${now}&to=${now + 2000}&step=1000`,
      );
      expect(res.body.series[0]!.points.flatMap(([, v]) => (v === null ? [] : [v]))).toEqual([
        2, 3,
      ]);
      expect(await t.metric('meridian_samples_dropped_total', { reason: 'future_timestamp' })).toBe(
        1,
      );
      await agent.close();
    } finally {
      await t.stop();
    }
  });
});

// GET /api/v1/agents a page at a time, and POST /api/v1/agents/:id/decommission, through the
// real API, with real agents over WebSockets.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentsPage, DecommissionResponse, StreamChanges } from '../../shared/api.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Alert, Region } from '../../shared/model.js';
import {
  WAIT_MS,
  connectAgent,
  metricsFrame,
  SESSION_TOKEN,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { readRegistryFile } from '../helpers/registry-file.js';

let t: TestCore | null = null;
const sockets: TestAgent[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.ws.terminate();
  await t?.stop();
  t = null;
});

async function fleetOf(n: number, region = 'us-east-1') {
  t ??= await startTestCore({ heartbeatIntervalMs: 600_000 });
  const agents = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      connectAgent(t!.addr.ingestUrl, { hostname: `${region}-h${i}`, region }),
    ),
  );
  sockets.push(...agents);
  return agents;
}

describe('GET /api/v1/agents', () => {
  it('pages through every agent in id order with an opaque cursor', async () => {
    await fleetOf(7, 'us-east-1');
    await fleetOf(5, 'eu-west-1');
    const ids = [...sockets.map((s) => s.agentId)].sort();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/api/v1/agents?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await t!.api<AgentsPage>(path);
      expect(status).toBe(200);
      expect(body.agents.length).toBeLessThanOrEqual(5);
      seen.push(...body.agents.map((a) => a.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    // Without limit: one page (up to 1,000), no cursor.
    const all = (await t!.api<AgentsPage>('/api/v1/agents')).body;
    expect(all.agents.map((a) => a.id)).toEqual(ids);
    expect(all.nextCursor).toBeNull();
  });

  it('filters by region and status and selects fields', async () => {
    await fleetOf(4, 'us-east-1');
    await fleetOf(3, 'eu-west-1');
    const euIds = sockets.slice(4).map((s) => s.agentId);
    await sockets[4]!.close();
    await waitFor(() => t!.core.fleet.agent(euIds[0]!)?.status === 'offline', WAIT_MS, 'offline');

    const eu = (await t!.api<AgentsPage>('/api/v1/agents?region=eu-west-1&limit=2')).body;
    expect(eu.agents.map((a) => a.id)).toEqual([...euIds].sort().slice(0, 2));
    const next = (
      await t!.api<AgentsPage>(`/api/v1/agents?region=eu-west-1&limit=2&cursor=${eu.nextCursor}`)
    ).body;
    expect(next.agents.map((a) => a.id)).toEqual([...euIds].sort().slice(2));
    expect(next.nextCursor).toBeNull();

    const offline = (
      await t!.api<AgentsPage>('/api/v1/agents?status=offline&fields=id,hostname,status')
    ).body;
    expect(offline.agents).toEqual([{ id: euIds[0], hostname: 'eu-west-1-h0', status: 'offline' }]);
    // `id` always comes, even when not asked for.
    const slim = (await t!.api<AgentsPage>('/api/v1/agents?fields=hostname&limit=1')).body;
    expect(Object.keys(slim.agents[0]!).sort()).toEqual(['hostname', 'id']);
  });

  it.each([
    ['limit=0', 'limit', 'invalid_query'],
    ['limit=1001', 'limit', 'invalid_query'],
    ['limit=abc', 'limit', 'invalid_query'],
    ['cursor=***', 'cursor', 'invalid_query'],
    ['cursor=Zm9vIGJhcg', 'cursor', 'invalid_query'], // "foo bar": not an id
    ['fields=id,password', 'fields', 'invalid_query'],
    ['fields=id,,status', 'fields', 'invalid_query'],
    ['status=gone', 'status', 'invalid_query'],
    ['sort=id', 'sort', 'invalid_query'],
  ])('refuses %s with a 400 naming the field', async (qs, field, code) => {
    t = await startTestCore();
    const { status, body } = await t.api<{ error: { code: string; field: string } }>(
      `/api/v1/agents?${qs}`,
    );
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code, field });
    expect(await t.metric('meridian_api_requests_rejected_total', { reason: code })).toBe(1);
  });
});

describe('POST /api/v1/agents/:id/decommission', () => {
  it('retires an offline agent: region counts, alerts, stream, registry; history stays', async () => {
    const [keep, retire] = await fleetOf(2);
    retire!.send(metricsFrame([{ name: 'cpu_usage', value: 97 }]));
    await retire!.next('ack');
    const viewer = await openStream(t!);
    await retire!.close();
    await waitFor(
      () => t!.core.alerts.openFor('agent_offline', retire!.agentId),
      WAIT_MS,
      'offline alert',
    );
    const region = () => t!.core.fleet.region('us-east-1')!;
    expect([region().agentCount, region().onlineCount, region().status]).toEqual([
      2,
      1,
      'degraded',
    ]);
    const before = (await t!.api<{ alerts: Alert[] }>(`/api/v1/alerts?agent=${retire!.agentId}`))
      .body.alerts;
    expect(before.map((a) => a.ruleId).sort()).toEqual(['agent_offline', 'cpu_usage']);

    const res = await t!.api<DecommissionResponse>(
      `/api/v1/agents/${retire!.agentId}/decommission`,
      { method: 'POST', body: JSON.stringify({ by: 'alice', comment: 'host replaced' }) },
    );
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({ id: retire!.agentId, status: 'offline' });
    expect(res.body.resolvedAlerts.sort()).toEqual(before.map((a) => a.id).sort());

    // The region counts only the agent that is left, and is healthy again.
    expect(region()).toMatchObject({ agentCount: 1, onlineCount: 1, status: 'active' });
    const regions = (await t!.api<{ regions: Region[] }>('/api/v1/regions')).body.regions;
    expect(regions.find((r) => r.id === 'us-east-1')).toMatchObject({ agentCount: 1 });
    // Its alerts resolved as by the operator, with the reason; the region alert resolved too.
    for (const id of res.body.resolvedAlerts) {
      const { alert } = (await t!.api<{ alert: Alert }>(`/api/v1/alerts/${id}`)).body;
      expect(alert).toMatchObject({ state: 'resolved', resolvedBy: 'alice' });
      expect(alert.history.at(-1)!.comment).toBe('agent decommissioned: host replaced');
    }
    expect(t!.core.alerts.openFor('region_status', 'us-east-1')).toBeUndefined();
    // Gone from the registry, in memory and on disk; the stream says so.
    const listed = (await t!.api<AgentsPage>('/api/v1/agents')).body.agents.map((a) => a.id);
    expect(listed).toEqual([keep!.agentId]);
    expect([...(await readRegistryFile(t!.dataDir)).agents.keys()]).toEqual([keep!.agentId]);
    const change = await viewer.until((m) => m.removedAgents.includes(retire!.agentId));
    expect(change.regions.find((r) => r.id === 'us-east-1')?.agentCount).toBe(1);
    viewer.close();
    // Its metric history stays queryable.
    const q = await t!.api<QueryRangeResult>(
      `/api/v1/query_range?metric=cpu_usage&agent=${retire!.agentId}&agg=max`,
    );
    expect(q.status).toBe(200);
    expect(q.body.series[0]!.points.some(([, v]) => v === 97)).toBe(true);
    expect(await t!.metric('meridian_agents_registered')).toBe(1);

    // The same host connecting later registers afresh.
    const again = await connectAgent(t!.addr.ingestUrl, { hostname: 'us-east-1-h1' });
    sockets.push(again);
    const fresh = t!.core.fleet.agent(again.agentId)!;
    expect(fresh).toMatchObject({ metricsCount: 0, alertsCount: 0, status: 'online' });
    expect(fresh.registeredAt).toBeGreaterThanOrEqual(res.body.agent.statusChangedAt);
    expect(region().agentCount).toBe(2);
  });

  it('refuses an online agent (409) and an unknown one (404), as JSON', async () => {
    const [online] = await fleetOf(1);
    const post = (id: string) =>
      t!.api<{ error: { code: string; message: string } }>(`/api/v1/agents/${id}/decommission`, {
        method: 'POST',
        body: '{}',
      });
    const busy = await post(online!.agentId);
    expect(busy.status).toBe(409);
    expect(busy.body.error).toEqual({
      code: 'agent_online',
      message: 'agent is online; stop it first',
    });
    expect(t!.core.fleet.agent(online!.agentId)).toBeDefined();
    const missing = await post('agt-nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const bad = await t!.api<{ error: { field: string } }>(
      `/api/v1/agents/${online!.agentId}/decommission`,
      { method: 'POST', body: JSON.stringify({ reason: 'x' }) },
    );
    expect(bad.status).toBe(400);
  });

  it('frees a slot under the cap: the "registry full" alert resolves and a new agent gets in', async () => {
    t = await startTestCore({ maxAgents: 2, heartbeatIntervalMs: 600_000 });
    const [a] = await fleetOf(2);
    const refused = await connectOrClose(t, 'third');
    expect(refused).toEqual({ code: 4011 });
    const limit = () =>
      t!.core.alerts.list({ state: 'open' }).find((x) => x.ruleId === 'agent_limit');
    expect(limit()).toBeDefined();
    await a!.close();
    await waitFor(() => t!.core.fleet.agent(a!.agentId)?.status === 'offline', WAIT_MS, 'offline');
    const res = await t.api(`/api/v1/agents/${a!.agentId}/decommission`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(limit()).toBeUndefined();
    const resolved = t.core.alerts
      .list({ state: 'resolved' })
      .find((x) => x.ruleId === 'agent_limit');
    expect(resolved?.resolvedBy).toBe('auto');
    expect(await connectOrClose(t, 'third')).toEqual({ welcomed: true });
  });

  it('a decommission survives a restart', async () => {
    const [, retire] = await fleetOf(2);
    await retire!.close();
    await waitFor(() => t!.core.fleet.agent(retire!.agentId)?.status === 'offline', WAIT_MS, 'off');
    await t!.api(`/api/v1/agents/${retire!.agentId}/decommission`, { method: 'POST', body: '{}' });
    const dataDir = t!.dataDir;
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t!.stop({ keepDir: true });
    t = await startTestCore({ dataDir });
    expect(t.core.fleet.agent(retire!.agentId)).toBeUndefined();
    expect(t.core.fleet.region('us-east-1')!.agentCount).toBe(1);
  });
});

async function connectOrClose(
  core: TestCore,
  hostname: string,
): Promise<{ welcomed: true } | { code: number }> {
  const ws = new WebSocket(core.addr.ingestUrl, {
    headers: { Authorization: 'Bearer test-agent-token' },
  });
  return new Promise((resolve) => {
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          hostname,
          region: 'us-east-1',
          agentType: 'system',
          version: 't',
        }),
      ),
    );
    ws.on('message', () => {
      resolve({ welcomed: true });
      ws.terminate();
    });
    ws.on('close', (code) => resolve({ code }));
  });
}

async function openStream(core: TestCore) {
  const ws = new WebSocket(`${core.addr.apiUrl.replace('http', 'ws')}/api/v1/stream`, {
    headers: { Authorization: `Bearer ${SESSION_TOKEN}` },
  });
  const changes: StreamChanges[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d)) as { type: string };
    if (msg.type !== 'changes') return;
    changes.push(msg as StreamChanges);
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise((r) => ws.once('open', r));
  return {
    close: () => ws.close(),
    async until(pred: (m: StreamChanges) => boolean): Promise<StreamChanges> {
      for (;;) {
        const hit = changes.find(pred);
        if (hit) return hit;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

// Incidents through the real core: agents over real WebSockets, the REST routes over HTTP, the
// stream over a WebSocket, files in a temp dir, a restart.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamChanges, StreamSnapshot } from '../../shared/api.js';
import type { Incident } from '../../shared/incidents.js';
import type { Alert, Region } from '../../shared/model.js';
import type { MaintenanceView, SilenceView } from '../../shared/silences.js';
import {
  SESSION_TOKEN,
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const REGION = 'ap-northeast-1';
type Msg = StreamSnapshot | StreamChanges | { type: string };

describe('incidents over the API', () => {
  let t: TestCore | null = null;
  const agents: TestAgent[] = [];
  const viewers: WebSocket[] = [];
  afterEach(async () => {
    for (const v of viewers.splice(0)) v.terminate();
    for (const a of agents.splice(0)) await a.close().catch(() => {});
    await t?.stop();
    t = null;
  });

  const post = <T>(core: TestCore, path: string, body: unknown) =>
    core.api<T>(path, { method: 'POST', body: JSON.stringify(body) });
  const incidents = async (core: TestCore, q = '') =>
    (await core.api<{ incidents: Incident[] }>(`/api/v1/incidents${q}`)).body.incidents;

  async function fleetOf(core: TestCore, region: string, n: number): Promise<TestAgent[]> {
    const out: TestAgent[] = [];
    for (let i = 0; i < n; i++) {
      const a = await connectAgent(core.addr.ingestUrl, { hostname: `${region}-${i}`, region });
      agents.push(a);
      out.push(a);
    }
    return out;
  }

  function viewer(core: TestCore): Msg[] {
    const ws = new WebSocket(
      `${core.addr.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`,
    );
    viewers.push(ws);
    const messages: Msg[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Msg));
    return messages;
  }

  it('a region outage of 75 % is one incident on the API and the stream; ack, assign, comment, resolve record `by`', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 60_000 });
    const messages = viewer(t);
    await waitFor(() => messages.some((m) => m.type === 'snapshot'), undefined, 'snapshot');
    const snapshot = messages.find((m) => m.type === 'snapshot') as StreamSnapshot;
    expect(snapshot.incidents).toEqual([]);
    const tokyo = await fleetOf(t, REGION, 8);
    for (const a of tokyo.slice(0, 6)) await a.close();
    const core = t;
    const [inc] = await waitFor(
      async () => {
        const list = await incidents(core, `?region=${REGION}`);
        const i = list[0];
        return list.length === 1 && i?.alerts.filter((r) => r.effect).length === 6 ? list : null;
      },
      undefined,
      'one incident with six effects',
    );
    expect(inc).toMatchObject({ grouping: 'region_cause', state: 'open', severity: 'critical' });
    expect(await incidents(t)).toHaveLength(1);
    const detail = await t.api<{ incident: Incident; alerts: Alert[] }>(
      `/api/v1/incidents/${inc!.id}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body.alerts).toHaveLength(7);
    expect(detail.body.alerts.find((a) => a.id === inc!.causeAlertId)?.ruleId).toBe(
      'region_status',
    );
    // The stream carries the incident as it changes.
    await waitFor(
      () =>
        messages.some(
          (m) =>
            m.type === 'changes' &&
            (m as StreamChanges).incidents?.some((i) => i.id === inc!.id && i.alerts.length === 7),
        ),
      undefined,
      'the incident on the stream',
    );

    const ack = await post<{ incident: Incident }>(t, `/api/v1/incidents/${inc!.id}/ack`, {
      by: 'alice',
      comment: 'on it',
    });
    expect(ack.status).toBe(200);
    expect(ack.body.incident).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    const alerts = (await t.api<{ alerts: Alert[] }>(`/api/v1/alerts?region=${REGION}`)).body
      .alerts;
    expect(alerts.every((a) => a.state === 'acknowledged' && a.acknowledgedBy === 'alice')).toBe(
      true,
    );
    const again = await post(t, `/api/v1/incidents/${inc!.id}/ack`, { by: 'alice' });
    expect(again.status).toBe(409);
    await post(t, `/api/v1/incidents/${inc!.id}/assign`, { owner: 'bob', by: 'alice' });
    await post(t, `/api/v1/incidents/${inc!.id}/comment`, { text: 'carrier fault', by: 'bob' });
    expect((await incidents(t, '?q=CARRIER')).map((i) => i.id)).toEqual([inc!.id]);
    expect(await incidents(t, '?q=nothing-like-this')).toEqual([]);
    expect((await incidents(t, `?agent=${tokyo[2]!.agentId}`)).map((i) => i.id)).toEqual([inc!.id]);
    // Resolving by hand while the agents are still down: resolved, under one silence.
    const res = await post<{ incident: Incident; silence: SilenceView | null }>(
      t,
      `/api/v1/incidents/${inc!.id}/resolve`,
      { by: 'carol', silenceMinutes: 30 },
    );
    expect(res.status).toBe(200);
    expect(res.body.incident).toMatchObject({ state: 'resolved', owner: 'bob' });
    expect(res.body.silence).toMatchObject({ state: 'active', createdBy: 'carol' });
    expect(res.body.silence!.matchers).toContainEqual({ name: 'region', op: '=', value: REGION });
    const timeline = res.body.incident.timeline.map((e) => `${e.kind}:${e.by}`);
    expect(timeline).toEqual(
      expect.arrayContaining([
        'acknowledged:alice',
        'assigned:alice',
        'commented:bob',
        'resolved:carol',
      ]),
    );
    const silences = (await t.api<{ silences: SilenceView[] }>('/api/v1/silences?state=active'))
      .body.silences;
    expect(silences.map((s) => s.id)).toEqual([res.body.silence!.id]);
  });

  it('incidents and silences survive a restart (incidents.ndjson, silences.ndjson)', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 60_000 });
    const [a] = await fleetOf(t, 'eu-west-1', 10);
    await a!.close();
    const core = t;
    const [inc] = await waitFor(async () => {
      const list = await incidents(core);
      return list.length === 1 ? list : null;
    });
    await post(t, `/api/v1/incidents/${inc!.id}/comment`, { text: 'kept', by: 'alice' });
    const silence = await post<{ silence: SilenceView }>(t, '/api/v1/silences', {
      matchers: [{ name: 'region', op: '=', value: 'us-west-2' }],
      durationMinutes: 60,
      by: 'alice',
    });
    expect(silence.status).toBe(200);
    const dataDir = t.dataDir;
    agents.splice(0).forEach((x) => x.ws.terminate());
    await t.stop({ keepDir: true });
    t = await startTestCore({ dataDir, heartbeatIntervalMs: 60_000 });
    const back = await t.api<{ incident: Incident }>(`/api/v1/incidents/${inc!.id}`);
    expect(back.status).toBe(200);
    expect(back.body.incident.timeline.some((e) => e.text === 'kept' && e.by === 'alice')).toBe(
      true,
    );
    const list = (await t.api<{ silences: SilenceView[] }>('/api/v1/silences')).body.silences;
    expect(list.map((s) => s.id)).toEqual([silence.body.silence.id]);
  });

  it('resolving an offline agent by hand while it is still down: resolved under a silence with an end', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 60_000 });
    const [a] = await fleetOf(t, 'us-west-2', 10);
    await a!.close();
    const core = t;
    const alert = await waitFor(async () =>
      (await core.api<{ alerts: Alert[] }>('/api/v1/alerts?state=firing')).body.alerts.find(
        (x) => x.ruleId === 'agent_offline',
      ),
    );
    const res = await post<{ alert: Alert; silence?: SilenceView }>(
      t,
      `/api/v1/alerts/${alert.id}/resolve`,
      { by: 'alice', comment: 'rebuilding', silenceMinutes: 15 },
    );
    expect(res.status).toBe(200);
    expect(res.body.alert).toMatchObject({ state: 'resolved', resolvedBy: 'alice' });
    expect(res.body.silence!.endsAt - res.body.silence!.startsAt).toBe(15 * 60_000);
    expect(res.body.silence!.matchers).toContainEqual({
      name: 'agent',
      op: '=',
      value: a!.agentId,
    });
    // Expired early: the console checks again, and the agent, still down, fires again.
    const expired = await t.api<{ silence: SilenceView }>(
      `/api/v1/silences/${res.body.silence!.id}?by=bob`,
      { method: 'DELETE' },
    );
    expect(expired.body.silence).toMatchObject({ state: 'expired', expiredBy: 'bob' });
    const refired = await waitFor(async () =>
      (await core.api<{ alerts: Alert[] }>('/api/v1/alerts?state=firing')).body.alerts.find(
        (x) => x.ruleId === 'agent_offline' && x.id !== alert.id,
      ),
    );
    expect(refired.subject.agentId).toBe(a!.agentId);
  });

  it('a maintenance window puts the region in maintenance; bad input is a 400 naming the field', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 60_000 });
    const now = Date.now();
    const bad = [
      [
        {
          name: 'x',
          regions: ['nowhere'],
          schedule: { kind: 'once', startsAt: now, endsAt: now + 1 },
        },
        'regions/0',
      ],
      [
        {
          name: 'x',
          regions: [REGION],
          schedule: {
            kind: 'weekly',
            days: ['mon'],
            time: '02:00',
            durationMinutes: 60,
            timeZone: 'Mars/Olympus',
          },
        },
        'schedule/timeZone',
      ],
      [
        {
          name: 'x',
          regions: [REGION],
          schedule: {
            kind: 'weekly',
            days: ['mon'],
            time: '25:00',
            durationMinutes: 60,
            timeZone: 'UTC',
          },
        },
        'schedule/time',
      ],
    ] as const;
    for (const [body, field] of bad) {
      const r = await post<{ error: { field?: string } }>(t, '/api/v1/maintenance', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.field).toBe(field);
    }
    const badSilence = await post<{ error: { field?: string } }>(t, '/api/v1/silences', {
      matchers: [{ name: 'agent', op: '=~', value: '(' }],
      durationMinutes: 10,
    });
    expect(badSilence.status).toBe(400);
    expect(badSilence.body.error.field).toBe('matchers/0/value');
    const everything = await post<{ error: { field?: string } }>(t, '/api/v1/silences', {
      matchers: [{ name: 'agent', op: '=~', value: '.*' }],
      durationMinutes: 10,
    });
    expect(everything.body.error.field).toBe('matchers');
    expect(
      await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_body' }),
    ).toBeGreaterThan(0);

    const created = await post<{ window: MaintenanceView }>(t, '/api/v1/maintenance', {
      name: 'switch upgrade',
      regions: [REGION],
      schedule: { kind: 'once', startsAt: now - 1_000, endsAt: now + 3_600_000 },
      by: 'alice',
    });
    expect(created.status).toBe(200);
    expect(created.body.window).toMatchObject({ active: true, createdBy: 'alice' });
    const region = async () =>
      (await t!.api<{ regions: Region[] }>('/api/v1/regions')).body.regions.find(
        (r) => r.id === REGION,
      )!;
    expect((await region()).status).toBe('maintenance');
    const removed = await t.api(`/api/v1/maintenance/${created.body.window.id}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(200);
    expect((await region()).status).toBe('active');
  });

  it('with several operators configured, an action without `by` is a 400 naming it', async () => {
    t = await startTestCore({ operators: ['alice', 'bob'] });
    const [a] = await fleetOf(t, 'eu-west-1', 10);
    await a!.close();
    const core = t;
    const [inc] = await waitFor(async () => {
      const list = await incidents(core);
      return list.length === 1 ? list : null;
    });
    const r = await post<{ error: { field?: string } }>(t, `/api/v1/incidents/${inc!.id}/ack`, {});
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('by');
    const alert = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts')).body.alerts[0]!;
    const r2 = await post<{ error: { field?: string } }>(t, `/api/v1/alerts/${alert.id}/ack`, {});
    expect(r2.status).toBe(400);
    const ok = await post<{ alert: Alert }>(t, `/api/v1/alerts/${alert.id}/ack`, { by: 'bob' });
    expect(ok.body.alert.acknowledgedBy).toBe('bob');
  });
});

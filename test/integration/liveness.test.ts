import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Alert, Region } from '../../shared/model.js';
import {
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const INTERVAL = 200;

describe('agent liveness and region health', () => {
  let t: TestCore;
  const agents: TestAgent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) a.ws.terminate();
    await t.stop();
  });

  async function statusOf(id: string) {
    return t.core.fleet.agent(id)?.status;
  }

  it('a killed socket makes the agent offline at once and raises agent_offline; reconnecting resolves it with the same id', async () => {
    t = await startTestCore({ heartbeatIntervalMs: INTERVAL });
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'edge-1' });
    a.ws.terminate();
    await waitFor(async () => (await statusOf(a.agentId)) === 'offline', undefined, 'offline');
    const open = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    // Its region's only agent is gone too, so the region has failed.
    expect(open.map((x) => [x.ruleId, x.severity, x.subjectKey]).sort()).toEqual([
      ['agent_offline', 'critical', a.agentId],
      ['region_status', 'critical', 'us-east-1'],
    ]);

    const back = await connectAgent(t.addr.ingestUrl, { hostname: 'edge-1' });
    agents.push(back);
    expect(back.agentId).toBe(a.agentId);
    expect(await statusOf(a.agentId)).toBe('online');
    expect(
      (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts,
    ).toHaveLength(0);
  });

  it('an agent that stops heartbeating goes offline after 3 intervals, not before', async () => {
    // The core runs on a ManualClock: the test steps through the intervals exactly. (With real
    // sleeps a busy machine delays heartbeats past the watchdog's limit, and elapsed-time
    // assertions measure the scheduler, not the core.) Manual time is free, so a 1 s interval.
    const HEARTBEAT_MS = 1_000;
    const clock = new ManualClock(Date.now());
    t = await startTestCore({ heartbeatIntervalMs: HEARTBEAT_MS }, { clock });
    // The registration is made durable (a group commit on the core's clock) before the welcome:
    // nudge the clock in small steps, giving the write real time, until the welcome is in.
    let welcomed = false;
    const connecting = connectAgent(t.addr.ingestUrl, { hostname: 'quiet-1' }).finally(
      () => (welcomed = true),
    );
    while (!welcomed) {
      clock.advance(5);
      await new Promise((r) => setTimeout(r, 20));
    }
    const a = await connecting;
    agents.push(a);
    /** Send a heartbeat and wait until the core has taken it (stamped with the clock's time). */
    const beat = async () => {
      const at = clock.now();
      a.send({ type: 'heartbeat' });
      await waitFor(
        () => t.core.fleet.agent(a.agentId)?.lastHeartbeat === at,
        undefined,
        'heartbeat received',
      );
    };
    // Heartbeat on time for a while: stays online.
    for (let i = 0; i < 5; i++) {
      clock.advance(HEARTBEAT_MS);
      await beat();
      expect(await statusOf(a.agentId)).toBe('online');
    }
    // Silent for exactly 3 intervals: still online (the watchdog sweeps every interval / 4) …
    clock.advance(3 * HEARTBEAT_MS);
    expect(await statusOf(a.agentId)).toBe('online');
    // … and offline at the next sweep.
    clock.advance(HEARTBEAT_MS / 4);
    expect(await statusOf(a.agentId)).toBe('offline');
    const open = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(open.map((x) => [x.ruleId, x.subjectKey])).toContainEqual(['agent_offline', a.agentId]);
    // The socket is still open; a heartbeat brings it back.
    await beat();
    expect(await statusOf(a.agentId)).toBe('online');
  });

  it('a region losing agents turns degraded then failed, with alerts, and recovers', async () => {
    t = await startTestCore({ heartbeatIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++)
      agents.push(
        await connectAgent(t.addr.ingestUrl, { hostname: `eu-${i}`, region: 'eu-west-1' }),
      );
    const region = async () =>
      (await t.api<{ regions: Region[] }>('/api/v1/regions')).body.regions.find(
        (r) => r.id === 'eu-west-1',
      )!;
    expect(await region()).toMatchObject({
      status: 'active',
      agentCount: 10,
      onlineCount: 10,
      healthScore: 1,
    });

    for (const a of agents.slice(0, 3)) a.ws.terminate();
    await waitFor(async () => (await region()).onlineCount === 7, undefined, '7 online');
    expect(await region()).toMatchObject({ status: 'degraded', healthScore: 0.7 });
    let regionAlerts = (
      await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')
    ).body.alerts.filter((a) => a.ruleId === 'region_status');
    expect(regionAlerts).toEqual([
      expect.objectContaining({ severity: 'warning', subjectKey: 'eu-west-1' }),
    ]);

    for (const a of agents.slice(3, 6)) a.ws.terminate();
    await waitFor(async () => (await region()).status === 'failed', undefined, 'failed');
    regionAlerts = (
      await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')
    ).body.alerts.filter((a) => a.ruleId === 'region_status');
    expect(regionAlerts).toEqual([expect.objectContaining({ severity: 'critical' })]);

    for (let i = 0; i < 6; i++)
      agents.push(
        await connectAgent(t.addr.ingestUrl, { hostname: `eu-${i}`, region: 'eu-west-1' }),
      );
    await waitFor(async () => (await region()).status === 'active', undefined, 'active again');
    regionAlerts = (
      await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')
    ).body.alerts.filter((a) => a.ruleId === 'region_status');
    expect(regionAlerts).toHaveLength(0);
  });
});

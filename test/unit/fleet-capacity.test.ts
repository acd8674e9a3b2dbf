// The registry's cap (maxAgents) and retirement (decommission), on the Fleet alone.
import { describe, expect, it } from 'vitest';
import type { CoreEventMap } from '../../electron/core/events.js';
import { connectOk, hello, setup } from './support/fleet-fixture.js';

function withCapacityLog(max: number) {
  const s = setup({ maxAgents: max });
  const capacity: CoreEventMap['fleet.capacity'][] = [];
  const removed: string[] = [];
  s.events.on('fleet.capacity', (e) => capacity.push({ ...e }));
  s.events.on('agent.removed', ({ agent }) => removed.push(agent.id));
  return { ...s, capacity, removed };
}

describe('Fleet cap (maxAgents)', () => {
  it('refuses the hello that would register agent N+1, once announcing the registry full', () => {
    const { fleet, capacity } = withCapacityLog(3);
    for (let i = 0; i < 3; i++) connectOk(fleet, hello({ hostname: `h${i}` }));
    expect(fleet.isFull).toBe(true);
    expect(capacity).toEqual([]); // full, but nobody refused yet
    const refused = fleet.connect(hello({ hostname: 'h3' }), '10.0.0.9');
    expect(refused).toEqual({
      ok: false,
      reason: 'agent_limit',
      message: 'agent registry full (3/3); retire agents or raise maxAgents',
    });
    expect(fleet.connect(hello({ hostname: 'h4' }), '10.0.0.9').ok).toBe(false);
    expect(capacity).toEqual([{ agents: 3, max: 3, full: true }]);
    expect(fleet.size).toBe(3);
    expect(fleet.region('us-east-1')!.agentCount).toBe(3);
  });

  it('never refuses a known agent: by hostname, or by its id from another region', () => {
    const { fleet } = withCapacityLog(2);
    const a = connectOk(fleet, hello({ hostname: 'h0' }));
    connectOk(fleet, hello({ hostname: 'h1' }));
    fleet.disconnect(a.agent.id, a.connectionId, 'offline');
    expect(connectOk(fleet, hello({ hostname: 'h0' })).agent.id).toBe(a.agent.id);
    const moved = connectOk(
      fleet,
      hello({ hostname: 'h0', region: 'eu-west-1', agentId: a.agent.id }),
    );
    expect(moved.agent.id).toBe(a.agent.id);
    expect(fleet.size).toBe(2);
  });

  it('an unknown agentId (a new record) counts against the cap', () => {
    const { fleet } = withCapacityLog(1);
    connectOk(fleet, hello({ hostname: 'h0' }));
    expect(fleet.connect(hello({ hostname: 'h9', agentId: 'agt-from-before' }), '').ok).toBe(false);
  });
});

describe('Fleet.decommission', () => {
  it('removes an offline agent from the registry and its region at once', () => {
    const { fleet, removed, regionChanges } = withCapacityLog(10);
    const a = connectOk(fleet, hello({ hostname: 'h0', agentType: 'database' }));
    connectOk(fleet, hello({ hostname: 'h1' }));
    fleet.disconnect(a.agent.id, a.connectionId, 'error');
    expect(fleet.region('us-east-1')).toMatchObject({ agentCount: 2, status: 'degraded' });
    regionChanges.length = 0;

    const r = fleet.decommission(a.agent.id);
    expect(r).toEqual({ ok: true, agent: a.agent });
    expect(fleet.agent(a.agent.id)).toBeUndefined();
    expect(fleet.listAgents().map((x) => x.hostname)).toEqual(['h1']);
    expect(fleet.agentIds()).toEqual([fleet.listAgents()[0]!.id]);
    expect(removed).toEqual([a.agent.id]);
    expect(fleet.region('us-east-1')).toMatchObject({
      agentCount: 1,
      onlineCount: 1,
      serviceCount: 1,
      healthScore: 1,
      status: 'active',
    });
    expect(regionChanges).toEqual([
      { id: 'us-east-1', status: 'active', previousStatus: 'degraded' },
    ]);
    // The same host registers afresh: a new record with a new id.
    const back = connectOk(fleet, hello({ hostname: 'h0' }));
    expect(back.isNew).toBe(true);
    expect(back.agent.id).not.toBe(a.agent.id);
    expect(back.agent.metricsCount).toBe(0);
  });

  it('refuses an online agent, one still connected, and an unknown id', () => {
    const { fleet, clock } = withCapacityLog(10);
    const a = connectOk(fleet, hello({ hostname: 'h0' }));
    expect(fleet.decommission(a.agent.id)).toEqual({
      ok: false,
      reason: 'online',
      message: 'agent is online; stop it first',
    });
    // Silent (offline by the watchdog) but its socket is still open.
    fleet.start();
    clock.advance(5_000);
    fleet.stop();
    expect(fleet.agent(a.agent.id)!.status).toBe('offline');
    expect(fleet.decommission(a.agent.id)).toMatchObject({ ok: false, reason: 'online' });
    expect(fleet.decommission('agt-404')).toMatchObject({ ok: false, reason: 'not_found' });
    expect(fleet.size).toBe(1);
  });

  it('makes room under the cap: the full flag clears and a new agent gets in', () => {
    const { fleet, capacity } = withCapacityLog(1);
    const a = connectOk(fleet, hello({ hostname: 'h0' }));
    expect(fleet.connect(hello({ hostname: 'h1' }), '').ok).toBe(false);
    fleet.disconnect(a.agent.id, a.connectionId, 'offline');
    fleet.decommission(a.agent.id);
    expect(capacity).toEqual([
      { agents: 1, max: 1, full: true },
      { agents: 0, max: 1, full: false },
    ]);
    expect(fleet.isFull).toBe(false);
    expect(connectOk(fleet, hello({ hostname: 'h1' })).isNew).toBe(true);
  });

  it('keeps region and fleet counts right through connects, moves and retirements', () => {
    const { fleet } = withCapacityLog(100);
    const conns = Array.from({ length: 6 }, (_, i) =>
      connectOk(fleet, hello({ hostname: `h${i}`, agentType: i % 2 ? 'database' : 'system' })),
    );
    // One moves region (by id), two go offline, one of those is retired.
    connectOk(fleet, hello({ hostname: 'h0', region: 'eu-west-1', agentId: conns[0]!.agent.id }));
    fleet.disconnect(conns[1]!.agent.id, conns[1]!.connectionId, 'offline');
    fleet.disconnect(conns[3]!.agent.id, conns[3]!.connectionId, 'offline');
    fleet.decommission(conns[3]!.agent.id);
    // Recount from the agents themselves, as the old full pass did.
    for (const region of fleet.regions()) {
      const members = fleet.listAgents({ regionId: region.id });
      expect(region, region.id).toMatchObject({
        agentCount: members.length,
        onlineCount: members.filter((a) => a.status === 'online').length,
        serviceCount: new Set(members.map((a) => a.type)).size,
      });
    }
    expect(fleet.onlineCount()).toBe(fleet.listAgents({ status: 'online' }).length);
    expect(fleet.onlineCount()).toBe(4);
  });
});

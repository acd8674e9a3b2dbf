import { describe, it, expect } from 'vitest';
import type { AgentType } from '../../shared/model.js';
import { T0, connectOk, hello, setup } from './support/fleet-fixture.js';

describe('Fleet', () => {
  describe('disconnect', () => {
    it('makes the agent offline at once and recomputes region health', () => {
      const { fleet, clock, agentChanges, regionChanges } = setup();
      const a = connectOk(fleet, hello({ hostname: 'h1' }));
      connectOk(fleet, hello({ hostname: 'h2' }));
      clock.advance(100);
      agentChanges.length = 0;
      regionChanges.length = 0;
      fleet.disconnect(a.agent.id, a.connectionId, 'offline');
      expect(fleet.agent(a.agent.id)!.status).toBe('offline');
      expect(fleet.agent(a.agent.id)!.statusChangedAt).toBe(T0 + 100);
      expect(fleet.region('us-east-1')).toMatchObject({
        agentCount: 2,
        onlineCount: 1,
        healthScore: 0.5,
        status: 'degraded',
      });
      expect(fleet.onlineCount()).toBe(1);
      expect(fleet.listAgents({ status: 'offline' }).map((x) => x.id)).toEqual([a.agent.id]);
      expect(agentChanges).toEqual([
        { id: a.agent.id, status: 'offline', previousStatus: 'online' },
      ]);
      expect(regionChanges).toEqual([
        { id: 'us-east-1', status: 'degraded', previousStatus: 'active' },
      ]);
    });

    it('records error status for a protocol error', () => {
      const { fleet } = setup();
      const a = connectOk(fleet, hello());
      fleet.disconnect(a.agent.id, a.connectionId, 'error');
      expect(fleet.agent(a.agent.id)!.status).toBe('error');
      expect(fleet.region('us-east-1')!.onlineCount).toBe(0);
    });

    it('ignores the close of a stale (replaced) connection', () => {
      const { fleet, agentChanges } = setup();
      const old = connectOk(fleet, hello());
      const current = connectOk(fleet, hello());
      expect(current.agent.id).toBe(old.agent.id);
      const n = agentChanges.length;
      fleet.disconnect(old.agent.id, old.connectionId, 'offline');
      expect(fleet.agent(old.agent.id)!.status).toBe('online');
      expect(agentChanges).toHaveLength(n);
      fleet.disconnect(current.agent.id, current.connectionId, 'offline');
      expect(fleet.agent(current.agent.id)!.status).toBe('offline');
    });

    it('a second close of the same connection is ignored', () => {
      const { fleet, agentChanges } = setup();
      const a = connectOk(fleet, hello());
      fleet.disconnect(a.agent.id, a.connectionId, 'offline');
      const n = agentChanges.length;
      fleet.disconnect(a.agent.id, a.connectionId, 'error');
      expect(fleet.agent(a.agent.id)!.status).toBe('offline');
      expect(agentChanges).toHaveLength(n);
    });
  });

  describe('heartbeat watchdog', () => {
    it('marks a silent agent offline after missed heartbeats, not before', () => {
      const { fleet, clock } = setup();
      fleet.start();
      const a = connectOk(fleet, hello());
      clock.advance(3000);
      expect(fleet.agent(a.agent.id)!.status).toBe('online');
      clock.advance(300);
      expect(fleet.agent(a.agent.id)!.status).toBe('offline');
      // The sweep that found it runs every interval/4 = 250 ms: at 3250 ms.
      expect(fleet.agent(a.agent.id)!.statusChangedAt).toBe(T0 + 3250);
      expect(fleet.region('us-east-1')).toMatchObject({ onlineCount: 0, status: 'failed' });
      fleet.stop();
    });

    it('heartbeats keep an agent online', () => {
      const { fleet, clock } = setup();
      fleet.start();
      const a = connectOk(fleet, hello());
      for (let i = 0; i < 20; i++) {
        clock.advance(1000);
        fleet.heartbeat(a.agent.id);
      }
      expect(fleet.agent(a.agent.id)!.status).toBe('online');
      expect(fleet.agent(a.agent.id)!.lastHeartbeat).toBe(T0 + 20_000);
      expect(fleet.region('us-east-1')!.lastHeartbeat).toBe(T0 + 20_000);
      fleet.stop();
    });

    it('a heartbeat brings an agent the watchdog took offline back online', () => {
      const { fleet, clock, agentChanges } = setup();
      fleet.start();
      const a = connectOk(fleet, hello());
      clock.advance(4000);
      expect(fleet.agent(a.agent.id)!.status).toBe('offline');
      fleet.heartbeat(a.agent.id);
      expect(fleet.agent(a.agent.id)!.status).toBe('online');
      expect(fleet.agent(a.agent.id)!.statusChangedAt).toBe(T0 + 4000);
      expect(fleet.region('us-east-1')).toMatchObject({ onlineCount: 1, status: 'active' });
      expect(agentChanges.at(-1)).toEqual({
        id: a.agent.id,
        status: 'online',
        previousStatus: 'offline',
      });
      // and the watchdog watches it again
      clock.advance(3300);
      expect(fleet.agent(a.agent.id)!.status).toBe('offline');
      fleet.stop();
    });

    it('stop() stops the watchdog', () => {
      const { fleet, clock } = setup();
      fleet.start();
      const a = connectOk(fleet, hello());
      fleet.stop();
      clock.advance(60_000);
      expect(fleet.agent(a.agent.id)!.status).toBe('online');
    });

    it('heartbeat for an unknown agent is ignored', () => {
      const { fleet, agentChanges } = setup();
      fleet.heartbeat('agt-404');
      expect(agentChanges).toEqual([]);
    });
  });

  describe('region status', () => {
    function regionWith(n: number) {
      const s = setup();
      const conns = Array.from({ length: n }, (_, i) =>
        connectOk(s.fleet, hello({ hostname: `h${i}` })),
      );
      return { ...s, conns };
    }

    it.each([
      [10, 'active', 1],
      [9, 'active', 0.9],
      [8, 'active', 0.8],
      [7, 'degraded', 0.7],
      [5, 'degraded', 0.5],
      [4, 'failed', 0.4],
      [0, 'failed', 0],
    ] as const)('10 agents, %i online → %s', (online, status, health) => {
      const { fleet, conns } = regionWith(10);
      for (const c of conns.slice(online)) fleet.disconnect(c.agent.id, c.connectionId, 'offline');
      expect(fleet.region('us-east-1')).toMatchObject({
        agentCount: 10,
        onlineCount: online,
        status,
        healthScore: health,
      });
    });

    it('emits region.changed with the previous status as it moves', () => {
      const { fleet, conns, regionChanges } = regionWith(10);
      regionChanges.length = 0;
      for (const c of conns.slice(3)) fleet.disconnect(c.agent.id, c.connectionId, 'offline');
      const transitions = regionChanges
        .filter((c) => c.status !== c.previousStatus)
        .map((c) => `${c.previousStatus}->${c.status}`);
      expect(transitions).toEqual(['active->degraded', 'degraded->failed']);
    });

    it('serviceCount counts distinct agent types', () => {
      const { fleet } = setup();
      const types: AgentType[] = ['system', 'system', 'database', 'network', 'database'];
      types.forEach((agentType, i) => connectOk(fleet, hello({ hostname: `h${i}`, agentType })));
      expect(fleet.region('us-east-1')!.serviceCount).toBe(3);
      expect(fleet.region('us-east-1')!.agentCount).toBe(5);
    });
  });
});

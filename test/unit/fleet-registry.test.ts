import { describe, it, expect } from 'vitest';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { Agent } from '../../shared/model.js';
import { T0, connectOk, hello, setup } from './support/fleet-fixture.js';

describe('Fleet', () => {
  it('starts with the default regions, active and empty', () => {
    const { fleet } = setup();
    expect(fleet.regions().map((r) => r.id)).toEqual(DEFAULT_REGIONS.map((r) => r.id));
    expect(fleet.region('us-east-1')).toMatchObject({
      status: 'active',
      agentCount: 0,
      onlineCount: 0,
      serviceCount: 0,
      healthScore: 1,
      lastHeartbeat: null,
    });
  });

  describe('connect', () => {
    it('creates an online agent in its region', () => {
      const { fleet, agentChanges, regionChanges } = setup();
      const r = connectOk(fleet, hello({ labels: { role: 'web' } }), '10.1.2.3');
      expect(r.agent).toEqual({
        id: 'agt-1',
        regionId: 'us-east-1',
        hostname: 'web-1',
        ipAddress: '10.1.2.3',
        type: 'system',
        version: '1.0.0',
        labels: { role: 'web' },
        status: 'online',
        registeredAt: T0,
        lastHeartbeat: T0,
        statusChangedAt: T0,
        metricsCount: 0,
        alertsCount: 0,
        latest: {},
      });
      expect(fleet.agent('agt-1')).toBe(r.agent);
      expect(fleet.onlineCount()).toBe(1);
      expect(fleet.listAgents({ regionId: 'us-east-1' }).map((a) => a.id)).toEqual(['agt-1']);
      expect(fleet.listAgents({ regionId: 'eu-west-1' })).toEqual([]);
      expect(fleet.region('us-east-1')).toMatchObject({
        agentCount: 1,
        onlineCount: 1,
        serviceCount: 1,
        healthScore: 1,
        status: 'active',
        lastHeartbeat: T0,
      });
      expect(agentChanges).toEqual([{ id: 'agt-1', status: 'online', previousStatus: null }]);
      expect(regionChanges).toEqual([
        { id: 'us-east-1', status: 'active', previousStatus: 'active' },
      ]);
    });

    it('prefers the ip address the agent reports', () => {
      const { fleet } = setup();
      const r = connectOk(fleet, hello({ ipAddress: '192.168.1.9' }), '10.0.0.1');
      expect(r.agent.ipAddress).toBe('192.168.1.9');
    });

    it('gives each connection a new connection id', () => {
      const { fleet } = setup();
      const a = connectOk(fleet, hello());
      const b = connectOk(fleet, hello());
      expect(b.connectionId).not.toBe(a.connectionId);
    });

    it('reconnect by the same hostname + region keeps the id and history', () => {
      const { fleet, clock } = setup();
      const first = connectOk(fleet, hello());
      fleet.recordMetrics('agt-1', 5, { cpu_usage: 40 });
      fleet.disconnect('agt-1', first.connectionId, 'offline');
      clock.advance(5000);
      const again = connectOk(fleet, hello({ version: '1.0.1' }));
      expect(again.agent.id).toBe('agt-1');
      expect(again.agent.status).toBe('online');
      expect(again.agent.version).toBe('1.0.1');
      expect(again.agent.registeredAt).toBe(T0);
      expect(again.agent.statusChangedAt).toBe(T0 + 5000);
      expect(again.agent.metricsCount).toBe(5);
      expect(again.agent.latest).toEqual({ cpu_usage: 40 });
      expect(fleet.listAgents()).toHaveLength(1);
      expect(fleet.region('us-east-1')!.agentCount).toBe(1);
    });

    it('the same hostname in another region is another agent', () => {
      const { fleet } = setup();
      connectOk(fleet, hello());
      const other = connectOk(fleet, hello({ region: 'eu-west-1' }));
      expect(other.agent.id).toBe('agt-2');
      expect(fleet.listAgents()).toHaveLength(2);
    });

    it('reconnect with the agentId from welcome keeps the id, even from another region', () => {
      const { fleet } = setup();
      const first = connectOk(fleet, hello());
      fleet.disconnect('agt-1', first.connectionId, 'offline');
      const moved = connectOk(fleet, hello({ agentId: 'agt-1', region: 'eu-west-1' }));
      expect(moved.agent.id).toBe('agt-1');
      expect(moved.agent.regionId).toBe('eu-west-1');
      expect(fleet.listAgents()).toHaveLength(1);
      expect(fleet.region('us-east-1')!.agentCount).toBe(0);
      expect(fleet.region('eu-west-1')!.agentCount).toBe(1);
      expect(fleet.listAgents({ regionId: 'us-east-1' })).toEqual([]);
    });

    it('an agentId naming another host is not taken over', () => {
      const { fleet } = setup();
      connectOk(fleet, hello());
      const imposter = connectOk(fleet, hello({ hostname: 'db-9', agentId: 'agt-1' }));
      expect(imposter.agent.id).toBe('agt-2');
      expect(fleet.agent('agt-1')!.hostname).toBe('web-1');
    });

    it('an unknown agentId (state lost) is adopted', () => {
      const { fleet } = setup();
      const r = connectOk(fleet, hello({ agentId: 'agt-77' }));
      expect(r.agent.id).toBe('agt-77');
    });

    it('refuses an unknown region', () => {
      const { fleet, agentChanges } = setup();
      const r = fleet.connect(hello({ region: 'mars-1' }), '10.0.0.1');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe('unknown_region');
      expect(r.message).toContain("'mars-1'");
      expect(r.message).toContain('us-east-1');
      expect(fleet.region('mars-1')).toBeUndefined();
      expect(fleet.listAgents()).toEqual([]);
      expect(agentChanges).toEqual([]);
    });

    it('accepts an unknown region when allowUnknownRegions, creating it', () => {
      const { fleet } = setup({ allowUnknownRegions: true });
      const r = connectOk(fleet, hello({ region: 'mars-1' }));
      expect(r.agent.regionId).toBe('mars-1');
      expect(fleet.region('mars-1')).toMatchObject({ id: 'mars-1', name: 'mars-1', agentCount: 1 });
      expect(fleet.regionDefinitions().map((d) => d.id)).toContain('mars-1');
    });
  });

  describe('counters', () => {
    it('recordMetrics adds counts and merges latest values', () => {
      const { fleet } = setup();
      const a = connectOk(fleet, hello());
      fleet.recordMetrics(a.agent.id, 3, { cpu_usage: 10 });
      fleet.recordMetrics(a.agent.id, 4, { memory_usage: 20 });
      fleet.recordMetrics(a.agent.id, 1, null);
      expect(fleet.agent(a.agent.id)!.metricsCount).toBe(8);
      expect(fleet.agent(a.agent.id)!.latest).toEqual({ cpu_usage: 10, memory_usage: 20 });
    });

    it('setAlertsCount only announces real changes', () => {
      const { fleet, agentChanges } = setup();
      const a = connectOk(fleet, hello());
      const n = agentChanges.length;
      fleet.setAlertsCount(a.agent.id, 2);
      fleet.setAlertsCount(a.agent.id, 2);
      expect(fleet.agent(a.agent.id)!.alertsCount).toBe(2);
      expect(agentChanges).toHaveLength(n + 1);
    });
  });

  describe('load', () => {
    function stored(over: Partial<Agent>): Agent {
      return {
        id: 'agt-a',
        regionId: 'us-east-1',
        hostname: 'web-1',
        ipAddress: '10.0.0.1',
        type: 'system',
        version: '1.0.0',
        labels: {},
        status: 'online',
        registeredAt: T0 - 86_400_000,
        lastHeartbeat: T0 - 60_000,
        statusChangedAt: T0 - 86_400_000,
        metricsCount: 42,
        alertsCount: 0,
        latest: {},
        ...over,
      };
    }

    it('restores agents and region figures without announcing', () => {
      const { fleet, agentChanges, regionChanges } = setup();
      fleet.load(
        [{ id: 'sa-east-1', name: 'Sao Paulo', latitude: -23.5, longitude: -46.6 }],
        [
          stored({}),
          stored({ id: 'agt-b', hostname: 'db-1', type: 'database', status: 'offline' }),
          stored({ id: 'agt-c', hostname: 'x', regionId: 'nowhere-1' }),
        ],
      );
      expect(fleet.agent('agt-a')!.metricsCount).toBe(42);
      // The registry may be ahead of state.json's region list after a crash: the agent stays,
      // and its region comes back (named by its id).
      expect(fleet.agent('agt-c')!.regionId).toBe('nowhere-1');
      expect(fleet.region('nowhere-1')).toMatchObject({ name: 'nowhere-1', agentCount: 1 });
      expect(fleet.region('sa-east-1')).toBeDefined();
      expect(fleet.region('us-east-1')).toMatchObject({
        agentCount: 2,
        onlineCount: 1,
        serviceCount: 2,
        healthScore: 0.5,
        status: 'degraded',
        lastHeartbeat: T0 - 60_000,
      });
      expect(agentChanges).toEqual([]);
      expect(regionChanges).toEqual([]);
    });

    it('online agents get a grace period, then go offline if they do not come back', () => {
      const { fleet, clock } = setup();
      fleet.load([], [stored({})]);
      fleet.start();
      clock.advance(3000);
      expect(fleet.agent('agt-a')!.status).toBe('online');
      clock.advance(300);
      expect(fleet.agent('agt-a')!.status).toBe('offline');
      fleet.stop();
    });

    it("after a restart the grace period covers the agents' reconnect backoff (restartGraceMs)", () => {
      const { fleet, clock } = setup({ restartGraceMs: 40_000 });
      fleet.load([], [stored({})]);
      fleet.start();
      clock.advance(39_000);
      expect(fleet.agent('agt-a')!.status).toBe('online');
      clock.advance(1_300);
      expect(fleet.agent('agt-a')!.status).toBe('offline');
      fleet.stop();
    });

    it('a restored agent reconnecting by hostname keeps its id', () => {
      const { fleet, clock } = setup();
      fleet.load([], [stored({ status: 'offline' })]);
      fleet.start();
      const r = connectOk(fleet, hello());
      expect(r.agent.id).toBe('agt-a');
      expect(r.agent.registeredAt).toBe(T0 - 86_400_000);
      expect(r.agent.metricsCount).toBe(42);
      clock.advance(2000);
      expect(fleet.agent('agt-a')!.status).toBe('online');
      fleet.stop();
    });
  });
});

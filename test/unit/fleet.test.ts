import { describe, it, expect } from 'vitest';
import { Fleet, type FleetOptions } from '../../electron/core/fleet/fleet.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { HelloMessage } from '../../shared/protocol.js';
import type { Agent, AgentStatus, AgentType, RegionStatus } from '../../shared/model.js';

const T0 = 1_700_000_000_000;

function setup(opts: Partial<FleetOptions> = {}) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const agentChanges: { id: string; status: AgentStatus; previousStatus: AgentStatus | null }[] =
    [];
  const regionChanges: { id: string; status: RegionStatus; previousStatus: RegionStatus | null }[] =
    [];
  events.on('agent.changed', ({ agent, previousStatus }) =>
    agentChanges.push({ id: agent.id, status: agent.status, previousStatus }),
  );
  events.on('region.changed', ({ region, previousStatus }) =>
    regionChanges.push({ id: region.id, status: region.status, previousStatus }),
  );
  const fleet = new Fleet(
    { clock, ids: counterIds(), events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      ...opts,
    },
    DEFAULT_REGIONS,
  );
  return { clock, events, fleet, agentChanges, regionChanges };
}

function hello(over: Partial<HelloMessage> = {}): HelloMessage {
  return {
    type: 'hello',
    protocol: 1,
    hostname: 'web-1',
    region: 'us-east-1',
    agentType: 'system',
    version: '1.0.0',
    ...over,
  };
}

function connectOk(fleet: Fleet, h: HelloMessage, ip = '10.0.0.1') {
  const r = fleet.connect(h, ip);
  if (!r.ok) throw new Error(`connect refused: ${r.message}`);
  return r;
}

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
      expect(fleet.agent('agt-c')).toBeUndefined();
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

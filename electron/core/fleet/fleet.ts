import type { Agent, AgentStatus, LatestValues, Region } from '../../../shared/model.js';
import type { HelloMessage } from '../../../shared/protocol.js';
import {
  regionHealth,
  regionStatusForHealth,
  type RegionDefinition,
} from '../../../shared/regions.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';

export interface FleetOptions {
  heartbeatIntervalMs: number;
  /** Heartbeats missed in a row before an agent counts as offline. */
  missedHeartbeatsBeforeOffline: number;
  /** Accept agents naming a region the console does not know, creating it. */
  allowUnknownRegions: boolean;
  /**
   * After a restart, how long agents that were online get to reconnect before they count as
   * offline. Longer than the agents' reconnect backoff (30 s + jitter), or every restart
   * would page for the whole fleet.
   */
  restartGraceMs: number;
}

export interface FleetDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
}

export type ConnectResult =
  | { ok: true; agent: Agent; connectionId: number }
  | { ok: false; reason: 'unknown_region'; message: string };

export interface AgentFilter {
  regionId?: string;
  status?: AgentStatus;
}

/**
 * The agent registry and region health. Agents keep their id across reconnects and
 * restarts; a closed socket makes an agent offline at once, silence for
 * `missedHeartbeatsBeforeOffline` intervals makes it offline by the watchdog.
 */
export class Fleet {
  private readonly regionDefs = new Map<string, RegionDefinition>();
  private readonly regionState = new Map<string, Region>();
  private readonly agents = new Map<string, Agent>();
  private readonly agentsByRegion = new Map<string, Set<string>>();
  private readonly idByHost = new Map<string, string>();
  /** Runtime only: when each agent last proved alive, and its current connection. */
  private readonly lastAliveAt = new Map<string, number>();
  private readonly connectionOf = new Map<string, number>();
  private nextConnectionId = 1;
  private watchdog: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly deps: FleetDeps,
    private readonly opts: FleetOptions,
    regions: readonly RegionDefinition[],
  ) {
    for (const r of regions) this.addRegion(r);
  }

  /** Restore from state.json. Agents that were online get a fresh grace period to reconnect. */
  load(regions: readonly RegionDefinition[], agents: readonly Agent[]): void {
    for (const r of regions) if (!this.regionDefs.has(r.id)) this.addRegion(r);
    const now = this.deps.clock.now();
    for (const agent of agents) {
      if (!this.regionDefs.has(agent.regionId)) continue;
      this.index(agent);
      // The watchdog fires `silence` after the last sign of life: set that sign in the future.
      const silence = this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
      if (agent.status === 'online')
        this.lastAliveAt.set(agent.id, now + Math.max(0, this.opts.restartGraceMs - silence));
    }
    for (const id of this.regionDefs.keys()) this.recomputeRegion(id, false);
  }

  start(): void {
    const every = Math.max(10, Math.floor(this.opts.heartbeatIntervalMs / 4));
    this.watchdog = this.deps.clock.setInterval(() => this.sweep(), every);
  }

  /**
   * Stop judging liveness. The console's own shutdown closes every agent socket: that is
   * not an outage, so disconnects after this are ignored and agents keep their status
   * (a restart gives them a grace period to reconnect).
   */
  stop(): void {
    this.watchdog?.cancel();
    this.watchdog = null;
    this.stopped = true;
  }

  regionDefinitions(): RegionDefinition[] {
    return [...this.regionDefs.values()];
  }

  regions(): Region[] {
    return [...this.regionState.values()];
  }

  region(id: string): Region | undefined {
    return this.regionState.get(id);
  }

  agent(id: string): Agent | undefined {
    return this.agents.get(id);
  }

  listAgents(filter: AgentFilter = {}): Agent[] {
    const ids = filter.regionId
      ? (this.agentsByRegion.get(filter.regionId) ?? new Set())
      : this.agents.keys();
    const out: Agent[] = [];
    for (const id of ids) {
      const a = this.agents.get(id)!;
      if (!filter.status || a.status === filter.status) out.push(a);
    }
    return out;
  }

  onlineCount(): number {
    let n = 0;
    for (const a of this.agents.values()) if (a.status === 'online') n++;
    return n;
  }

  connect(hello: HelloMessage, ipAddress: string): ConnectResult {
    if (!this.regionDefs.has(hello.region)) {
      if (!this.opts.allowUnknownRegions) {
        return {
          ok: false,
          reason: 'unknown_region',
          message: `unknown region '${hello.region}' (known: ${[...this.regionDefs.keys()].join(', ')})`,
        };
      }
      this.addRegion({ id: hello.region, name: hello.region, latitude: 0, longitude: 0 });
    }
    const now = this.deps.clock.now();
    const id = this.resolveId(hello);
    const existing = this.agents.get(id);
    const previousStatus = existing?.status ?? null;
    const previousRegion = existing?.regionId;
    const agent: Agent = {
      id,
      regionId: hello.region,
      hostname: hello.hostname,
      ipAddress: hello.ipAddress ?? ipAddress,
      type: hello.agentType,
      version: hello.version,
      labels: hello.labels ?? {},
      status: 'online',
      registeredAt: existing?.registeredAt ?? now,
      lastHeartbeat: now,
      statusChangedAt: previousStatus === 'online' ? existing!.statusChangedAt : now,
      metricsCount: existing?.metricsCount ?? 0,
      alertsCount: existing?.alertsCount ?? 0,
      latest: existing?.latest ?? {},
    };
    if (existing) this.unindex(existing);
    this.index(agent);
    this.lastAliveAt.set(id, now);
    const connectionId = this.nextConnectionId++;
    this.connectionOf.set(id, connectionId);
    this.deps.events.emit('agent.changed', { agent, previousStatus });
    if (previousRegion && previousRegion !== agent.regionId) this.recomputeRegion(previousRegion);
    this.recomputeRegion(agent.regionId);
    return { ok: true, agent, connectionId };
  }

  heartbeat(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    const now = this.deps.clock.now();
    agent.lastHeartbeat = now;
    this.lastAliveAt.set(agentId, now);
    const region = this.regionState.get(agent.regionId);
    if (region) region.lastHeartbeat = now;
    if (agent.status !== 'online') this.setStatus(agent, 'online');
    else this.deps.events.emit('agent.touched', { agent });
  }

  /** The connection closed (or was closed for a protocol error). Stale connections are ignored. */
  disconnect(agentId: string, connectionId: number, status: 'offline' | 'error'): void {
    if (this.stopped || this.connectionOf.get(agentId) !== connectionId) return;
    this.connectionOf.delete(agentId);
    this.lastAliveAt.delete(agentId);
    const agent = this.agents.get(agentId);
    if (agent && agent.status !== status) this.setStatus(agent, status);
  }

  recordMetrics(agentId: string, count: number, latest: LatestValues | null): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.metricsCount += count;
    if (latest) Object.assign(agent.latest, latest);
    this.deps.events.emit('agent.touched', { agent });
  }

  setAlertsCount(agentId: string, count: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.alertsCount === count) return;
    agent.alertsCount = count;
    this.deps.events.emit('agent.changed', { agent, previousStatus: agent.status });
  }

  /** Mark silent agents offline. Runs on the watchdog timer; public for tests. */
  sweep(): void {
    const deadline =
      this.deps.clock.now() -
      this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
    for (const [id, aliveAt] of this.lastAliveAt) {
      if (aliveAt >= deadline) continue;
      this.lastAliveAt.delete(id);
      const agent = this.agents.get(id);
      if (agent && agent.status === 'online') this.setStatus(agent, 'offline');
    }
  }

  private setStatus(agent: Agent, status: AgentStatus): void {
    const previousStatus = agent.status;
    agent.status = status;
    agent.statusChangedAt = this.deps.clock.now();
    this.deps.events.emit('agent.changed', { agent, previousStatus });
    this.recomputeRegion(agent.regionId);
  }

  private resolveId(hello: HelloMessage): string {
    const byHost = this.idByHost.get(`${hello.region}/${hello.hostname}`);
    if (hello.agentId) {
      const known = this.agents.get(hello.agentId);
      if (known && known.hostname === hello.hostname) return hello.agentId;
      // An id this console does not know (its state was lost): keep the agent's identity,
      // unless another record already holds this host.
      if (!known && !byHost) return hello.agentId;
    }
    return byHost ?? this.deps.ids('agt');
  }

  private addRegion(def: RegionDefinition): void {
    this.regionDefs.set(def.id, def);
    this.agentsByRegion.set(def.id, new Set());
    this.regionState.set(def.id, {
      ...def,
      status: 'active',
      agentCount: 0,
      onlineCount: 0,
      serviceCount: 0,
      healthScore: 1,
      lastHeartbeat: null,
    });
  }

  private index(agent: Agent): void {
    this.agents.set(agent.id, agent);
    this.agentsByRegion.get(agent.regionId)!.add(agent.id);
    this.idByHost.set(`${agent.regionId}/${agent.hostname}`, agent.id);
  }

  private unindex(agent: Agent): void {
    this.agentsByRegion.get(agent.regionId)?.delete(agent.id);
    this.idByHost.delete(`${agent.regionId}/${agent.hostname}`);
  }

  private recomputeRegion(regionId: string, announce = true): void {
    const region = this.regionState.get(regionId);
    if (!region) return;
    const ids = this.agentsByRegion.get(regionId)!;
    let online = 0;
    let lastHeartbeat: number | null = null;
    const types = new Set<string>();
    for (const id of ids) {
      const a = this.agents.get(id)!;
      if (a.status === 'online') online++;
      types.add(a.type);
      if (a.lastHeartbeat !== null && (lastHeartbeat === null || a.lastHeartbeat > lastHeartbeat)) {
        lastHeartbeat = a.lastHeartbeat;
      }
    }
    const previousStatus = region.status;
    region.agentCount = ids.size;
    region.onlineCount = online;
    region.serviceCount = types.size;
    region.healthScore = regionHealth(online, ids.size);
    region.status = regionStatusForHealth(region.healthScore);
    region.lastHeartbeat = lastHeartbeat;
    if (announce) this.deps.events.emit('region.changed', { region, previousStatus });
  }
}

import type { Agent, AgentStatus, LatestValues, Region } from '../../../shared/model.js';
import type { HelloMessage } from '../../../shared/protocol.js';
import type { RegionDefinition } from '../../../shared/regions.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import { RegionTally } from './region-tally.js';

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
  /** Registered agents at most: a hello that would register one more is refused. */
  maxAgents: number;
}

export interface FleetDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
}

export type ConnectResult =
  | { ok: true; agent: Agent; connectionId: number; isNew: boolean }
  | { ok: false; reason: 'unknown_region' | 'agent_limit'; message: string };

export type DecommissionResult =
  { ok: true; agent: Agent } | { ok: false; reason: 'not_found' | 'online'; message: string };

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
  private readonly tallies = new Map<string, RegionTally>();
  /** Regions under a maintenance window now (see setMaintenance). */
  private maintenance: ReadonlySet<string> = new Set();
  private readonly agents = new Map<string, Agent>();
  private readonly agentsByRegion = new Map<string, Set<string>>();
  private readonly idByHost = new Map<string, string>();
  /**
   * Runtime only: when each agent last proved alive (monotonic ms: a wall-clock step, an NTP
   * correction or a DST-unaware clock change, must not make the whole fleet look silent),
   * and its current connection.
   */
  private readonly lastAliveAt = new Map<string, number>();
  private readonly connectionOf = new Map<string, number>();
  private online = 0;
  /** Agent ids in order, for paging; rebuilt after the set of agents changes. */
  private sortedIds: string[] | null = null;
  /** A hello was refused for the cap and no room has been made since. */
  private full = false;
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

  /**
   * Restore regions (state.json) and agents (the registry log). Agents that were online get
   * a fresh grace period to reconnect. An agent is never dropped for its region: the registry
   * log may be ahead of state.json after a crash, so a region it names is re-created.
   */
  load(regions: readonly RegionDefinition[], agents: readonly Agent[]): void {
    for (const r of regions) if (!this.regionDefs.has(r.id)) this.addRegion(r);
    const now = this.deps.clock.monotonic();
    // The watchdog fires `silence` after the last sign of life: set that sign in the future.
    const silence = this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
    for (const agent of agents) {
      if (!this.regionDefs.has(agent.regionId))
        this.addRegion({ id: agent.regionId, name: agent.regionId, latitude: 0, longitude: 0 });
      this.index(agent);
      const region = this.regionState.get(agent.regionId)!;
      if (agent.lastHeartbeat !== null && agent.lastHeartbeat > (region.lastHeartbeat ?? -1))
        region.lastHeartbeat = agent.lastHeartbeat;
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

  get size(): number {
    return this.agents.size;
  }

  get maxAgents(): number {
    return this.opts.maxAgents;
  }

  /** True from a refusal for the cap until an agent is retired. */
  get isFull(): boolean {
    return this.full || this.agents.size >= this.opts.maxAgents;
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

  /** Every agent id in ascending order (a stable order for paging). */
  agentIds(): readonly string[] {
    this.sortedIds ??= [...this.agents.keys()].sort();
    return this.sortedIds;
  }

  onlineCount(): number {
    return this.online;
  }

  /**
   * `boundId`: the agent id the connection's key is bound to. It is the agent's id whatever
   * the hello's hostname says (a renamed host keeps its identity and key).
   */
  connect(hello: HelloMessage, ipAddress: string, boundId?: string): ConnectResult {
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
    const known = boundId ? (this.agents.has(boundId) ? boundId : null) : this.knownId(hello);
    // The cap applies to new agents only: a known agent reconnecting is never refused.
    if (known === null && this.agents.size >= this.opts.maxAgents) return this.refuseForCap();
    const now = this.deps.clock.now();
    const id = known ?? boundId ?? this.newId(hello);
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
    this.regionState.get(agent.regionId)!.lastHeartbeat = now;
    this.lastAliveAt.set(id, this.deps.clock.monotonic());
    const connectionId = this.nextConnectionId++;
    this.connectionOf.set(id, connectionId);
    this.deps.events.emit('agent.changed', { agent, previousStatus, connected: true });
    if (previousRegion && previousRegion !== agent.regionId) this.recomputeRegion(previousRegion);
    this.recomputeRegion(agent.regionId);
    return { ok: true, agent, connectionId, isNew: !existing };
  }

  /**
   * A sign of life. `silenceAllowedMs`: this agent may then stay silent that long, not the
   * heartbeat-based default (remote-write senders, which write once a scrape and never beat).
   */
  heartbeat(agentId: string, silenceAllowedMs?: number): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    const now = this.deps.clock.now();
    agent.lastHeartbeat = now;
    // The watchdog fires `silence` after the last sign of life: set that sign in the future.
    const silence = this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
    const ahead = silenceAllowedMs === undefined ? 0 : Math.max(0, silenceAllowedMs - silence);
    this.lastAliveAt.set(agentId, this.deps.clock.monotonic() + ahead);
    const region = this.regionState.get(agent.regionId);
    if (region) region.lastHeartbeat = now;
    if (agent.status !== 'online') this.setStatus(agent, 'online');
    else this.deps.events.emit('agent.touched', { agent });
  }

  /**
   * Keep an online agent online for `forMs` without a sign of life of its own, and without
   * touching its last heartbeat (the screen keeps saying when it was last heard): its relay's
   * link is lost, and the relay, not the console, judges its liveness.
   */
  holdAlive(agentId: string, forMs: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.status !== 'online') return;
    const silence = this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
    this.lastAliveAt.set(agentId, this.deps.clock.monotonic() + Math.max(0, forMs - silence));
  }

  /** The connection closed (or was closed for a protocol error). Stale connections are ignored. */
  disconnect(agentId: string, connectionId: number, status: 'offline' | 'error'): void {
    if (this.stopped || this.connectionOf.get(agentId) !== connectionId) return;
    this.connectionOf.delete(agentId);
    this.lastAliveAt.delete(agentId);
    const agent = this.agents.get(agentId);
    if (agent && agent.status !== status) this.setStatus(agent, status);
  }

  /**
   * Retire an agent that is gone for good: it leaves the registry and its region's counts at
   * once. Only an agent that is not online and has no open connection can be retired.
   */
  decommission(agentId: string): DecommissionResult {
    const agent = this.agents.get(agentId);
    if (!agent) return { ok: false, reason: 'not_found', message: `no agent ${agentId}` };
    if (agent.status === 'online')
      return { ok: false, reason: 'online', message: 'agent is online; stop it first' };
    if (this.connectionOf.has(agentId)) {
      return {
        ok: false,
        reason: 'online',
        message: 'agent still has an open connection; stop it first',
      };
    }
    this.unindex(agent);
    this.agents.delete(agentId);
    this.lastAliveAt.delete(agentId);
    this.sortedIds = null;
    const region = this.regionState.get(agent.regionId)!;
    if (region.lastHeartbeat !== null && region.lastHeartbeat === agent.lastHeartbeat) {
      let newest: number | null = null;
      for (const id of this.agentsByRegion.get(agent.regionId)!) {
        const beat = this.agents.get(id)!.lastHeartbeat;
        if (beat !== null && (newest === null || beat > newest)) newest = beat;
      }
      region.lastHeartbeat = newest;
    }
    this.deps.events.emit('agent.removed', { agent });
    this.recomputeRegion(agent.regionId);
    if (this.full && this.agents.size < this.opts.maxAgents) {
      this.full = false;
      this.announceCapacity();
    }
    return { ok: true, agent };
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
      this.deps.clock.monotonic() -
      this.opts.heartbeatIntervalMs * this.opts.missedHeartbeatsBeforeOffline;
    for (const [id, aliveAt] of this.lastAliveAt) {
      if (aliveAt >= deadline) continue;
      this.lastAliveAt.delete(id);
      const agent = this.agents.get(id);
      if (agent && agent.status === 'online') this.setStatus(agent, 'offline');
    }
  }

  private refuseForCap(): ConnectResult {
    if (!this.full) {
      this.full = true;
      this.announceCapacity();
    }
    return {
      ok: false,
      reason: 'agent_limit',
      message: `agent registry full (${this.agents.size}/${this.opts.maxAgents}); retire agents or raise maxAgents`,
    };
  }

  private announceCapacity(): void {
    this.deps.events.emit('fleet.capacity', {
      agents: this.agents.size,
      max: this.opts.maxAgents,
      full: this.full,
    });
  }

  private setStatus(agent: Agent, status: AgentStatus): void {
    const previousStatus = agent.status;
    agent.status = status;
    agent.statusChangedAt = this.deps.clock.now();
    const delta = (status === 'online' ? 1 : 0) - (previousStatus === 'online' ? 1 : 0);
    this.tallies.get(agent.regionId)!.online += delta;
    this.online += delta;
    this.deps.events.emit('agent.changed', { agent, previousStatus });
    this.recomputeRegion(agent.regionId);
  }

  /** The id of the registered agent this hello is from, or null for a new agent. */
  /** The registered agent this hello would connect as, or null for a new one. */
  knownId(hello: HelloMessage): string | null {
    if (hello.agentId) {
      const known = this.agents.get(hello.agentId);
      if (known && known.hostname === hello.hostname) return hello.agentId;
    }
    return this.idByHost.get(`${hello.region}/${hello.hostname}`) ?? null;
  }

  private newId(hello: HelloMessage): string {
    // An id this console does not know (its state was lost, or the agent was retired and has
    // come back): keep the agent's identity; it registers afresh.
    if (hello.agentId && !this.agents.has(hello.agentId)) return hello.agentId;
    return this.deps.ids('agt');
  }

  private addRegion(def: RegionDefinition): void {
    this.regionDefs.set(def.id, def);
    this.agentsByRegion.set(def.id, new Set());
    this.tallies.set(def.id, new RegionTally());
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
    if (!this.agents.has(agent.id)) this.sortedIds = null;
    this.agents.set(agent.id, agent);
    this.agentsByRegion.get(agent.regionId)!.add(agent.id);
    this.idByHost.set(`${agent.regionId}/${agent.hostname}`, agent.id);
    this.tallies.get(agent.regionId)!.add(agent);
    if (agent.status === 'online') this.online++;
  }

  private unindex(agent: Agent): void {
    this.agentsByRegion.get(agent.regionId)?.delete(agent.id);
    const hostKey = `${agent.regionId}/${agent.hostname}`;
    if (this.idByHost.get(hostKey) === agent.id) this.idByHost.delete(hostKey);
    this.tallies.get(agent.regionId)!.remove(agent);
    if (agent.status === 'online') this.online--;
  }

  /** Regions a maintenance window covers now: their status is `maintenance`. */
  setMaintenance(regionIds: ReadonlySet<string>): void {
    const changed = [...this.maintenance, ...regionIds].filter(
      (id) => this.maintenance.has(id) !== regionIds.has(id),
    );
    this.maintenance = new Set(regionIds);
    for (const id of new Set(changed)) this.recomputeRegion(id);
  }

  private recomputeRegion(regionId: string, announce = true): void {
    const region = this.regionState.get(regionId);
    if (!region) return;
    const previousStatus = this.tallies.get(regionId)!.fill(region, this.maintenance.has(regionId));
    if (announce) this.deps.events.emit('region.changed', { region, previousStatus });
  }
}

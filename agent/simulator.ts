import type { Clock, TimerHandle } from '../shared/clock.js';
import { AGENT_TYPES, type AgentType } from '../shared/model.js';
import type { AgentEvent, Sample } from '../shared/protocol.js';
import { DEFAULT_REGIONS } from '../shared/regions.js';
import { roundForUnit } from './precision.js';
import type { ActionRunner } from './actions/action-runner.js';
import { gaussian, seededRandom } from './prng.js';
import { simulatedActionRunner } from './sim-actions.js';
import { authNoiseEvents, bruteForceEvents } from './sim-security.js';
import {
  ATTACK_SOURCES,
  distributedAttemptEvents,
  loginEvent,
  newListeningPortEvent,
  passwordSprayEvents,
  sudoersChangeEvent,
} from './sim-attacks.js';
import { SimCredentials } from './sim-credentials.js';
import { isNonCompliant, simulatedFacts } from './sim-posture.js';
import { Uplink } from './uplink.js';

export interface SimulatorOptions {
  url: string;
  /** The enrolment secret; each virtual agent enrols and then uses its own key. */
  token: string;
  /** Where the virtual agents' keys are kept across runs; none: in memory. */
  stateDir?: string | null;
  /** `sha256:<hex>`: the console's CA, pinned (wss:// only). */
  caFingerprint?: string;
  agents: number;
  seed: number;
  clock: Clock;
  regions?: readonly string[];
  /** Each agent sends one batch per interval. */
  sampleIntervalMs?: number;
  /** Extra synthetic series per batch on top of the headline ones (load tests). */
  extraSeries?: number;
  /**
   * One agent in this many has a disk that fills steadily (about 0.9 %/h at a 1 s interval, up
   * to 99 %): the capacity forecasts' demo. The others grow about 0.04 %/h and stop at 88 %.
   * 1: every agent's disk fills; 0: none. Default 8.
   */
  fillingDiskEvery?: number;
  version?: string;
  /** One line per simulated action answered (they run nothing). */
  logAction?: (line: string) => void;
  /**
   * Light background authentication traffic (key logins, a typo then a login, root's sudo):
   * about one burst per agent per 10 minutes. Off by default.
   */
  authNoise?: boolean;
  /**
   * Every agent sends posture facts on connect; one in this many (by index and seed) is
   * non-compliant (root login allowed, and maybe password logins, no firewall, pending
   * security updates, no auditd). 0: all compliant. Default 10.
   */
  nonCompliantEvery?: number;
}

interface VirtualAgent {
  index: number;
  region: string;
  type: AgentType;
  hostname: string;
  uplink: Uplink;
  cpuBase: number;
  memBase: number;
  disk: number;
  /** This agent's disk fills steadily (see SimulatorOptions.fillingDiskEvery). */
  diskFilling: boolean;
  /** The most its disk grows to by itself (99 filling, 88 otherwise; `fillDisk` raises it). */
  diskCap: number;
  phase: number;
  /** Forced cpu value while a scripted spike lasts. */
  cpuOverride: number | null;
  spikeTimer: TimerHandle | null;
  alive: boolean;
  /** Its SIMULATED actions (sim-actions.ts): clean_tmp, restart_service. */
  actions: ActionRunner;
}

const TICK_SLOTS = 10;
const DEFAULT_FILLING_DISK_EVERY = 8;

/**
 * N virtual agents in one process, with seeded, realistic patterns (daily cycle, noise,
 * slowly filling disks, type-specific metrics) and hooks for scripted incidents.
 */
export class Simulator {
  readonly agents: VirtualAgent[] = [];
  private readonly random: () => number;
  private timer: TimerHandle | null = null;
  private tick = 0;
  private readonly started: number;
  private readonly credentials: SimCredentials;

  constructor(private readonly opts: SimulatorOptions) {
    this.random = seededRandom(opts.seed);
    this.credentials = new SimCredentials(opts.stateDir ?? null);
    this.started = opts.clock.now();
    const regions = opts.regions ?? DEFAULT_REGIONS.map((r) => r.id);
    const fillEvery = opts.fillingDiskEvery ?? DEFAULT_FILLING_DISK_EVERY;
    for (let i = 0; i < opts.agents; i++) {
      const region = regions[i % regions.length]!;
      const type = AGENT_TYPES[Math.floor(this.random() * AGENT_TYPES.length)]!;
      const hostname = `sim-${region}-${type}-${String(i).padStart(4, '0')}`;
      const cpuBase = 15 + this.random() * 35;
      const memBase = 35 + this.random() * 30;
      const disk = 30 + this.random() * 40;
      // By index, not by a draw: the seeded sequence of every other value stays as it was.
      const diskFilling = fillEvery > 0 && i % fillEvery === 3 % fillEvery;
      // Its actions act on the agent (by the time an action comes, `agent` is set).
      const actions = this.makeActions(() => agent);
      const agent: VirtualAgent = {
        index: i,
        region,
        type,
        hostname,
        actions,
        uplink: this.makeUplink({ index: i, region, type, hostname, actions }),
        cpuBase,
        memBase,
        disk,
        diskFilling,
        diskCap: diskFilling ? 99 : 88,
        phase: this.random() * Math.PI * 2,
        cpuOverride: null,
        spikeTimer: null,
        alive: true,
      };
      this.agents.push(agent);
    }
  }

  /** Connect every agent; resolves once all have been welcomed (or after `timeoutMs`). */
  async start(timeoutMs = 30_000): Promise<void> {
    for (const a of this.agents) a.uplink.start();
    const interval = this.opts.sampleIntervalMs ?? 1_000;
    this.timer = this.opts.clock.setInterval(
      () => this.onTick(),
      Math.max(1, interval / TICK_SLOTS),
    );
    const deadline = this.opts.clock.now() + timeoutMs;
    while (this.connectedCount() < this.agents.length && this.opts.clock.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.timer?.cancel();
    for (const a of this.agents) a.uplink.stop();
  }

  connectedCount(): number {
    return this.agents.filter((a) => a.uplink.connected).length;
  }

  /** Force an agent's cpu to `value` for `durationMs` (a runaway process; restart_service ends it). */
  spike(index: number, value = 99, durationMs = 30_000): void {
    const agent = this.agents[index]!;
    agent.cpuOverride = value;
    this.sendBatch(agent);
    agent.spikeTimer?.cancel();
    agent.spikeTimer = this.opts.clock.setTimeout(() => (agent.cpuOverride = null), durationMs);
  }

  /** Fill an agent's disk to `value` % and hold it there (until a simulated clean_tmp). */
  fillDisk(index: number, value = 97): void {
    const agent = this.agents[index]!;
    agent.disk = value;
    agent.diskCap = Math.max(value, agent.diskCap);
    if (agent.alive && agent.uplink.connected) this.sendBatch(agent);
  }

  /** The host dies: socket dropped with no close handshake. */
  kill(index: number): void {
    const agent = this.agents[index]!;
    agent.alive = false;
    agent.uplink.kill();
  }

  /** The host comes back with the same identity. */
  revive(index: number): void {
    const agent = this.agents[index]!;
    const previousId = agent.uplink.agentId;
    agent.uplink = this.makeUplink(agent);
    if (previousId) agent.uplink.agentId = previousId;
    agent.alive = true;
    agent.uplink.start();
  }

  /**
   * An SSH password-guessing run against one agent from `sourceIp`: `attempts` failed
   * passwords (with the lines sshd writes around them), ending now. Returns the events sent.
   */
  bruteForce(index: number, o: { attempts: number; sourceIp: string }): number {
    const agent = this.agents[index]!;
    const events = bruteForceEvents({
      ...o,
      endTs: this.opts.clock.now(),
      random: this.random,
    });
    for (let i = 0; i < events.length; i += 500) agent.uplink.sendEvents(events.slice(i, i + 500));
    return events.length;
  }

  /**
   * A password spray from `sourceIp` over up to 10 hosts of `region`: a couple of common
   * account names per host, every name tried within minutes. Returns the hosts' indexes.
   */
  passwordSpray(region: string, o: { sourceIp: string }): number[] {
    const hosts = this.agents.filter((a) => a.region === region && a.alive).slice(0, 10);
    const perHost = passwordSprayEvents({
      sourceIp: o.sourceIp,
      hosts: hosts.length,
      endTs: this.opts.clock.now(),
      random: this.random,
    });
    hosts.forEach((h, i) => this.sendSecurity(h, perHost[i]!));
    return hosts.map((h) => h.index);
  }

  /** One account on one agent attacked from every region's attacker addresses (ATTACK_SOURCES). */
  distributedAttempt(index: number, o: { user: string }): number {
    const events = distributedAttemptEvents({
      user: o.user,
      sources: Object.values(ATTACK_SOURCES).flat(),
      endTs: this.opts.clock.now(),
      random: this.random,
    });
    return this.sendSecurity(this.agents[index]!, events);
  }

  /** A file granting passwordless root appears in the agent's /etc/sudoers.d (a FIM event). */
  sudoersChange(index: number): number {
    const e = sudoersChangeEvent(this.opts.clock.now(), this.random);
    return this.sendSecurity(this.agents[index]!, [e]);
  }

  /** A bind shell starts listening on 0.0.0.0:`port` on the agent (a ports event). */
  newListeningPort(index: number, port = 4444): number {
    const e = newListeningPortEvent(this.opts.clock.now(), this.random, port);
    return this.sendSecurity(this.agents[index]!, [e]);
  }

  /**
   * `user` logs in on a host of `from`, then `minutes` later from another address on a host of
   * `to`. Returns the two hosts' indexes (null when a region has no live agent).
   */
  impossibleTravel(o: {
    user: string;
    from: string;
    to: string;
    minutes?: number;
  }): [number, number] | null {
    const a = this.agents.find((x) => x.region === o.from && x.alive);
    const b = this.agents.find((x) => x.region === o.to && x.alive);
    if (!a || !b) return null;
    const now = this.opts.clock.now();
    const gap = (o.minutes ?? 4) * 60_000;
    this.sendSecurity(a, [
      loginEvent(o.user, ATTACK_SOURCES['us-east-1']![1]!, now - gap, this.random),
    ]);
    this.sendSecurity(b, [loginEvent(o.user, ATTACK_SOURCES['eu-west-1']![1]!, now, this.random)]);
    return [a.index, b.index];
  }

  private sendSecurity(agent: VirtualAgent, events: AgentEvent[]): number {
    for (let i = 0; i < events.length; i += 500) agent.uplink.sendEvents(events.slice(i, i + 500));
    return events.length;
  }

  /** A region loses `fraction` of its agents (network partition: sockets cut). Returns their indexes. */
  failRegion(region: string, fraction = 0.75): number[] {
    const members = this.agents.filter((a) => a.region === region && a.alive);
    const victims = members.slice(0, Math.ceil(members.length * fraction));
    for (const v of victims) this.kill(v.index);
    return victims.map((v) => v.index);
  }

  private makeActions(of: () => VirtualAgent): ActionRunner {
    return simulatedActionRunner({
      clock: this.opts.clock,
      host: {
        cleanDisk: () => {
          const agent = of();
          agent.disk = 40 + this.random() * 15;
          agent.diskCap = agent.diskFilling ? 99 : 88;
          return { percent: agent.disk };
        },
        endCpuSpike: () => {
          const agent = of();
          agent.spikeTimer?.cancel();
          agent.cpuOverride = null;
        },
      },
      log: (line) => this.opts.logAction?.(`${of().hostname}: ${line}`),
      onActionDone: (r) => {
        // The effect shows at once, not at the next tick.
        const agent = of();
        if (r.status === 'succeeded' && agent.alive && agent.uplink.connected)
          this.sendBatch(agent);
      },
    });
  }

  /** The indexes of the non-compliant hosts (see SimulatorOptions.nonCompliantEvery). */
  nonCompliant(): number[] {
    const every = this.opts.nonCompliantEvery ?? 10;
    return this.agents
      .filter((a) => isNonCompliant(a.index, this.opts.seed, every))
      .map((a) => a.index);
  }

  private makeUplink(
    agent: Pick<VirtualAgent, 'index' | 'region' | 'type' | 'hostname' | 'actions'>,
  ): Uplink {
    const uplink = this.newUplink(agent);
    const every = this.opts.nonCompliantEvery ?? 10;
    uplink.onWelcomed(() =>
      uplink.sendFacts(
        simulatedFacts(agent.index, this.opts.seed, every, this.opts.clock.now()),
        true,
      ),
    );
    return uplink;
  }

  private newUplink(
    agent: Pick<VirtualAgent, 'index' | 'region' | 'type' | 'hostname' | 'actions'>,
  ): Uplink {
    return new Uplink({
      url: this.opts.url,
      token: this.opts.token,
      credentials: this.credentials.storeFor(this.opts.url, `${agent.region}/${agent.hostname}`),
      ...(this.opts.caFingerprint ? { caFingerprint: this.opts.caFingerprint } : {}),
      clock: this.opts.clock,
      random: seededRandom(this.opts.seed * 7919 + agent.index),
      backoffInitialMs: 250,
      backoffMaxMs: 10_000,
      actions: agent.actions,
      hello: {
        hostname: agent.hostname,
        region: agent.region,
        agentType: agent.type,
        version: this.opts.version ?? 'sim',
        labels: { simulated: 'true' },
      },
    });
  }

  private onTick(): void {
    const slot = this.tick++ % TICK_SLOTS;
    for (let i = slot; i < this.agents.length; i += TICK_SLOTS) {
      const agent = this.agents[i]!;
      if (agent.alive && agent.uplink.connected) this.sendBatch(agent);
      if (this.opts.authNoise && agent.alive && this.random() < this.noiseChance())
        agent.uplink.sendEvents(authNoiseEvents(this.opts.clock.now(), this.random));
    }
  }

  /** Per agent visit (every TICK_SLOTS intervals): about one burst per 10 minutes. */
  private noiseChance(): number {
    const visitMs = (this.opts.sampleIntervalMs ?? 1_000) * TICK_SLOTS;
    return Math.min(1, visitMs / 600_000);
  }

  private sendBatch(agent: VirtualAgent): void {
    agent.uplink.sendMetrics(this.samplesFor(agent));
  }

  samplesFor(agent: VirtualAgent): Sample[] {
    const ts = this.opts.clock.now();
    const hours = (ts - this.started) / 3_600_000;
    const daily = Math.sin((hours / 24) * 2 * Math.PI + agent.phase);
    const clamp = (v: number) => Math.min(100, Math.max(0, v));
    const noise = () => gaussian(this.random);
    const cpu = agent.cpuOverride ?? clamp(agent.cpuBase + 12 * daily + 4 * noise());
    const fill = this.random();
    // Never pulled down to the cap: a disk filled past it (fillDisk) stays full.
    const growth = agent.diskFilling ? 0.0005 * fill : 0.00002 * fill;
    agent.disk = Math.max(agent.disk, Math.min(agent.diskCap, agent.disk + growth));
    // Reported at the precision a gauge means (as real agents do: 47.25 %, 120.5 ms), not
    // the 16 digits a float carries: that is also what lets the store compress them.
    const g = (name: string, value: number, unit: string): Sample => ({
      name,
      value: roundForUnit(value, unit),
      ts,
      unit,
      kind: 'gauge',
    });
    const samples: Sample[] = [
      g('cpu_usage', cpu, '%'),
      g('memory_usage', clamp(agent.memBase + 5 * daily + 2 * noise()), '%'),
      g('disk_usage', agent.disk, '%'),
    ];
    if (agent.type === 'application') {
      samples.push(
        g(
          'response_time',
          Math.max(5, 120 + 60 * daily + 25 * noise() + (cpu > 90 ? 1500 : 0)),
          'ms',
        ),
      );
      samples.push(g('error_rate', clamp(0.5 + 0.3 * noise() + (cpu > 90 ? 8 : 0)), '%'));
    } else if (agent.type === 'database') {
      samples.push(
        g('db_connections', Math.max(0, Math.round(80 + 30 * daily + 10 * noise())), ''),
      );
    } else if (agent.type === 'network') {
      samples.push(g('packet_loss', clamp(0.05 + 0.05 * Math.abs(noise())), '%'));
    }
    for (let k = 0; k < (this.opts.extraSeries ?? 0); k++) {
      samples.push({
        name: 'synthetic_value',
        value: Math.round(this.random() * 10_000) / 100,
        ts,
        kind: 'gauge',
        labels: { n: String(k) },
      });
    }
    return samples;
  }
}

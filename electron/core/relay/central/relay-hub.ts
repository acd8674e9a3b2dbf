// The console's side of regional relays: who they are, the agents behind each, and what the
// console does when a relay's link is lost. A relay judges its agents' liveness itself, so a
// lost link is one alert about the relay ("cut off" or "down"), never an offline page per
// agent: the agents it last reported healthy are held online for `holdMs` (default 24 h), and
// their data waits in the relay's queue. On reconnection the relay's full registration list
// and its queued batches bring the console up to date; the boot id tells whether the relay
// restarted meanwhile.
import type { WebSocket } from 'ws';
import { Low } from 'lowdb';
import { join } from 'node:path';
import { CLOSE } from '../../../../shared/protocol.js';
import type { ActionMessage } from '../../../../shared/protocol.js';
import {
  RELAY_ID_PREFIX,
  RELAY_PROTOCOL_VERSION,
  type RelayActionRefused,
  type RelayAgents,
  type RelayBatch,
  type RelayHello,
  type RelayProblem,
  type RelayStatus,
} from '../../../../shared/relay-protocol.js';
import type { RelayView } from '../../../../shared/relays.js';
import type { Clock, TimerHandle } from '../../clock.js';
import { CONSOLE_RULES, type ConsoleAlerts } from '../../console-alerts.js';
import type { Fleet } from '../../fleet/fleet.js';
import type { IdSource } from '../../ids.js';
import type { IngestAuth, IngestCredentials } from '../../ingest/ingest-auth.js';
import type { IngestHandler } from '../../ingest/session.js';
import type { Logger } from '../../logger.js';
import { DurableJsonFile } from '../../state/durable-file.js';
import { MAX_OUTAGES, RelayRecord, type PersistedRelay } from './relay-record.js';
import {
  offeredThroughRelay,
  relayBlock,
  relayBlockText,
  sendThroughRelay,
  takeRefusal,
  type RelayRoute,
} from './relay-actions.js';
import { outageMessage, type LinkLoss } from './relay-outage.js';
import { applyRegistrations } from './relay-registrations.js';
import type { RelayMetrics } from './relay-metrics.js';
import { RelaySession, type RelaySessionHandler } from './relay-session.js';

const RELAY_RULE = CONSOLE_RULES.relayUnreachable;
export const RELAYS_FILE = 'relays.json';

export interface RelayHubDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  fleet: Fleet;
  credentials: IngestCredentials;
  registry: { persist(agent: NonNullable<ReturnType<Fleet['agent']>>): Promise<void> };
  consoleAlerts: Pick<ConsoleAlerts, 'raise' | 'clear'>;
  metrics: RelayMetrics;
}

export interface RelayHubOptions {
  dataDir: string;
  pingIntervalMs: number;
  statusIntervalMs: number;
  /** How long agents behind a lost relay are held online. */
  holdMs: number;
  /** After a console start, how long a known relay has to reconnect before it counts as lost. */
  restartGraceMs: number;
  maxSendBufferBytes: number;
}

interface RelayFile {
  relays: PersistedRelay[];
}

export class RelayHub implements RelaySessionHandler {
  private readonly relays = new Map<string, RelayRecord>();
  private readonly sessions = new Set<RelaySession>();
  private readonly current = new Map<string, RelaySession>();
  /** Which relay each agent is behind. */
  private readonly ownerOf = new Map<string, string>();
  private readonly db: Low<RelayFile>;
  private pinger: TimerHandle | null = null;
  private grace: TimerHandle | null = null;
  private saving: Promise<void> = Promise.resolve();
  /** The ingest pipeline, once the ingest side is built (attach). */
  private handler: IngestHandler | null = null;
  private stopped = false;

  constructor(
    private readonly deps: RelayHubDeps,
    private readonly opts: RelayHubOptions,
  ) {
    const file = new DurableJsonFile<RelayFile>(
      join(opts.dataDir, RELAYS_FILE),
      (raw) => {
        const relays = (raw as RelayFile | null)?.relays;
        if (!Array.isArray(relays)) throw new Error('relays.json: no relays array');
        return { relays };
      },
      () => deps.clock.now(),
    );
    this.db = new Low(file, { relays: [] });
  }

  /** Batches go through the same pipeline as an agent's (admission, store + WAL, rules). */
  attach(handler: IngestHandler): void {
    this.handler = handler;
  }

  async open(): Promise<void> {
    await this.db.read();
    const now = this.deps.clock.now();
    for (const p of this.db.data.relays) {
      const r = RelayRecord.restore(p, now);
      this.relays.set(r.id, r);
      for (const id of r.agents.keys()) this.ownerOf.set(id, r.id);
    }
    this.deps.metrics.relays.sources.states = () => this.stateCounts();
  }

  start(): void {
    this.pinger = this.deps.clock.setInterval(() => {
      for (const s of this.sessions) s.ping();
    }, this.opts.pingIntervalMs);
    // Relays known from before the restart that have not come back: lost, paged once.
    this.grace = this.deps.clock.setTimeout(() => {
      for (const r of this.relays.values())
        if (!this.current.has(r.id) && !r.openOutage) this.lose(r, 'down', true);
    }, this.opts.restartGraceMs);
  }

  /** Stop judging links (the console's own shutdown is no relay outage) and save. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pinger?.cancel();
    this.grace?.cancel();
    await this.save();
  }

  /** The ingest server is stopping: close every relay link, then cut what is left. */
  endAll(): void {
    this.stopped = true;
    for (const s of this.sessions) s.end(CLOSE.shuttingDown, 'console stopping');
  }

  terminateAll(): void {
    for (const s of this.sessions) s.terminate();
  }

  accept(ws: WebSocket, address: string, auth: IngestAuth): void {
    const session = new RelaySession(ws, address, auth, this, this.opts.maxSendBufferBytes);
    this.sessions.add(session);
    ws.on('close', () => this.sessions.delete(session));
  }

  list(): RelayView[] {
    return [...this.relays.values()]
      .map((r) => r.view())
      .sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name));
  }

  /** The relay an agent reports through, if any. */
  relayOf(agentId: string): string | null {
    return this.ownerOf.get(agentId) ?? null;
  }

  /** Send a recovery action through the agent's relay (the recovery service's AgentLink). */
  sendAction(agentId: string, msg: ActionMessage): boolean {
    return sendThroughRelay(this.route(agentId), agentId, msg, this.deps.metrics);
  }

  /** The actions the agent offers through its relay; null when none can reach it now. */
  offeredActions(agentId: string): readonly string[] | null {
    return offeredThroughRelay(this.route(agentId));
  }

  /** The relay the agent is behind and, in words, what stops an action reaching it now. */
  behind(agentId: string): { relay: { id: string; name: string }; blocked: string | null } | null {
    const relay = this.relays.get(this.ownerOf.get(agentId) ?? '');
    if (!relay) return null;
    const block = relayBlock(this.route(agentId));
    return {
      relay: { id: relay.id, name: relay.name },
      blocked: block === null ? null : relayBlockText(block, relay.name),
    };
  }

  private route(agentId: string): RelayRoute {
    const relayId = this.ownerOf.get(agentId);
    if (relayId === undefined) return { session: undefined, agent: undefined };
    const agent = this.relays.get(relayId)?.agents.get(agentId);
    return { session: this.current.get(relayId), agent };
  }

  disconnectKey(keyId: string): number {
    let n = 0;
    for (const s of this.sessions) {
      if (s.keyId !== keyId) continue;
      s.end(CLOSE.keyRevoked, 'this relay key was revoked by an operator');
      n++;
    }
    return n;
  }

  rejected(reason: string): void {
    this.deps.metrics.framesRejected.inc({ reason });
  }

  async hello(session: RelaySession, hello: RelayHello): Promise<void> {
    const { auth } = session;
    const creds = this.deps.credentials;
    let relayId: string;
    if (auth.kind === 'key') {
      if (hello.relayId !== undefined && hello.relayId !== auth.agentId)
        return session.close(
          CLOSE.agentIdMismatch,
          `this key belongs to relay ${auth.agentId}, not ${hello.relayId}`,
        );
      relayId = auth.agentId;
      creds.used(auth.keyId);
    } else {
      const asked = hello.relayId;
      if (asked !== undefined && creds.enrolled(asked))
        return session.close(
          CLOSE.agentIdMismatch,
          `relay ${asked} has its own key; the enrolment secret cannot connect as it`,
        );
      relayId = asked?.startsWith(RELAY_ID_PREFIX) ? asked : this.deps.ids('rly');
    }
    const credential = auth.kind === 'enrolment' ? await creds.issue(relayId) : null;
    if (session.isClosing) return;
    if (credential) session.keyId = credential.keyId;
    session.relayId = relayId;
    session.actions = hello.actions === true;
    const now = this.deps.clock.now();
    let relay = this.relays.get(relayId);
    if (!relay) {
      relay = new RelayRecord(
        relayId,
        hello.name,
        hello.region,
        hello.version,
        session.address,
        hello.bootId,
        now,
      );
      this.relays.set(relayId, relay);
    }
    const restarted = relay.bootId !== hello.bootId;
    Object.assign(relay, { name: hello.name, region: hello.region, version: hello.version });
    Object.assign(relay, { address: session.address, bootId: hello.bootId });
    const previous = this.current.get(relayId);
    this.current.set(relayId, session);
    if (previous && previous !== session)
      previous.end(CLOSE.replaced, 'a newer connection took over');
    const outage = relay.openOutage;
    if (outage) {
      outage.endedAt = now;
      outage.relayRestarted = restarted;
      this.deps.consoleAlerts.clear(RELAY_RULE, relayId);
      this.deps.logger.info('relay link back', {
        relay: relay.name,
        after: outage.kind,
        seconds: Math.round((now - outage.startedAt) / 1000),
        relayRestarted: restarted,
      });
    }
    relay.state = 'connected';
    relay.since = now;
    relay.lastContactAt = now;
    this.deps.metrics.connects.inc({ outcome: outage ? 'reconnect' : 'connect' });
    session.send({
      type: 'relay_welcome',
      protocol: RELAY_PROTOCOL_VERSION,
      relayId,
      serverTime: now,
      statusIntervalMs: this.opts.statusIntervalMs,
      ...(credential ? { credential } : {}),
    });
    void this.save();
  }

  text(session: RelaySession, msg: RelayAgents | RelayStatus | RelayActionRefused): void {
    const relay = this.relayFor(session);
    if (!relay) return;
    relay.lastContactAt = this.deps.clock.now();
    if (msg.type === 'relay_status') return this.status(relay, msg);
    if (msg.type === 'relay_action_refused') {
      const { ownerOf, handler } = this;
      return takeRefusal(relay.id, msg, { ownerOf, handler, metrics: this.deps.metrics });
    }
    this.agents(session, relay, msg);
  }

  private status(relay: RelayRecord, msg: RelayStatus): void {
    relay.status = msg;
    relay.statusAt = this.deps.clock.now();
    // The relay holds these alive by their own heartbeats: its report is their sign of life,
    // good until a few reports have gone missing.
    for (const [id, a] of relay.agents) if (a.online) this.alive(id);
  }

  private agents(session: RelaySession, relay: RelayRecord, msg: RelayAgents): void {
    const { problems, durable } = applyRegistrations(relay, msg.agents, {
      fleet: this.deps.fleet,
      credentials: this.deps.credentials,
      registry: this.deps.registry,
      relays: this.relays,
      ownerOf: this.ownerOf,
      alive: (id) => this.alive(id),
    });
    session.registered = Promise.all([session.registered, ...durable]).then(() => {});
    if (problems.length > 0) {
      this.deps.metrics.agentsRefused.inc(problems.length);
      session.send({
        type: 'relay_error',
        code: 'agents_refused',
        message: `${problems.length} agent(s) refused`,
        problems: problems.slice(0, 100),
      });
    }
    if (msg.full || durable.length > 0) void this.save();
  }

  batch(session: RelaySession, batch: RelayBatch, wireBytes: number): void {
    const relay = this.relayFor(session);
    if (!relay) return;
    const now = this.deps.clock.now();
    relay.lastContactAt = now;
    relay.bytesReceived += wireBytes;
    this.deps.metrics.bytesReceived.inc(wireBytes);
    const { handler } = this;
    if (!handler) return;
    const admission = handler.admission();
    if (!admission.open) {
      this.deps.metrics.batches.inc({ outcome: 'paused' });
      return session.send({
        type: 'relay_error',
        code: 'ingest_paused',
        message: `${admission.reason}: ${admission.message}`,
        seq: batch.seq,
        retryAfterMs: admission.retryAfterMs,
      });
    }
    const mono = this.deps.clock.monotonic();
    const problems: RelayProblem[] = [];
    const waits: Promise<void>[] = [];
    for (const { agentId, message } of batch.entries) {
      if (this.ownerOf.get(agentId) !== relay.id || !this.deps.fleet.agent(agentId)) {
        problems.push({
          agentId,
          code: 'unknown_agent',
          message: `agent ${agentId} is not registered through this relay`,
        });
        continue;
      }
      if (message.type === 'metrics') {
        const { durable, problems: dropped } = handler.metrics(agentId, message, now, mono);
        relay.samplesReceived += message.samples.length;
        for (const p of dropped)
          problems.push({ agentId, code: p.code, message: p.message.slice(0, 512) });
        waits.push(durable);
      } else if (message.type === 'events') waits.push(handler.events(agentId, message, now));
      else if (message.type === 'facts') waits.push(handler.facts(agentId, message));
      // Recorded (once, by its id) before the batch is acked: the relay keeps it until then.
      else waits.push(handler.actionResult(agentId, message));
    }
    const registered = session.registered;
    Promise.all([registered, ...waits]).then(
      () => {
        this.deps.metrics.batches.inc({ outcome: 'acked' });
        session.send({ type: 'relay_ack', seq: batch.seq, problems: problems.slice(0, 100) });
      },
      (err: Error) => {
        this.deps.metrics.batches.inc({ outcome: 'write_failed' });
        session.send({
          type: 'relay_error',
          code: 'ingest_paused',
          message: `write_failed: ${err.message}`,
          seq: batch.seq,
          retryAfterMs: 1_000,
        });
      },
    );
  }

  closed(session: RelaySession, how: LinkLoss, code: number): void {
    const id = session.relayId!;
    if (this.stopped || this.current.get(id) !== session) return;
    this.current.delete(id);
    const relay = this.relays.get(id);
    if (relay) this.lose(relay, how, false, code === 1001);
  }

  /** The link is lost: hold the agents it reported healthy, page once about the relay. */
  private lose(
    relay: RelayRecord,
    how: LinkLoss,
    afterRestart: boolean,
    saidStopping = false,
  ): void {
    const now = this.deps.clock.now();
    relay.state = how;
    relay.since = now;
    relay.outages.unshift({ kind: how, startedAt: now, endedAt: null, relayRestarted: null });
    relay.outages.length = Math.min(relay.outages.length, MAX_OUTAGES);
    const held = [...relay.agents].filter(([, a]) => a.online).map(([id]) => id);
    for (const id of held) this.deps.fleet.holdAlive(id, this.opts.holdMs);
    this.deps.metrics.linkLost.inc({ how });
    const facts = { how, afterRestart, saidStopping, held: held.length };
    const message = outageMessage(relay, { ...facts, holdMs: this.opts.holdMs });
    this.deps.consoleAlerts.raise(RELAY_RULE, relay.id, 'critical', message);
    this.deps.logger.warn('relay link lost', { relay: relay.name, how, held: held.length });
    void this.save();
  }

  /**
   * A relayed sign of life. The agent may then stay unheard for three status reports plus the
   * two ping rounds it takes to find the link silent: a lost link must be found (and the agent
   * held) before the agent would count as offline, or a WAN cut pages for every agent.
   */
  private alive(agentId: string): void {
    const { statusIntervalMs, pingIntervalMs } = this.opts;
    this.deps.fleet.heartbeat(agentId, 3 * statusIntervalMs + 2 * pingIntervalMs);
  }

  private relayFor(session: RelaySession): RelayRecord | null {
    const id = session.relayId;
    if (!id || this.current.get(id) !== session) return null;
    return this.relays.get(id) ?? null;
  }

  private stateCounts(): Record<string, number> {
    const counts: Record<string, number> = { connected: 0, cut_off: 0, down: 0 };
    for (const r of this.relays.values()) counts[r.state] = (counts[r.state] ?? 0) + 1;
    return counts;
  }

  /** relays.json, written whole (a handful of relays), one write at a time. */
  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      this.db.data = { relays: [...this.relays.values()].map((r) => r.persisted()) };
      try {
        await this.db.write();
      } catch (err) {
        this.deps.logger.error('relays.json write failed', { error: (err as Error).message });
      }
    });
    return this.saving;
  }
}

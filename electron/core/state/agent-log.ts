// The agent registry on disk: <data-dir>/agents.ndjson, a RecordLog keyed by agent id. Only
// what a restart needs is written: a new agent (at once: its welcome waits for it), a changed
// identity, the last-known status (debounced), a retirement. Heartbeats and metric counts
// are not written per change; they go out with the next status change and at a clean stop.
import { join } from 'node:path';
import type { Agent } from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog, type ReplayStats } from './record-log.js';
import { isAgentRecord } from './schema.js';

export const AGENT_LOG_FILE = 'agents.ndjson';

export interface AgentLogDeps {
  clock: Clock;
  logger: Logger;
  /** The registry's live record for an id (the Fleet), read when a debounced write goes out. */
  lookup(id: string): Agent | undefined;
  onWrite?(kind: 'append' | 'compact'): void;
}

export interface AgentLogOptions {
  /** Status changes are written at most this often (per burst, not per agent). */
  debounceMs: number;
  /** Group-commit window for registrations. */
  flushMs?: number;
}

/** The fields that say who an agent is; a hello that changes none of them writes nothing. */
function identity(a: Agent): string {
  return JSON.stringify([a.regionId, a.hostname, a.ipAddress, a.type, a.version, a.labels]);
}

export class AgentLog {
  private readonly log: RecordLog<Agent>;
  /** Identity of each agent as last written. */
  private readonly written = new Map<string, string>();
  /** Status changed since the last write: written on the debounce. */
  private readonly dirty = new Set<string>();
  /** Heartbeat, counts or latest values changed since the last write: written at close. */
  private readonly touched = new Set<string>();
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    dataDir: string,
    private readonly deps: AgentLogDeps,
    private readonly opts: AgentLogOptions,
  ) {
    this.log = new RecordLog<Agent>({
      path: join(dataDir, AGENT_LOG_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isAgentRecord(raw) && raw.id === key ? raw : null),
      flushMs: opts.flushMs ?? 5,
      onWrite: (w) => deps.onWrite?.(w.kind),
      onError: (err) =>
        deps.logger.error('agent registry write failed; will rewrite it', { error: err.message }),
    });
  }

  get path(): string {
    return this.log.path;
  }

  get bytes(): { file: number; live: number } {
    return this.log.bytes;
  }

  async open(): Promise<{ agents: Agent[]; stats: ReplayStats }> {
    const { records, stats } = await this.log.open();
    for (const agent of records.values()) this.written.set(agent.id, identity(agent));
    return { agents: [...records.values()], stats };
  }

  has(id: string): boolean {
    return this.log.has(id);
  }

  /**
   * After a hello: a new agent, or one whose identity changed, is written now. Resolves once
   * the agent's record is durable (at once for a known agent whose record already is).
   */
  persist(agent: Agent): Promise<void> {
    const id = identity(agent);
    if (this.written.get(agent.id) === id) return this.log.durable(agent.id);
    this.written.set(agent.id, id);
    return this.write(agent);
  }

  /** The agent's status changed: its last-known status is written within the debounce. */
  statusChanged(agentId: string): void {
    if (this.closed) return;
    this.dirty.add(agentId);
    this.timer ??= this.deps.clock.setTimeout(() => this.writeDirty(), this.opts.debounceMs);
  }

  /** Only a heartbeat or new values: kept for the next write, never written on its own. */
  touch(agentId: string): void {
    this.touched.add(agentId);
  }

  /** The agent was retired. Resolves once that is durable. */
  remove(agentId: string): Promise<void> {
    this.dirty.delete(agentId);
    this.touched.delete(agentId);
    this.written.delete(agentId);
    return this.log.delete(agentId);
  }

  /** Agents from an old state.json that the log does not hold yet; resolves once durable. */
  async migrate(agents: readonly Agent[]): Promise<Agent[]> {
    const missing = agents.filter((a) => !this.log.has(a.id));
    await Promise.all(missing.map((a) => this.persist(a)));
    return missing;
  }

  /** Write the newest state of every agent that changed since its last write, then close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    for (const id of new Set([...this.dirty, ...this.touched])) {
      const agent = this.deps.lookup(id);
      if (agent) void this.write(agent);
    }
    try {
      await this.log.close();
    } catch (err) {
      this.deps.logger.error('agent registry: last write failed', {
        error: (err as Error).message,
      });
    }
  }

  private writeDirty(): void {
    this.timer = null;
    for (const id of this.dirty) {
      const agent = this.deps.lookup(id);
      if (agent) void this.write(agent);
    }
    this.dirty.clear();
  }

  private write(agent: Agent): Promise<void> {
    this.dirty.delete(agent.id);
    this.touched.delete(agent.id);
    return this.log.upsert(agent.id, agent);
  }
}

// Keeps the agent registry durable and its cap honest: replays agents.ndjson (and carries the
// agents of an old state.json over once), writes status changes on a debounce, raises and
// clears the "registry full" alert, and retires agents for the operator.
import type { Agent } from '../../../shared/model.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { AlertBook } from '../incidents/alert-book.js';
import { consoleAlert } from '../incidents/console-alert.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { AgentLog } from '../state/agent-log.js';
import type { DecommissionResult, Fleet } from './fleet.js';

/** The console alert raised while the cap refuses new agents. */
export const AGENT_LIMIT_RULE = 'agent_limit';
const AGENT_LIMIT_SUBJECT = 'agents.ndjson';

export type DecommissionOutcome =
  { ok: true; agent: Agent; resolvedAlerts: string[] } | Extract<DecommissionResult, { ok: false }>;

export interface RegistryKeeperDeps {
  clock: Clock;
  logger: Logger;
  events: CoreEvents;
  metrics: CoreMetrics;
  fleet: Fleet;
  alerts: AlertBook;
}

export class RegistryKeeper {
  readonly log: AgentLog;

  constructor(
    dataDir: string,
    private readonly deps: RegistryKeeperDeps,
    debounceMs: number,
  ) {
    this.log = new AgentLog(
      dataDir,
      {
        clock: deps.clock,
        logger: deps.logger,
        lookup: (id) => deps.fleet.agent(id),
        onWrite: (kind) => deps.metrics.registryWrites.inc({ kind }),
      },
      { debounceMs },
    );
    this.wire();
  }

  /**
   * Replay agents.ndjson; `legacy` are the agents of a state.json written before the registry
   * moved out of it: those the log lacks are written to it (durably) before this resolves.
   */
  async open(legacy: readonly Agent[]): Promise<Agent[]> {
    const { agents, stats } = await this.log.open();
    this.deps.metrics.registryReplayCorruptLines.set(stats.corrupt);
    if (stats.corrupt + stats.invalid > 0)
      this.deps.logger.warn('agents.ndjson had damaged lines; they were skipped', { ...stats });
    const migrated = legacy.length > 0 ? await this.log.migrate(legacy) : [];
    if (migrated.length > 0) {
      this.deps.logger.info('moved agents from state.json to agents.ndjson', {
        agents: migrated.length,
      });
    }
    return [...agents, ...migrated];
  }

  /** Once fleet and alerts are loaded: counts that follow the alerts, and the cap alert. */
  restored(): void {
    const { fleet, alerts, metrics } = this.deps;
    for (const agent of fleet.listAgents())
      fleet.setAlertsCount(agent.id, alerts.openCountFor(agent.id));
    // maxAgents may have been raised (or agents retired) while the console was stopped.
    if (!fleet.isFull) alerts.clear(AGENT_LIMIT_RULE, AGENT_LIMIT_SUBJECT, fleet.size);
    metrics.agentsOnline.set(fleet.onlineCount());
    metrics.sources.agentsRegistered = () => fleet.size;
  }

  /**
   * Retire an agent that is gone for good (offline or error, no open connection): it leaves
   * the registry and its region's counts, its open alerts resolve as by `by`, and its metric
   * history stays until retention. Resolves once the retirement is durable.
   */
  async decommission(id: string, by: string, comment?: string): Promise<DecommissionOutcome> {
    const { fleet, alerts, logger } = this.deps;
    const result = fleet.decommission(id);
    if (!result.ok) return result;
    const reason = comment ? `agent decommissioned: ${comment}` : 'agent decommissioned';
    const resolvedAlerts: string[] = [];
    for (const alert of alerts.list({ state: 'open', agentId: id })) {
      alerts.resolve(alert.id, by, reason);
      resolvedAlerts.push(alert.id);
    }
    await this.log.remove(id);
    logger.info('agent decommissioned', { agentId: id, hostname: result.agent.hostname, by });
    return { ok: true, agent: result.agent, resolvedAlerts };
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private wire(): void {
    const { events, metrics, fleet, alerts, logger } = this.deps;
    // A new agent is written by the hello path (its welcome waits for it); a status change
    // here, on a debounce; heartbeats and values only at a clean stop.
    events.on('agent.changed', ({ agent, previousStatus }) => {
      if (agent.status === previousStatus) return;
      metrics.agentsOnline.set(fleet.onlineCount());
      this.log.statusChanged(agent.id);
    });
    events.on('agent.touched', ({ agent }) => this.log.touch(agent.id));
    events.on('agent.removed', () => metrics.agentsOnline.set(fleet.onlineCount()));
    events.on('fleet.capacity', ({ agents, max, full }) => {
      if (!full) return alerts.clear(AGENT_LIMIT_RULE, AGENT_LIMIT_SUBJECT, agents);
      logger.warn('agent registry full: refusing new agents', { agents, max });
      alerts.report(
        consoleAlert(
          AGENT_LIMIT_RULE,
          AGENT_LIMIT_SUBJECT,
          'warning',
          `agent registry full: ${agents}/${max}; retire agents or raise maxAgents`,
        ),
      );
    });
  }
}

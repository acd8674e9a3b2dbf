// The guardrails: whether a recovery run may act now. One pure function of what the console
// knows (the runbook, the agent and its region, the runs before it, the clock), enforced
// whatever the runbook's mode — a dry run passes the same checks. Each answer names its
// guardrail and says why in words an operator reads on the incident's timeline.
//
//   refuse  the run ends here (refused): it must not act, now or later;
//   defer   it waits (deferred) and is looked at again when the reason ends;
//   hold    it waits for an operator (awaiting_approval), even in automatic mode;
//   allow   it may act.
import type { AgentStatus, RegionStatus } from '../../../shared/model.js';
import type { GuardrailCode, RecoveryRun, Runbook, RunState } from '../../../shared/recovery.js';
import { regionStatusForHealth } from '../../../shared/regions.js';

const HOUR = 3_600_000;

export type GuardrailDecision =
  | { verdict: 'allow' }
  | { verdict: 'refuse' | 'defer' | 'hold'; code: GuardrailCode | null; reason: string };

/** What the guardrails read of other runs. */
export type RunFacts = Pick<
  RecoveryRun,
  'id' | 'runbookId' | 'agentId' | 'regionId' | 'state' | 'mode' | 'dispatchedAt' | 'endedAt'
>;

export interface GuardrailInput {
  now: number;
  runbook: Pick<Runbook, 'id' | 'name' | 'enabled' | 'steps' | 'guardrails'>;
  /**
   * `mode` is the one the run is decided and executed under (the caller sets it from the
   * runbook before asking): a dry run skips rate limits and cooldown, and the executor sends
   * `dryRun` from the same field, so the two can never disagree.
   * `approvedBy`: an operator approved it (for the mode).
   */
  run: Pick<RecoveryRun, 'id' | 'agentId' | 'mode' | 'approvedBy'>;
  /**
   * An operator approved this very run (by its id) while it was held for the blast radius: the
   * only way past it. An approval for the mode alone, or of an incident's runs together, does
   * not cover it: those runs are released only as far as the blast radius allows.
   */
  pastBlastRadius: boolean;
  /** The agent as the fleet knows it; null when it is not registered (retired). */
  agent: { status: AgentStatus; hostname: string } | null;
  /** Actions its hello offered on its live connection; null when not connected. */
  offered: readonly string[] | null;
  region: { id: string; status: RegionStatus; healthScore: number; agentCount: number } | null;
  /** The maintenance window covering the agent or its region now, by id. */
  maintenance: string | null;
  /** The console started recently: nothing acts before this (epoch ms). */
  graceUntil: number;
  /** Runs that act on one agent within an hour, every runbook together (the console's cap). */
  maxRunsPerAgentPerHour: number;
  /** The other runs the console knows (this one left out). */
  runs: readonly RunFacts[];
}

/** Runs that act on their agent now (or are about to). */
export const IN_FLIGHT: ReadonlySet<RunState> = new Set(['queued', 'running', 'verifying']);
/** Runs that acted and ended: what rate limits and cooldown count. */
const ACTED_ENDED: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'interrupted']);

const refuse = (code: GuardrailCode, reason: string): GuardrailDecision => ({
  verdict: 'refuse',
  code,
  reason,
});

const minutes = (ms: number) =>
  ms >= 60_000 ? `${Math.ceil(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`;

export function decide(input: GuardrailInput): GuardrailDecision {
  const { now, runbook, run, agent, region } = input;
  const g = runbook.guardrails;
  const actions = runbook.steps.flatMap((s) => (s.kind === 'action' ? [s.action] : []));
  const who = agent?.hostname ?? run.agentId;

  if (!runbook.enabled) return refuse('runbook_disabled', `runbook ${runbook.name} is disabled`);

  // Right after a start the fleet's picture is not whole yet (agents reconnecting, regions
  // looking failed, their hellos and offers still to come): wait rather than refuse for good.
  if (now < input.graceUntil)
    return {
      verdict: 'defer',
      code: 'console_grace',
      reason: `the console started recently: waits ${minutes(input.graceUntil - now)} for the fleet to report in`,
    };

  // Agent actions need the agent on a live connection that offered each of them.
  if (actions.length > 0) {
    if (!agent || agent.status !== 'online' || input.offered === null)
      return refuse('agent_offline', `${who} is not connected: no action can reach it`);
    const missing = actions.find((a) => !input.offered!.includes(a));
    if (missing !== undefined)
      return refuse(
        'action_not_offered',
        `${who} does not offer the action ${missing} (not in its actions file)`,
      );
  }

  if (region) {
    const failed =
      region.status === 'failed' ||
      (region.status === 'maintenance' && regionStatusForHealth(region.healthScore) === 'failed');
    if (failed)
      return refuse(
        'region_failed',
        `region ${region.id} has failed: no action while most of it is unreachable`,
      );
    if (region.status === 'maintenance' || input.maintenance !== null)
      return refuse(
        'region_maintenance',
        `${input.maintenance ? `maintenance window ${input.maintenance}` : `region ${region.id} is in maintenance`}: no action during planned work`,
      );
  } else if (input.maintenance !== null)
    return refuse(
      'region_maintenance',
      `maintenance window ${input.maintenance}: no action during planned work`,
    );

  const real = input.runs.filter((r) => r.mode !== 'dry_run');
  // Rate limits and cooldown count runs that acted (a dry run changes nothing).
  if (run.mode !== 'dry_run') {
    const sinceHour = real.filter(
      (r) => r.runbookId === runbook.id && r.dispatchedAt !== null && r.dispatchedAt > now - HOUR,
    );
    const onAgent = sinceHour.filter((r) => r.agentId === run.agentId).length;
    if (onAgent >= g.maxRunsPerAgentPerHour)
      return refuse(
        'rate_agent',
        `${runbook.name} ran ${onAgent} time(s) on ${who} within the hour (limit ${g.maxRunsPerAgentPerHour})`,
      );
    // Every runbook together: several runbooks, each within its own limit, must not hammer
    // one agent between them.
    const onAgentAll = real.filter(
      (r) => r.agentId === run.agentId && r.dispatchedAt !== null && r.dispatchedAt > now - HOUR,
    ).length;
    if (onAgentAll >= input.maxRunsPerAgentPerHour)
      return refuse(
        'rate_agent_total',
        `${onAgentAll} recovery run(s) of any runbook acted on ${who} within the hour (limit ${input.maxRunsPerAgentPerHour} for all runbooks)`,
      );
    if (sinceHour.length >= g.maxRunsPerHour)
      return refuse(
        'rate_runbook',
        `${runbook.name} ran ${sinceHour.length} time(s) within the hour (limit ${g.maxRunsPerHour})`,
      );
    const lastEnd = Math.max(
      -Infinity,
      ...real
        .filter(
          (r) =>
            r.runbookId === runbook.id &&
            r.agentId === run.agentId &&
            ACTED_ENDED.has(r.state) &&
            r.endedAt !== null,
        )
        .map((r) => r.endedAt!),
    );
    if (now < lastEnd + g.cooldownMs)
      return refuse(
        'cooldown',
        `${runbook.name} ended on ${who} ${minutes(now - lastEnd)} ago; cooldown ${minutes(g.cooldownMs)}`,
      );
  }

  // One recovery at a time per agent, whatever the runbook: a second one waits its turn.
  const busy = input.runs.find((r) => r.agentId === run.agentId && IN_FLIGHT.has(r.state));
  if (busy)
    return {
      verdict: 'defer',
      code: 'agent_busy',
      reason: `${who} is busy with run ${busy.id}: this one starts when it ends`,
    };

  // Blast radius: an operator's approval of this very run, held for it, is the only way past.
  if (!input.pastBlastRadius) {
    const inFlight = real.filter((r) => IN_FLIGHT.has(r.state) && r.agentId !== run.agentId);
    const sameBook = new Set(
      inFlight.filter((r) => r.runbookId === runbook.id).map((r) => r.agentId),
    );
    if (sameBook.size + 1 > g.maxConcurrentAgents)
      return {
        verdict: 'hold',
        code: 'blast_radius',
        reason: `${runbook.name} already acts on ${sameBook.size} agent(s) (limit ${g.maxConcurrentAgents} at once): an operator must approve this run`,
      };
    if (region) {
      const cap = Math.max(1, Math.floor((region.agentCount * g.maxRegionPercent) / 100));
      const inRegion = new Set(
        inFlight.filter((r) => r.regionId === region.id).map((r) => r.agentId),
      );
      if (inRegion.size + 1 > cap)
        return {
          verdict: 'hold',
          code: 'blast_radius',
          reason: `${inRegion.size} of ${region.agentCount} agent(s) of ${region.id} are being acted on (limit ${g.maxRegionPercent} %, ${cap} at once): an operator must approve this run`,
        };
    }
  }

  if (run.mode === 'approval' && run.approvedBy === null)
    return {
      verdict: 'hold',
      code: null,
      reason: `${runbook.name} asks for approval before it acts`,
    };
  return { verdict: 'allow' };
}

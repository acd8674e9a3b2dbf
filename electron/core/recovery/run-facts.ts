// What a run is made of and what it is judged on: the runbooks an alert calls for, a new run,
// the facts the guardrails read (agent, region, maintenance, other runs), and what the run's
// templates and verifications know. Plain functions of the recovery service's parts.
import type { Agent, Alert, Region } from '../../../shared/model.js';
import type { RecoveryRun, Runbook } from '../../../shared/recovery.js';
import type { AgentLink } from './agent-link.js';
import type { GuardrailInput } from './guardrails.js';
import type { RunContext } from './runner.js';
import type { RunStore } from './run-store.js';
import { seriesLabelsOf } from './templates.js';

export interface RunFactsDeps {
  clock: { now(): number };
  store: RunStore;
  link: AgentLink;
  fleet: { agent(id: string): Agent | undefined; region(id: string): Region | undefined };
  /** The maintenance window covering the agent or its region now (its id), or null. */
  maintenanceOf(subject: { regionId: string | null; agentId: string | null }): string | null;
  alerts: { get(id: string): Alert | undefined };
}

/** The runbooks that answer this firing alert. */
export function runbooksFor(alert: Alert, runbooks: readonly Runbook[]): Runbook[] {
  if (alert.state !== 'firing' || !alert.subject.agentId) return [];
  return runbooks.filter(
    (r) =>
      r.enabled &&
      r.trigger.ruleIds.includes(alert.ruleId) &&
      (r.trigger.severities ?? ['critical']).includes(alert.severity) &&
      (!r.trigger.regions || r.trigger.regions.includes(alert.subject.regionId ?? '')),
  );
}

/** A run just proposed (its state is set by the guardrails' first answer). */
export function newRun(
  id: string,
  runbook: Runbook,
  alert: Alert,
  incidentId: string,
  agentId: string,
  at: { now: number; regionId: string },
): RecoveryRun {
  return {
    id,
    runbookId: runbook.id,
    runbookName: runbook.name,
    mode: runbook.mode,
    incidentId,
    alertId: alert.id,
    agentId,
    regionId: alert.subject.regionId ?? at.regionId,
    state: 'deferred',
    guardrail: null,
    reason: null,
    createdAt: at.now,
    approvedBy: null,
    approvedAt: null,
    dispatchedAt: null,
    endedAt: null,
    steps: stepRecords(runbook),
    escalated: false,
  };
}

export function stepRecords(runbook: Runbook): RecoveryRun['steps'] {
  return runbook.steps.map((s, index) => ({
    index,
    kind: s.kind,
    state: 'pending',
    startedAt: null,
    endedAt: null,
    text: '',
  }));
}

/** What the guardrails read for this run now. */
export function guardrailInput(
  deps: RunFactsDeps,
  run: RecoveryRun,
  runbook: Runbook,
  how: Pick<GuardrailInput, 'graceUntil' | 'maxRunsPerAgentPerHour' | 'pastBlastRadius'>,
): GuardrailInput {
  const { fleet } = deps;
  const agent = fleet.agent(run.agentId);
  const region = fleet.region(agent?.regionId ?? run.regionId);
  return {
    now: deps.clock.now(),
    runbook,
    run,
    agent: agent ? { status: agent.status, hostname: agent.hostname } : null,
    offered: deps.link.offered(run.agentId),
    region: region
      ? {
          id: region.id,
          status: region.status,
          healthScore: region.healthScore,
          agentCount: region.agentCount,
        }
      : null,
    maintenance: deps.maintenanceOf({
      regionId: region?.id ?? (run.regionId || null),
      agentId: run.agentId,
    }),
    ...how,
    runs: deps.store.facts(run.id),
  };
}

/** What the run's templates and verifications know; null when its alert or agent is gone. */
export function runContext(deps: RunFactsDeps, run: RecoveryRun): RunContext | null {
  const alert = deps.alerts.get(run.alertId);
  const agent = deps.fleet.agent(run.agentId);
  if (!alert || !agent) return null;
  const series = seriesLabelsOf(alert.subjectKey);
  return {
    labels: { ...agent.labels, ...series },
    agent: { id: agent.id, hostname: agent.hostname },
    region: agent.regionId,
    alertSeries: (metric) => (alert.metric === metric ? series : null),
  };
}

// Guarded auto-recovery: runbooks, recovery runs, action history and recovery figures — the
// REST contract of /api/v1/runbooks, /actions, /recovery and /incidents/:id/approve|decline.
// The core's recovery service (electron/core/recovery/) validates bodies with these schemas
// and owns the guardrails; the renderer's Recovery page and incident detail read the views.
// The safety model is in docs/recovery.md.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ActionStatus } from './protocol-codes.js';
import type { Severity } from './model.js';

const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,47}$' });
const ActionName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 64 });
const Ms = (max: number, min = 0) => Type.Integer({ minimum: min, maximum: max });
const By = Type.String({ minLength: 1, maxLength: 64 });
const HOUR = 3_600_000;

/**
 * - `dry_run` (a new runbook's default): nothing runs; the agent is asked to validate and say
 *   what would have run, and the incident shows "would have run …".
 * - `approval`: each run waits for an operator's approval (incident page or notification).
 * - `automatic`: runs at once, within the guardrails; over the blast radius it asks instead.
 */
export const RUNBOOK_MODES = ['dry_run', 'approval', 'automatic'] as const;
export type RunbookMode = (typeof RUNBOOK_MODES)[number];

/**
 * Parameter values may name the incident's context: `{{labels.NAME}}` (the triggering
 * alert's label), `{{agent.hostname}}`, `{{agent.id}}`, `{{region}}`. The agent still checks
 * every substituted value against its own pattern.
 */
const ParamValue = Type.String({ maxLength: 256 });

/** Run an action from the agent's actions file, on the triggering alert's agent. */
export const ActionStep = Type.Object(
  {
    kind: Type.Literal('action'),
    action: ActionName,
    params: Opt(Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' }), ParamValue)),
    /** How long the agent may take (its own file's timeout still applies). Default 60 s. */
    timeoutMs: Opt(Ms(30 * 60_000, 1_000)),
  },
  { additionalProperties: false },
);

/**
 * Call an automation system over HTTP: an AWX/Ansible job template launch, a Rundeck job,
 * any webhook. The response code is checked; optionally a status URL is polled until the job
 * says it is done. `{{response.FIELD}}` in statusUrl takes a field of the launch's JSON answer
 * (dotted path), e.g. AWX's `{{response.url}}`.
 */
export const HttpStep = Type.Object(
  {
    kind: Type.Literal('http'),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')]),
    url: Type.String({ minLength: 8, maxLength: 2048 }),
    headers: Opt(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }))),
    /** A JSON body; parameter templates as for actions. */
    body: Opt(Type.String({ maxLength: 16_384 })),
    /** Accepted response codes (default: any 2xx). */
    expectStatus: Opt(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { maxItems: 16 })),
    statusUrl: Opt(Type.String({ minLength: 1, maxLength: 2048 })),
    /** Dotted path of the job's state in the status answer (AWX/Rundeck: `status`). */
    statusField: Opt(Type.String({ minLength: 1, maxLength: 128 })),
    successValues: Opt(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })),
    failureValues: Opt(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 16 })),
    pollEveryMs: Opt(Ms(5 * 60_000, 200)),
    timeoutMs: Opt(Ms(60 * 60_000, 1_000)),
  },
  { additionalProperties: false },
);

export const WaitStep = Type.Object(
  { kind: Type.Literal('wait'), ms: Ms(30 * 60_000, 1) },
  { additionalProperties: false },
);

/**
 * What counts as recovered. Only this decides success, never an exit code:
 * - `metric`: a sample of the agent's metric, taken after the step before it finished,
 *   satisfies `comparator threshold` (e.g. disk_usage < 85);
 * - `online`: the agent is online (heartbeating) again;
 * - `alert_resolved`: the alert that started the run has resolved.
 */
export const VerifyCondition = Type.Union([
  Type.Object(
    {
      type: Type.Literal('metric'),
      metric: Type.String({ pattern: '^[a-zA-Z:][a-zA-Z0-9_:]*$', maxLength: 128 }),
      comparator: Type.Union([
        Type.Literal('<'),
        Type.Literal('<='),
        Type.Literal('>'),
        Type.Literal('>='),
      ]),
      threshold: Type.Number(),
      labels: Opt(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }))),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('online') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('alert_resolved') }, { additionalProperties: false }),
]);
export type VerifyCondition = Static<typeof VerifyCondition>;

export const VerifyStep = Type.Object(
  { kind: Type.Literal('verify'), condition: VerifyCondition, withinMs: Ms(60 * 60_000, 1_000) },
  { additionalProperties: false },
);

/** Escalate through the incident's escalation policy now, with the run's output attached. */
export const EscalateStep = Type.Object(
  { kind: Type.Literal('escalate'), text: Opt(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const RunbookStep = Type.Union([ActionStep, HttpStep, WaitStep, VerifyStep, EscalateStep]);
export type RunbookStep = Static<typeof RunbookStep>;
export type ActionStep = Static<typeof ActionStep>;
export type HttpStep = Static<typeof HttpStep>;
export type VerifyStep = Static<typeof VerifyStep>;

/** Which incidents a runbook answers: alerts of these rules at these severities. */
export const RunbookTrigger = Type.Object(
  {
    ruleIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 32,
    }),
    /** Default: critical only. */
    severities: Opt(
      Type.Array(
        Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
        { minItems: 1, maxItems: 3 },
      ),
    ),
    /** Only agents of these regions (default: any). */
    regions: Opt(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type RunbookTrigger = Static<typeof RunbookTrigger>;

/** Every one is enforced by the console, whatever the mode. Defaults in RUNBOOK_GUARDRAIL_DEFAULTS. */
export const RunbookGuardrails = Type.Object(
  {
    /** Runs of this runbook on one agent within an hour. */
    maxRunsPerAgentPerHour: Opt(Type.Integer({ minimum: 1, maximum: 60 })),
    /** Runs of this runbook on all agents within an hour. */
    maxRunsPerHour: Opt(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** After a run on an agent ends, the next run of this runbook there waits this long. */
    cooldownMs: Opt(Ms(24 * HOUR)),
    /** Blast radius: agents this runbook acts on at once … */
    maxConcurrentAgents: Opt(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** … and per cent of a region's agents acted on at once (by any runbook). */
    maxRegionPercent: Opt(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type RunbookGuardrails = Static<typeof RunbookGuardrails>;

export const RUNBOOK_GUARDRAIL_DEFAULTS: Required<RunbookGuardrails> = {
  maxRunsPerAgentPerHour: 3,
  maxRunsPerHour: 20,
  cooldownMs: 10 * 60_000,
  maxConcurrentAgents: 3,
  maxRegionPercent: 10,
};

export const RunbookInput = Type.Object(
  {
    /** Chosen by the caller (POST), or made from the name. */
    id: Opt(Id),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    description: Opt(Type.String({ maxLength: 2000 })),
    enabled: Opt(Type.Boolean()),
    /** Default `dry_run`. */
    mode: Opt(Type.Union(RUNBOOK_MODES.map((m) => Type.Literal(m)))),
    trigger: RunbookTrigger,
    /** At least one action or http step, each followed (later) by a verify step. */
    steps: Type.Array(RunbookStep, { minItems: 2, maxItems: 16 }),
    guardrails: Opt(RunbookGuardrails),
  },
  { additionalProperties: false },
);
export type RunbookInput = Static<typeof RunbookInput>;

export interface Runbook {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  mode: RunbookMode;
  trigger: RunbookTrigger;
  steps: RunbookStep[];
  guardrails: Required<RunbookGuardrails>;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

export const RunbookModeBody = Type.Object(
  { mode: Type.Union(RUNBOOK_MODES.map((m) => Type.Literal(m))), by: Opt(By) },
  { additionalProperties: false },
);
export type RunbookModeBody = Static<typeof RunbookModeBody>;

/**
 * A run's life:
 * proposed → (guardrails) → awaiting_approval | queued | deferred | refused | dry_run
 * awaiting_approval → queued (approved) | declined | cancelled (incident resolved first)
 * deferred (console grace period, agent busy) → queued → running → verifying →
 * succeeded | failed (verification did not clear, action refused/timed out) | interrupted
 */
export const RUN_STATES = [
  'awaiting_approval',
  'deferred',
  'queued',
  'running',
  'verifying',
  'succeeded',
  'failed',
  'refused',
  'declined',
  'cancelled',
  'dry_run',
  'interrupted',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The guardrail that stopped, held or deferred a run. */
export type GuardrailCode =
  | 'rate_agent'
  /** All runbooks together on one agent within an hour (the console's setting). */
  | 'rate_agent_total'
  | 'rate_runbook'
  | 'cooldown'
  | 'blast_radius'
  | 'region_failed'
  | 'region_maintenance'
  | 'console_grace'
  | 'agent_busy'
  | 'agent_offline'
  | 'action_not_offered'
  | 'runbook_disabled';

export interface RunStepRecord {
  index: number;
  kind: RunbookStep['kind'];
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  startedAt: number | null;
  endedAt: number | null;
  /** One line: what happened ("clean_tmp exited 0 in 1.2 s", "disk_usage 62.1 % < 85 %"). */
  text: string;
  /** The action (or http call) record of this step, for action and http steps. */
  actionId?: string;
}

export interface RecoveryRun {
  id: string;
  runbookId: string;
  runbookName: string;
  mode: RunbookMode;
  incidentId: string;
  alertId: string;
  agentId: string;
  regionId: string;
  state: RunState;
  /** Why it was refused, held, deferred or failed (a guardrail or a step). */
  guardrail: GuardrailCode | null;
  reason: string | null;
  createdAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  /** First action or http call sent. */
  dispatchedAt: number | null;
  /** Verification concluded, or the run otherwise ended. */
  endedAt: number | null;
  steps: RunStepRecord[];
  /** Escalated through the incident's policy because the recovery failed. */
  escalated: boolean;
}

export interface ActionRecord {
  id: string;
  runId: string;
  incidentId: string;
  agentId: string | null;
  kind: 'agent' | 'http';
  /** The action name, or the http step's name. */
  action: string;
  params: Record<string, string>;
  dryRun: boolean;
  approvedBy: string | null;
  dispatchedAt: number;
  endedAt: number | null;
  /** null while waiting for the agent (or the automation system). */
  status: ActionStatus | null;
  reason: string | null;
  exitCode: number | null;
  /** HTTP status of the call (http steps). */
  httpStatus?: number;
  durationMs: number | null;
  output: string;
  outputTruncated: boolean;
  argv: string[] | null;
}

/** One incident's recovery timings (ms), null where it did not happen. */
export interface IncidentRecoveryFigures {
  incidentId: string;
  /** Incident opened − first alert's condition began (its pending start). */
  timeToDetectMs: number | null;
  /** First action dispatched − incident opened. */
  timeToActMs: number | null;
  /** Incident resolved − incident opened (MTTR's sample). */
  timeToRecoverMs: number | null;
  /** Resolved by a recovery run that succeeded, without an operator resolving it. */
  automatic: boolean;
}

export interface RunbookStats {
  runbookId: string;
  runs: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed), null before any concluded. */
  successRate: number | null;
  /** Median time to recover of the incidents its successful runs ended. */
  medianMttrMs: number | null;
  lastRunAt: number | null;
}

export const ActionsQuery = Type.Object(
  {
    incident: Opt(Type.String({ maxLength: 80 })),
    agent: Opt(Type.String({ maxLength: 80 })),
    runbook: Opt(Type.String({ maxLength: 80 })),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);
export type ActionsQuery = Static<typeof ActionsQuery>;

export const ApproveBody = Type.Object(
  {
    by: Opt(By),
    /** One run; default: every run of the incident awaiting approval. */
    runId: Opt(Type.String({ maxLength: 80 })),
    comment: Opt(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type ApproveBody = Static<typeof ApproveBody>;

type Q = Record<string, never>;
type ByQ = { by?: string };

export interface RecoveryRoutes {
  'GET /api/v1/runbooks': {
    query: Q;
    body: never;
    response: { runbooks: Runbook[]; stats: RunbookStats[] };
  };
  'POST /api/v1/runbooks': { query: ByQ; body: RunbookInput; response: { runbook: Runbook } };
  'GET /api/v1/runbooks/:id': {
    query: Q;
    body: never;
    response: { runbook: Runbook; stats: RunbookStats; runs: RecoveryRun[] };
  };
  'PUT /api/v1/runbooks/:id': { query: ByQ; body: RunbookInput; response: { runbook: Runbook } };
  'POST /api/v1/runbooks/:id/mode': {
    query: Q;
    body: RunbookModeBody;
    response: { runbook: Runbook };
  };
  'DELETE /api/v1/runbooks/:id': { query: ByQ; body: never; response: { deleted: string } };
  /** Action history, newest first, with output. */
  'GET /api/v1/actions': {
    query: ActionsQuery;
    body: never;
    response: { actions: ActionRecord[] };
  };
  /** Runs, newest first (filtered like actions), and recovery figures of their incidents. */
  'GET /api/v1/recovery/runs': {
    query: ActionsQuery;
    body: never;
    response: { runs: RecoveryRun[]; figures: IncidentRecoveryFigures[] };
  };
  /** Per runbook and overall: runs, success rate, median MTTR; and MTTR per severity. */
  'GET /api/v1/recovery/stats': {
    query: Q;
    body: never;
    response: {
      runbooks: RunbookStats[];
      overall: {
        incidents: number;
        automatic: number;
        medianMttrMs: number | null;
        medianTimeToActMs: number | null;
      };
      bySeverity: Partial<Record<Severity, { incidents: number; medianMttrMs: number | null }>>;
    };
  };
  'POST /api/v1/incidents/:id/approve': {
    query: Q;
    body: ApproveBody;
    response: { runs: RecoveryRun[] };
  };
  'POST /api/v1/incidents/:id/decline': {
    query: Q;
    body: ApproveBody;
    response: { runs: RecoveryRun[] };
  };
}

export type RecoveryRouteKey = keyof RecoveryRoutes;

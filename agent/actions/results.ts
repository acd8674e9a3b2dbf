// `action` frames in, `action_result` frames out: the checks every action endpoint (the host
// agent's runner, the simulator's) makes on a frame before looking at its action, and the
// results it answers with. A result must itself pass the console's schema (a frame the console
// refuses closes the connection), so names and texts are bounded here.
import {
  ACTION_REFUSALS,
  MAX_ACTION_OUTPUT_BYTES,
  type ActionStatus,
} from '../../shared/protocol-codes.js';
import type { ActionResultMessage } from '../../shared/protocol.js';

export type RefusalCode = (typeof ACTION_REFUSALS)[keyof typeof ACTION_REFUSALS];

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const isIdentifier = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length <= max && IDENTIFIER.test(v);

export interface ActionRequest {
  id: string;
  action: string;
  params: Record<string, unknown>;
  dryRun: boolean;
  /** Console clock, epoch ms. */
  deadline: number;
  approvedBy: string | null;
}

/**
 * The frame's fields, or why it cannot be acted on. Without a usable `id` there is no one to
 * answer (`id: null`); with one, the problem is answered as a refusal.
 */
export function readActionFrame(
  raw: Record<string, unknown>,
):
  { ok: ActionRequest } | { id: string | null; action: string; code: RefusalCode; detail: string } {
  const id = isIdentifier(raw.id, 80) ? raw.id : null;
  const nameOk = isIdentifier(raw.action, 64);
  // An invalid name cannot be echoed (the console would refuse the result frame).
  const action = nameOk ? (raw.action as string) : 'invalid';
  const refuse = (code: RefusalCode, detail: string) => ({ id, action, code, detail });
  if (!id) return refuse(ACTION_REFUSALS.badParameter, 'the action has no valid id');
  if (!nameOk) return refuse(ACTION_REFUSALS.unknownAction, 'the action name is not valid');
  const params = raw.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return refuse(ACTION_REFUSALS.badParameter, 'params must be an object');
  if (typeof raw.dryRun !== 'boolean')
    return refuse(ACTION_REFUSALS.badParameter, 'dryRun must be true or false');
  if (typeof raw.deadline !== 'number' || !Number.isFinite(raw.deadline))
    return refuse(ACTION_REFUSALS.badParameter, 'deadline must be a number (epoch ms)');
  const approvedBy =
    typeof raw.approvedBy === 'string' && raw.approvedBy.length > 0 ? raw.approvedBy : null;
  return {
    ok: {
      id,
      action,
      params: params as Record<string, unknown>,
      dryRun: raw.dryRun,
      deadline: raw.deadline,
      approvedBy,
    },
  };
}

function base(id: string, action: string): ActionResultMessage {
  return {
    type: 'action_result',
    id,
    action,
    status: 'refused',
    exitCode: null,
    durationMs: 0,
    output: '',
    outputTruncated: false,
  };
}

const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** A refusal: `reason` is exactly the code; `output` says why, for the operator. */
export function refusedResult(
  id: string,
  action: string,
  code: RefusalCode,
  detail: string,
  argv?: string[],
): ActionResultMessage {
  return {
    ...base(id, action),
    reason: code,
    output: cut(detail, MAX_ACTION_OUTPUT_BYTES / 4),
    ...(argv ? { argv } : {}),
  };
}

export function dryRunResult(id: string, action: string, argv: string[]): ActionResultMessage {
  return {
    ...base(id, action),
    status: 'dry_run',
    output: `would run: ${JSON.stringify(argv)}`.slice(0, MAX_ACTION_OUTPUT_BYTES / 4),
    argv,
  };
}

export function ranResult(
  id: string,
  action: string,
  fields: {
    status: Extract<ActionStatus, 'succeeded' | 'failed' | 'timeout' | 'interrupted'>;
    exitCode: number | null;
    signal?: string | null;
    startedAt: number;
    durationMs: number;
    output: string;
    outputTruncated: boolean;
    argv: string[];
    reason?: string;
  },
): ActionResultMessage {
  const { signal, reason, ...rest } = fields;
  return {
    ...base(id, action),
    ...rest,
    durationMs: Math.max(0, Math.round(rest.durationMs)),
    ...(signal ? { signal } : {}),
    ...(reason ? { reason: cut(reason, 512) } : {}),
  };
}

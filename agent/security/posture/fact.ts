// Building posture facts: collected (with evidence) or not collected (with a reason).
import {
  clipEvidence,
  type FactId,
  type FactValue,
  type PostureFact,
} from '../../../shared/posture.js';
import type { CommandOutcome } from './host-access.js';

export function collected(
  id: FactId,
  value: FactValue,
  source: string,
  raw: string,
  now: number,
): PostureFact {
  return {
    id,
    value,
    status: 'collected',
    evidence: { source, raw: clipEvidence(raw) },
    collectedAt: now,
  };
}

export function notCollected(
  id: FactId,
  reason: string,
  now: number,
  source = '',
  raw = '',
): PostureFact {
  return {
    id,
    value: null,
    status: 'not_collected',
    reason,
    evidence: { source, raw: clipEvidence(raw) },
    collectedAt: now,
  };
}

export const commandLine = (argv: readonly string[]) => argv.join(' ');

/** Why a command gave no usable answer, in words. */
export function commandProblem(argv: readonly string[], out: CommandOutcome): string {
  if (out.failure === 'not_found') return `${argv[0]} is not installed`;
  if (out.failure === 'timeout') return `${commandLine(argv)} timed out`;
  if (out.failure) return `${commandLine(argv)} failed: ${out.failure}`;
  const err = out.stderr.trim().split('\n')[0] ?? '';
  return `${commandLine(argv)} exited ${out.code}${err ? `: ${err.slice(0, 200)}` : ''}`;
}

/** A command that ran but was refused for want of privilege. */
export const deniedByPermission = (out: CommandOutcome) =>
  /permission denied|operation not permitted|must be root|you need to be root|are you root/i.test(
    `${out.stderr}\n${out.stdout}`,
  );

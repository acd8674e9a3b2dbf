// One control against one piece of evidence: pass, fail or unknown. Unknown is never a pass:
// a fact not reported, not collected (with the agent's reason), or of the wrong type for the
// rule (a string where ≤ 90 wants a number) is unknown, with the reason in the evidence.
import type { ControlEvidence, ControlResult } from '../../../shared/compliance.js';
import type { PostureFact } from '../../../shared/posture.js';
import type { Control, PassRule } from './catalogue.js';

/** A console state value, as console-state.ts reads it. */
export interface StateReading {
  value: PostureFact['value'];
  source: string;
  raw: string;
  at: number;
  /** Set when the value could not be read. */
  reason?: string;
}

export function judge(rule: PassRule, value: PostureFact['value']): ControlResult | string {
  if (value === null) return 'no value';
  switch (rule.op) {
    case 'exists':
      return 'pass';
    case 'equals':
      return value === rule.value ? 'pass' : 'fail';
    case 'in':
      return rule.values.includes(value) ? 'pass' : 'fail';
    case 'lte':
    case 'gte':
      if (typeof value !== 'number') return `value ${JSON.stringify(value)} is not a number`;
      return (rule.op === 'lte' ? value <= rule.value : value >= rule.value) ? 'pass' : 'fail';
  }
}

/** A host control against an agent's fact (undefined: the agent never reported it). */
export function evaluateFact(
  control: Control,
  fact: PostureFact | undefined,
  agentReported: boolean,
): { result: ControlResult; evidence: ControlEvidence } {
  if (!fact) {
    return {
      result: 'unknown',
      evidence: {
        fact: control.reads,
        value: null,
        source: '',
        raw: '',
        collectedAt: null,
        reason: agentReported
          ? 'the agent did not report this fact'
          : 'the agent sends no posture facts (an older agent, or --no-posture)',
      },
    };
  }
  const evidence: ControlEvidence = {
    fact: fact.id,
    value: fact.value,
    source: fact.evidence.source,
    raw: fact.evidence.raw,
    collectedAt: fact.collectedAt,
  };
  if (fact.status === 'not_collected')
    return { result: 'unknown', evidence: { ...evidence, reason: fact.reason ?? 'not collected' } };
  const verdict = judge(control.pass, fact.value);
  if (verdict === 'pass' || verdict === 'fail') return { result: verdict, evidence };
  return { result: 'unknown', evidence: { ...evidence, reason: verdict as string } };
}

/** A console control against the console's own state. */
export function evaluateState(
  control: Control,
  reading: StateReading | undefined,
): { result: ControlResult; evidence: ControlEvidence } {
  if (!reading) {
    return {
      result: 'unknown',
      evidence: {
        fact: control.reads,
        value: null,
        source: 'console',
        raw: '',
        collectedAt: null,
        reason: `the console has no state '${control.reads}'`,
      },
    };
  }
  const evidence: ControlEvidence = {
    fact: control.reads,
    value: reading.value,
    source: reading.source,
    raw: reading.raw,
    collectedAt: reading.at,
    ...(reading.reason ? { reason: reading.reason } : {}),
  };
  const verdict = judge(control.pass, reading.value);
  if (verdict === 'pass' || verdict === 'fail') return { result: verdict, evidence };
  return {
    result: 'unknown',
    evidence: { ...evidence, reason: reading.reason ?? (verdict as string) },
  };
}

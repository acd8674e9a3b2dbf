// Alertmanager-style label matchers for silences: `=`, `!=`, `=~`, `!~` on an alert's labels.
// Regexes are anchored (`=~ "web-.*"` matches the whole value), as Alertmanager's are.
import type { Alert } from '../../../shared/model.js';
import type { Matcher } from '../../../shared/silences.js';
import { InputError } from './incident-errors.js';

export type AlertLabels = Readonly<Record<string, string>>;

/** A matcher with its regex compiled once. */
export interface CompiledMatcher extends Matcher {
  test(value: string): boolean;
}

export class MatcherError extends InputError {}

export function compileMatchers(matchers: readonly Matcher[]): CompiledMatcher[] {
  return matchers.map((m, i) => {
    if (m.op === '=' || m.op === '!=') {
      const eq = m.op === '=';
      return { ...m, test: (v: string) => (v === m.value) === eq };
    }
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${m.value})$`);
    } catch (err) {
      throw new MatcherError(
        `matcher ${i} (${m.name}): not a valid regex: ${(err as Error).message}`,
        `matchers/${i}/value`,
      );
    }
    const want = m.op === '=~';
    return { ...m, test: (v: string) => re.test(v) === want };
  });
}

/**
 * Refuse a set that would match every alert: at least one matcher must be positive (`=` or
 * `=~`) and not match the empty string, as Alertmanager requires.
 */
export function checkSelective(matchers: readonly CompiledMatcher[]): void {
  if (matchers.some((m) => (m.op === '=' || m.op === '=~') && !m.test(''))) return;
  throw new MatcherError(
    'matchers: at least one must be = or =~ and not match an empty value (this would silence everything)',
    'matchers',
  );
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: AlertLabels): boolean {
  return matchers.every((m) => m.test(labels[m.name] ?? ''));
}

/** Who the alert's agent is, for the `hostname` and agent label matchers. */
export interface AgentLookup {
  (agentId: string): { hostname: string; labels: Readonly<Record<string, string>> } | undefined;
}

/** The labels a silence matches an alert by: agent labels first, the alert's own fields win. */
export function alertLabels(
  alert: Pick<Alert, 'subject' | 'ruleId' | 'severity' | 'metric'>,
  agentOf: AgentLookup,
): AlertLabels {
  const agent = alert.subject.agentId ? agentOf(alert.subject.agentId) : undefined;
  return {
    ...(agent?.labels ?? {}),
    region: alert.subject.regionId ?? '',
    agent: alert.subject.agentId ?? '',
    hostname: agent?.hostname ?? '',
    rule: alert.ruleId,
    severity: alert.severity,
    metric: alert.metric ?? '',
  };
}

/** Matchers that pick out exactly this alert's subject (for "silence this alert"). */
export function matchersForAlert(alert: Alert): Matcher[] {
  const out: Matcher[] = [{ name: 'rule', op: '=', value: alert.ruleId }];
  if (alert.subject.agentId) out.push({ name: 'agent', op: '=', value: alert.subject.agentId });
  else if (alert.subject.regionId)
    out.push({ name: 'region', op: '=', value: alert.subject.regionId });
  if (alert.metric && alert.subject.kind === 'agent')
    out.push({ name: 'metric', op: '=', value: alert.metric });
  return out;
}

// The alert queue's filters (severity, region, rule, state, text, suppressed) and the check
// that asks for confirmation before a hand resolve of a condition that still holds. Pure.
import type { Agent, Alert, Region, Severity } from '../../../shared/model.js';
import type { Rule } from '../../../shared/rules.js';

type RuleKind = Rule['kind'];

/** `all`: every alert; `paging`: not silenced or in maintenance; `suppressed`: only those. */
export type SuppressionFilter = 'all' | 'paging' | 'suppressed';

export interface AlertFilter {
  severity: Severity | '';
  region: string;
  rule: string;
  text: string;
  suppression: SuppressionFilter;
}

export const NO_FILTER: AlertFilter = {
  severity: '',
  region: '',
  rule: '',
  text: '',
  suppression: 'all',
};

export function isSuppressed(a: Alert): boolean {
  return Boolean(a.suppressedBy) || Boolean(a.inhibitedBy);
}

/** "silenced (sil-…)", "maintenance (mnt-…)", "effect of …", or null for a paging alert. */
export function suppressionText(a: Alert): string | null {
  if (a.suppressedBy) {
    const kind = a.suppressedBy.startsWith('mnt') ? 'in maintenance' : 'silenced';
    return `${kind} · ${a.suppressedBy}`;
  }
  if (a.inhibitedBy) return `effect of ${a.inhibitedBy}`;
  return null;
}

export function matchesFilter(
  a: Alert,
  f: AlertFilter,
  agents: ReadonlyMap<string, Agent>,
): boolean {
  if (f.severity && a.severity !== f.severity) return false;
  if (f.region && a.subject.regionId !== f.region) return false;
  if (f.rule && a.ruleId !== f.rule) return false;
  if (f.suppression === 'paging' && isSuppressed(a)) return false;
  if (f.suppression === 'suppressed' && !isSuppressed(a)) return false;
  const text = f.text.trim().toLowerCase();
  if (text) {
    const host = a.subject.agentId ? (agents.get(a.subject.agentId)?.hostname ?? '') : '';
    const hay = [a.message, a.ruleId, a.subject.agentId ?? '', a.subject.regionId ?? '', host]
      .join('\n')
      .toLowerCase();
    if (!hay.includes(text)) return false;
  }
  return true;
}

export function applyFilter(
  alerts: readonly Alert[],
  f: AlertFilter,
  agents: ReadonlyMap<string, Agent>,
): Alert[] {
  if (isEmptyFilter(f)) return [...alerts];
  return alerts.filter((a) => matchesFilter(a, f, agents));
}

export function isEmptyFilter(f: AlertFilter): boolean {
  return !f.severity && !f.region && !f.rule && !f.text.trim() && f.suppression === 'all';
}

/** Distinct regions and rules among the alerts, sorted, for the filter's pick lists. */
export function filterOptions(alerts: Iterable<Alert>): { regions: string[]; rules: string[] } {
  const regions = new Set<string>();
  const rules = new Set<string>();
  for (const a of alerts) {
    if (a.subject.regionId) regions.add(a.subject.regionId);
    rules.add(a.ruleId);
  }
  return { regions: [...regions].sort(), rules: [...rules].sort() };
}

/**
 * Why a hand resolve needs confirming: the alert's condition still holds (its agent is still
 * offline, its region still unhealthy), so the core will resolve it under a silence that ends
 * and is checked again. Mirrors the core's own check (incident-services `holds`); null: no need.
 */
export function stillHoldsReason(
  a: Alert,
  ruleKind: RuleKind | undefined,
  agents: ReadonlyMap<string, Agent>,
  regions: ReadonlyMap<string, Region>,
): string | null {
  if (a.state === 'resolved') return null;
  if (ruleKind === 'agent_offline' && a.subject.agentId) {
    const agent = agents.get(a.subject.agentId);
    if (agent && agent.status !== 'online') return `${agent.hostname} is still ${agent.status}`;
  }
  if (ruleKind === 'region_status' && a.subject.regionId) {
    const region = regions.get(a.subject.regionId);
    if (region && region.status !== 'active' && region.status !== 'maintenance')
      return `${region.name} is still ${region.status}`;
  }
  return null;
}

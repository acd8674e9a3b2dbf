import type { Severity } from '../../../shared/model.js';

/** The levels of a threshold or rate_of_change rule. */
export interface Levels {
  comparator: 'gt' | 'lt';
  warning: number | null;
  critical: number | null;
  hysteresis: number;
}

export interface Breach {
  severity: Severity;
  threshold: number;
}

const past = (rule: Levels, value: number, limit: number) =>
  rule.comparator === 'gt' ? value > limit : value < limit;

/** The worst level `value` breaches, or null when it breaches none. */
export function breachOf(rule: Levels, value: number): Breach | null {
  if (rule.critical !== null && past(rule, value, rule.critical)) {
    return { severity: 'critical', threshold: rule.critical };
  }
  if (rule.warning !== null && past(rule, value, rule.warning)) {
    return { severity: 'warning', threshold: rule.warning };
  }
  return null;
}

/**
 * True once `value` is back past the lowest threshold by the rule's hysteresis, so an
 * alert does not flap when the value hovers at the line.
 */
export function isCleared(rule: Levels, value: number): boolean {
  const levels = [rule.warning, rule.critical].filter((x): x is number => x !== null);
  if (levels.length === 0) return true;
  if (rule.comparator === 'gt') return value <= Math.min(...levels) - rule.hysteresis;
  return value >= Math.max(...levels) + rule.hysteresis;
}

export function formatValue(value: number, unit: string): string {
  const rounded = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
  return unit === '%' ? `${rounded}%` : `${rounded}${unit ? ` ${unit}` : ''}`;
}

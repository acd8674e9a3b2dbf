// The shapes the detection engine works with: what goes in (an agent's event plus where it came
// from), what a compiled rule is, and what comes out (a detection).
import type { AgentEvent } from '../../../../shared/protocol.js';

/** An agent's event as the console sees it: the protocol event plus the sending agent's context. */
export interface SecurityEvent extends AgentEvent {
  agentId: string;
  hostname?: string;
  regionId?: string;
}

export type DetectionSeverity = 'critical' | 'warning' | 'info';

/** A rule's metadata, common to plain and correlation rules. */
export interface RuleInfo {
  /** Sigma `id` (a UUID in the wild; any non-empty string here). */
  id: string;
  /** Sigma `name`, used by correlations to refer to a rule; defaults to nothing. */
  name?: string;
  title: string;
  description: string;
  status: string;
  level: string;
  severity: DetectionSeverity;
  tags: string[];
  /** MITRE ATT&CK technique ids from `attack.tXXXX[.YYY]` tags, upper-cased (T1110.001). */
  mitre: string[];
  /** The file it came from (for errors and the UI). */
  file: string;
}

/** A plain Sigma rule compiled to closures. */
export interface CompiledDetectionRule extends RuleInfo {
  kind: 'detection';
  /** Does the event come from the rule's logsource? */
  inLogsource: (e: SecurityEvent) => boolean;
  /** The detection condition over the selections. */
  matches: (e: SecurityEvent) => boolean;
}

/**
 * Sigma's three, plus Meridian's `impossible_travel` extension: the same group (a user) with
 * matches from two values of `field` (region ids) whose places lie at least `threshold` km
 * apart, within `timespan` (docs/security.md).
 */
export type CorrelationType =
  'event_count' | 'value_count' | 'temporal_ordered' | 'impossible_travel';

export interface CompiledCorrelationRule extends RuleInfo {
  kind: 'correlation';
  type: CorrelationType;
  /** Ids of the rules (plain or correlation) it correlates, resolved from ids or names. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  /** Fires when the count (events or distinct values) reaches this; impossible_travel: km apart. */
  threshold: number;
  /** value_count: the field whose distinct values are counted; impossible_travel: the region field. */
  field?: string;
  /** Whether the referenced rules also produce their own detections (Sigma `generate`). */
  generate: boolean;
}

export type CompiledRule = CompiledDetectionRule | CompiledCorrelationRule;

/** What the engine reports: one per matching event (plain rules) or per episode (correlations). */
export interface Detection {
  ruleId: string;
  title: string;
  severity: DetectionSeverity;
  mitre: string[];
  tags: string[];
  kind: 'detection' | CorrelationType;
  /** Console clock when it was detected. */
  detectedAt: number;
  /** Events that made it: 1 for a plain rule, the window's count for event_count, the run's events (none more than timespan apart) for value_count and temporal_ordered. */
  count: number;
  /** Event time of the first and last contributing event. */
  firstTs: number;
  lastTs: number;
  /** group-by field → value ('' when the event lacked the field). */
  group: Record<string, string>;
  /** value_count: the distinct values counted. */
  distinctValues?: string[];
  /** The agent of the event that completed it. */
  agentId: string;
  hostname?: string;
  regionId?: string;
  /** The event that completed it: the message for the alert text. */
  message: string;
}

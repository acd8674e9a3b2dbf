// Security detections: the REST contract of /api/v1/detections. The console's security
// service (electron/core/security/) runs the Sigma rules over the agents' events; each
// detection is also an alert (rule id `detect:<sigma id>`) in the normal alert book.
// docs/security.md describes the rules and how a detection alert resolves.
import { Type, type Static } from '@sinclair/typebox';
import type { Severity } from './model.js';
import type { RegionThreat } from './threat-level.js';

/** The alert rule id of a Sigma rule's detections. */
export const DETECTION_RULE_PREFIX = 'detect:';
export const detectionRuleId = (sigmaId: string) => `${DETECTION_RULE_PREFIX}${sigmaId}`;

/** One detection: a plain rule's matching event, or one episode of a correlation rule. */
export interface DetectionView {
  /** Sigma rule id. */
  ruleId: string;
  /** The alert's rule id (`detect:<sigma id>`) and the alert it opened or joined. */
  alertRuleId: string;
  alertId: string | null;
  title: string;
  severity: Severity;
  /** MITRE ATT&CK technique ids (T1110.001). */
  mitre: string[];
  tags: string[];
  kind: 'detection' | 'event_count' | 'value_count' | 'temporal_ordered' | 'impossible_travel';
  /** Console time it was detected. */
  detectedAt: number;
  /** Events that made it (1 for a plain rule). */
  count: number;
  /** Event time of the first and last contributing event. */
  firstTs: number;
  lastTs: number;
  /** group-by field → value (src_ip, user, agentId, …); empty for a plain rule. */
  group: Record<string, string>;
  /** value_count: the distinct values counted (users sprayed, sources). */
  distinctValues?: string[];
  /** The agent whose event completed it. */
  agentId: string;
  hostname: string | null;
  regionId: string | null;
  /** That event's message. */
  message: string;
}

/** A rule file that was not loaded: `file:line: reason`. */
export interface RuleFileError {
  file: string;
  line: number;
  reason: string;
}

export const DetectionsQuery = Type.Object(
  {
    /** Sigma rule id. */
    rule: Type.Optional(Type.String({ maxLength: 128 })),
    agent: Type.Optional(Type.String({ maxLength: 80 })),
    region: Type.Optional(Type.String({ maxLength: 80 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);
export type DetectionsQuery = Static<typeof DetectionsQuery>;

export interface DetectionRulesInfo {
  /** Rules in force (built-in and the operator's). */
  loaded: number;
  /** Files rejected whole at the last load. */
  errors: RuleFileError[];
}

export interface SecurityRoutes {
  /** Recent detections, newest first, and the rule set's state. */
  'GET /api/v1/detections': {
    query: DetectionsQuery;
    body: never;
    response: { detections: DetectionView[]; rules: DetectionRulesInfo };
  };
  /** Each region's threat level from its recent detections. */
  'GET /api/v1/security/threat': { query: never; body: never; response: ThreatReport };
}

export type SecurityRouteKey = keyof SecurityRoutes;

/** GET /api/v1/security/threat: every region's threat level (shared/threat-level.ts). */
export interface ThreatReport {
  serverTime: number;
  windowMs: number;
  halfLifeMs: number;
  regions: RegionThreat[];
}

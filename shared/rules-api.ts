// The rules part of the API contract (shared/api.ts lists the routes).
import { Type, type Static } from '@sinclair/typebox';
import type { Severity } from './model.js';
import type { Rule } from './rules.js';

const By = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));

/**
 * POST /api/v1/rules, PUT /api/v1/rules/:id, POST /api/v1/rules/preview. `rule` is checked
 * against the rule schemas by the rules book, which names every bad field.
 */
export const RuleWriteBody = Type.Object(
  { rule: Type.Unknown(), by: By },
  { additionalProperties: false },
);
export type RuleWriteBody = Static<typeof RuleWriteBody>;

export const RuleDeleteQuery = Type.Object({ by: By }, { additionalProperties: false });
export type RuleDeleteQuery = Static<typeof RuleDeleteQuery>;

// The audit trail's types live in audit.ts; re-exported here where they were first defined.
export { AuditQuery, type AuditEntry } from './audit.js';

/** One bad field of a rule (400 `invalid_rule`: the body's `errors` lists them all). */
export interface FieldProblem {
  /** Dotted path inside the rule: `metric`, `matchers.regions.0`; '' for the rule itself. */
  field: string;
  message: string;
}

/** A rule's open alerts now. */
export interface RuleStatus {
  /** Firing or acknowledged. */
  firing: number;
  /** Waiting out the rule's `for`. */
  pending: number;
}

export interface RulePreviewEpisode {
  agentId: string;
  hostname: string;
  regionId: string;
  /** The series: metric and labels. */
  series: string;
  severity: Severity;
  start: number;
  /** null: still firing at the end of the range. */
  end: number | null;
}

/** "This rule would have fired N times in the last 24 h", from the store's minute rollups. */
export interface RulePreview {
  supported: boolean;
  /** Why there is no preview (forecast, anomaly, offline and region rules). */
  reason?: string;
  from: number;
  to: number;
  /** Alerts that would have fired over the range. */
  firings: number;
  /** Series the rule applies to (after matchers), and how many of them would have fired. */
  series: number;
  seriesFiring: number;
  /** More series matched than a preview replays; the counts are of the first ones. */
  truncated: boolean;
  /** The latest firings, newest first (at most 50). */
  episodes: RulePreviewEpisode[];
}

export interface RuleRoutes {
  'GET /api/v1/rules': {
    query: Record<string, never>;
    body: never;
    response: { rules: Rule[]; status: Record<string, RuleStatus> };
  };
  'POST /api/v1/rules': {
    query: Record<string, never>;
    body: RuleWriteBody;
    response: { rule: Rule };
  };
  'PUT /api/v1/rules/:id': {
    query: Record<string, never>;
    body: RuleWriteBody;
    response: { rule: Rule };
  };
  'DELETE /api/v1/rules/:id': { query: RuleDeleteQuery; body: never; response: { rule: Rule } };
  'POST /api/v1/rules/preview': {
    query: Record<string, never>;
    body: RuleWriteBody;
    response: { preview: RulePreview };
  };
}

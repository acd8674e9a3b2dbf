// The rules and audit part of the API contract (shared/api.ts lists the routes).
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

export const AuditQuery = Type.Object(
  {
    target: Type.Optional(Type.String({ maxLength: 128 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

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

/** One change, as the audit log keeps it (append-only, <data-dir>/audit.ndjson). */
export interface AuditEntry {
  id: string;
  /** Order of writing. */
  seq: number;
  at: number;
  by: string;
  /** `rule.*`, `silence.create/expire`, `incident.ack/resolve/assign/comment`, `alert.ack/resolve`, `channel.create/update/delete/test`, `policy.create/update/delete`, `runbook.create/update/mode/delete`, `recovery.*` (docs/recovery.md). */
  action: string;
  /** What was changed: a rule, silence, incident, alert, channel or policy id. */
  target: string;
  before: unknown;
  after: unknown;
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
  'GET /api/v1/audit': { query: AuditQuery; body: never; response: { entries: AuditEntry[] } };
}

// The audit trail's part of the API contract: the hash-chained log of who changed what
// (<data-dir>/audit.ndjson, format in docs/security.md#audit-trail), its head and its check.
import { Type, type Static } from '@sinclair/typebox';

/** One change, as the audit trail keeps it: one line of audit.ndjson. */
export interface AuditEntry {
  /** Order of writing, 1, 2, 3 … with no gap. */
  seq: number;
  /** SHA-256 (hex) of the previous record (its `hash`); 64 zeros for the first one. */
  prev: string;
  id: string;
  at: number;
  /** The operator who acted, or `console` for what the console did by itself. */
  by: string;
  /** `console.start/stop`, `session.signin`, `rule.*`, `silence.create/expire`, `incident.ack/resolve/assign/comment`, `alert.ack/resolve`, `channel.*`, `policy.*`, `maintenance.*`, `runbook.*`, `recovery.*`, `agent.decommission`, `audit.migrated/segment` (docs/security.md#audit-trail). */
  action: string;
  /** What was changed: a rule, silence, incident, alert, channel, policy, agent … id. */
  target: string;
  before: unknown;
  after: unknown;
  /** Anything else worth keeping (the client of a sign-in, the break a segment records). */
  details?: unknown;
  /** SHA-256 (hex) of this record's line without its `hash` field. */
  hash: string;
}

/** What `audit.record(...)` takes: the rest (seq, prev, id, at, hash) the trail assigns. */
export interface AuditInput {
  by: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

const Num = Type.String({ pattern: '^[0-9]{1,15}$' });

export const AuditQuery = Type.Object(
  {
    /** Epoch ms, inclusive. */
    from: Type.Optional(Num),
    to: Type.Optional(Num),
    by: Type.Optional(Type.String({ maxLength: 64 })),
    /** Exact action, or a prefix ending in `.` or `*` (`incident.`, `rule.*`). */
    action: Type.Optional(Type.String({ maxLength: 64 })),
    target: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
    /** `nextCursor` of the previous page (older entries follow). */
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** The last record of the chain, and the last checkpoint of it (<data-dir>/audit.head). */
export interface AuditHead {
  seq: number;
  hash: string;
  at: number | null;
  /** What audit.head held when it was last written. */
  checkpoint: { seq: number; hash: string; at: number } | null;
}

export type AuditBreakKind = 'edited' | 'deleted' | 'reordered' | 'inserted' | 'truncated';

export interface AuditBreak {
  kind: AuditBreakKind;
  /** 1-based line of audit.ndjson where the chain stops holding. */
  line: number;
  /** What the line should have held, and what it does: readable sentences. */
  expected: string;
  found: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Records checked (lines of the file up to its length when the check began). */
  records: number;
  /** The first break; null when the chain holds. */
  firstBreak: AuditBreak | null;
  /** Breaks the console already found and recorded (an `audit.segment` record follows them). */
  recordedBreaks: number;
  /** The last break when no `audit.segment` record follows it yet (the console adds one). */
  unrecordedBreak: AuditBreak | null;
  head: { seq: number; hash: string };
  checkedAt: number;
  durationMs: number;
}

export interface AuditRoutes {
  'GET /api/v1/audit': {
    query: AuditQuery;
    body: never;
    /** Newest first; `nextCursor` is null on the last page. */
    response: { entries: AuditEntry[]; nextCursor: string | null };
  };
  'GET /api/v1/audit/head': {
    query: Record<string, never>;
    body: never;
    response: { head: AuditHead; lastVerification: AuditVerifyResult | null };
  };
  'POST /api/v1/audit/verify': {
    query: Record<string, never>;
    body: never;
    response: { result: AuditVerifyResult };
  };
}

// The in-memory index of one segment file: a column per indexed field (dictionary ids), the
// event time, where each line sits in the file, and posting lists (value → rows) for the
// fields a query usually narrows by. Events themselves stay on disk and are read back by
// offset; a whole segment's index is dropped with its file.
import type { StoredEvent } from '../../../shared/model.js';
import { SECURITY_FIELDS } from '../../../shared/security-events.js';
import { Dictionary, F64Column, U32Column } from './columns.js';

/** The fields with a dictionary, a column and posting lists. */
export const INDEXED_FIELDS = ['agent', 'region', 'user', 'sourceIp', 'type'] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];

export const SEVERITY_CODES = { critical: 0, warning: 1, info: 2 } as const;
export const CATEGORY_CODES = { security: 0, log: 1, change: 2 } as const;
/** bits: severity in 0-1, category in 2-3, a failed authentication attempt in 4. */
const FAILED_ATTEMPT = 1 << 4;

/** One dictionary per indexed field, shared by every segment so ids mean the same in each. */
export type Dictionaries = Record<IndexedField, Dictionary>;
export const newDictionaries = (): Dictionaries => ({
  agent: new Dictionary(),
  region: new Dictionary(),
  user: new Dictionary(),
  sourceIp: new Dictionary(),
  type: new Dictionary(),
});

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What an event is filtered by: `type` is its `event.type` attribute, else its source. */
export function indexedValues(e: StoredEvent): Record<IndexedField, string | undefined> {
  const a = e.attributes;
  return {
    agent: e.agentId,
    region: e.regionId,
    user: str(a[SECURITY_FIELDS.user]),
    sourceIp: str(a[SECURITY_FIELDS.srcIp]),
    type: str(a[SECURITY_FIELDS.eventType]) ?? e.source,
  };
}

/**
 * A failed login attempt, counted once: the line that restates an attempt (sshd's `Invalid
 * user`, PAM's summary) carries `attempt: false` (shared/security-events.ts).
 */
export const isFailedAttempt = (e: StoredEvent) =>
  e.attributes[SECURITY_FIELDS.eventType] === 'auth_failure' &&
  e.attributes[SECURITY_FIELDS.attempt] !== false;

export class SegmentIndex {
  readonly ts = new F64Column();
  readonly offset = new U32Column();
  readonly length = new U32Column();
  readonly bits = new U32Column();
  readonly columns: Record<IndexedField, U32Column>;
  readonly postings: Record<IndexedField, Map<number, U32Column>>;
  minTs = Infinity;
  maxTs = -Infinity;
  /** Console time of the newest event: age retention drops a segment by it. */
  maxReceivedAt = -Infinity;
  /** Bytes of whole lines in the file. */
  bytes = 0;

  constructor(
    readonly seq: number,
    private readonly dicts: Dictionaries,
  ) {
    const columns = {} as Record<IndexedField, U32Column>;
    const postings = {} as Record<IndexedField, Map<number, U32Column>>;
    for (const f of INDEXED_FIELDS) {
      columns[f] = new U32Column();
      postings[f] = new Map();
    }
    this.columns = columns;
    this.postings = postings;
  }

  get rows(): number {
    return this.ts.length;
  }

  add(e: StoredEvent, offset: number, length: number): void {
    const row = this.ts.length;
    this.ts.push(e.ts);
    this.offset.push(offset);
    this.length.push(length);
    this.bits.push(
      SEVERITY_CODES[e.severity] |
        (CATEGORY_CODES[e.category] << 2) |
        (isFailedAttempt(e) ? FAILED_ATTEMPT : 0),
    );
    const values = indexedValues(e);
    for (const f of INDEXED_FIELDS) {
      const id = this.dicts[f].intern(values[f]);
      this.columns[f].push(id);
      if (id === 0) continue;
      let list = this.postings[f].get(id);
      if (!list) this.postings[f].set(id, (list = new U32Column(4)));
      list.push(row);
    }
    if (e.ts < this.minTs) this.minTs = e.ts;
    if (e.ts > this.maxTs) this.maxTs = e.ts;
    if (e.receivedAt > this.maxReceivedAt) this.maxReceivedAt = e.receivedAt;
    this.bytes = offset + length;
  }

  severity(row: number): number {
    return this.bits.get(row) & 3;
  }

  category(row: number): number {
    return (this.bits.get(row) >> 2) & 3;
  }

  failedAttempt(row: number): boolean {
    return (this.bits.get(row) & FAILED_ATTEMPT) !== 0;
  }

  /** Bytes of memory this index holds (columns and posting lists). */
  memoryBytes(): number {
    let n = this.ts.bytes + this.offset.bytes + this.length.bytes + this.bits.bytes;
    for (const f of INDEXED_FIELDS) {
      n += this.columns[f].bytes;
      // A Map entry costs roughly 40 bytes besides its list.
      for (const list of this.postings[f].values()) n += list.bytes + 40;
    }
    return n;
  }
}

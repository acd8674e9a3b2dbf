// The in-memory index of one segment file: a column per indexed field (dictionary ids), the
// event time, where each line sits in the file, and posting lists (value → rows) for the
// fields a query usually narrows by. Events themselves stay on disk and are read back by
// offset; a whole segment's index is dropped with its file.
import type { StoredEvent } from '../../../shared/model.js';
import { SECURITY_FIELDS } from '../../../shared/security-events.js';
import { Dictionary, F64Column, U32Column } from './columns.js';
import { eventSignature, SIGNATURE_WORDS, SignatureColumn } from './text-signature.js';

/** The fields with a dictionary, a column and posting lists. */
export const INDEXED_FIELDS = ['agent', 'region', 'user', 'sourceIp', 'type'] as const;
export type IndexedField = (typeof INDEXED_FIELDS)[number];
/**
 * Numbers per prepared row: ts, receivedAt, bits, one dictionary id per indexed field, then
 * the text signature's words.
 */
export const ROW_WIDTH = 3 + INDEXED_FIELDS.length + SIGNATURE_WORDS;

export const SEVERITY_CODES = { critical: 0, warning: 1, info: 2 } as const;
export const CATEGORY_CODES = { security: 0, log: 1, change: 2 } as const;
/** bits: severity in 0-1, category in 2-3, a failed authentication attempt in 4. */
export const FAILED_ATTEMPT = 1 << 4;

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
  /** The text search's prefilter (text-signature.ts). */
  readonly text = new SignatureColumn();
  readonly columns: Record<IndexedField, U32Column>;
  readonly postings: Record<IndexedField, Map<number, U32Column>>;
  minTs = Infinity;
  maxTs = -Infinity;
  /** Console time of the newest event: age retention drops a segment by it. */
  maxReceivedAt = -Infinity;
  /** Bytes of whole lines in the file. */
  bytes = 0;
  private readonly scratch: number[] = [];

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

  /** Add one replayed event whose line sits at `offset` (`length` bytes, no newline). */
  add(e: StoredEvent, offset: number, length: number): void {
    this.scratch.length = 0;
    this.prepareRow(e, this.scratch);
    this.addRow(this.scratch, 0, offset, length);
  }

  /**
   * The numbers the index keeps of `e` (ROW_WIDTH of them), appended to `out`. Taken when the
   * event is queued for its group commit, so the event object itself is not held until the
   * fsync (thousands of events in flight survived young-generation GCs and were promoted).
   * The ids follow INDEXED_FIELDS; `type` is the `event.type` attribute, else the source.
   */
  prepareRow(e: StoredEvent, out: number[]): void {
    const a = e.attributes;
    const d = this.dicts;
    out.push(
      e.ts,
      e.receivedAt,
      SEVERITY_CODES[e.severity] |
        (CATEGORY_CODES[e.category] << 2) |
        (isFailedAttempt(e) ? FAILED_ATTEMPT : 0),
      d.agent.intern(e.agentId),
      d.region.intern(e.regionId),
      d.user.intern(str(a[SECURITY_FIELDS.user])),
      d.sourceIp.intern(str(a[SECURITY_FIELDS.srcIp])),
      d.type.intern(str(a[SECURITY_FIELDS.eventType]) ?? e.source),
    );
    eventSignature(e, out);
  }

  /** Index the row prepared at `rows[at…]` (prepareRow) for the line at `offset`. */
  addRow(rows: readonly number[], at: number, offset: number, length: number): void {
    const row = this.ts.length;
    const ts = rows[at]!;
    const receivedAt = rows[at + 1]!;
    this.ts.push(ts);
    this.offset.push(offset);
    this.length.push(length);
    this.bits.push(rows[at + 2]!);
    for (let f = 0; f < INDEXED_FIELDS.length; f++) {
      const field = INDEXED_FIELDS[f]!;
      const id = rows[at + 3 + f]!;
      this.columns[field].push(id);
      if (id === 0) continue;
      let list = this.postings[field].get(id);
      if (!list) this.postings[field].set(id, (list = new U32Column(4)));
      list.push(row);
    }
    this.text.push(rows, at + 3 + INDEXED_FIELDS.length);
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    if (receivedAt > this.maxReceivedAt) this.maxReceivedAt = receivedAt;
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
    let n =
      this.ts.bytes + this.offset.bytes + this.length.bytes + this.bits.bytes + this.text.bytes;
    for (const f of INDEXED_FIELDS) {
      n += this.columns[f].bytes;
      // A Map entry costs roughly 40 bytes besides its list.
      for (const list of this.postings[f].values()) n += list.bytes + 40;
    }
    return n;
  }
}

// One line of audit.ndjson, byte for byte. The chain is over exact line bytes, not over a
// canonical JSON form: a line is
//
//   {"seq":7,"prev":"<64 hex>","id":…,"at":…,"by":…,"action":…,"target":…,…,"hash":"<64 hex>"}
//
// where `hash` = SHA-256 of the same line with `,"hash":"…"` taken out (so of `{"seq":7,…}`),
// and `prev` = the previous line's `hash`. Checking a line needs no JSON parse and no
// re-serialisation (which would tie the check to one JSON encoder): take the fixed-size
// suffix off, hash the rest. `seq` and `prev` sit at fixed places at the front for the same
// reason. The first record of a chain has `prev` = 64 zeros.
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { AuditEntry, AuditInput } from '../../../shared/audit.js';

export const AUDIT_FILE = 'audit.ndjson';
export const AUDIT_HEAD_FILE = 'audit.head';
export const AUDIT_LEGACY_FILE = 'audit.legacy.ndjson';
export const GENESIS_PREV = '0'.repeat(64);
/** `,"hash":"` + 64 hex + `"}`. */
export const HASH_SUFFIX_BYTES = 9 + 64 + 2;
const HASH_SUFFIX_HEAD = ',"hash":"';
const PREFIX = /^\{"seq":(\d{1,15}),"prev":"([0-9a-f]{64})"/;

export const sha256 = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex');

/** The line (no newline) for a record, and its hash. */
export function encodeRecord(
  r: AuditInput & { seq: number; prev: string; id: string; at: number },
): { line: string; hash: string } {
  const body = JSON.stringify({
    seq: r.seq,
    prev: r.prev,
    id: r.id,
    at: r.at,
    by: r.by,
    action: r.action,
    target: r.target,
    before: r.before ?? null,
    after: r.after ?? null,
    ...(r.details !== undefined ? { details: r.details } : {}),
  });
  const hash = sha256(body);
  return { line: `${body.slice(0, -1)}${HASH_SUFFIX_HEAD}${hash}"}`, hash };
}

export interface LineHeader {
  seq: number;
  prev: string;
  /** The hash the line claims. */
  hash: string;
  /** Whether the line's bytes hash to that. */
  intact: boolean;
}

/** Seq, prev and hash of one line (bytes without the newline); null when it is not a record. */
export function readLineHeader(line: Buffer): LineHeader | null {
  const n = line.length;
  if (n < HASH_SUFFIX_BYTES + 20) return null;
  const suffixAt = n - HASH_SUFFIX_BYTES;
  if (line.toString('latin1', suffixAt, suffixAt + 9) !== HASH_SUFFIX_HEAD) return null;
  if (line[n - 2] !== 0x22 || line[n - 1] !== 0x7d) return null;
  const hash = line.toString('latin1', suffixAt + 9, n - 2);
  const m = PREFIX.exec(line.toString('latin1', 0, Math.min(n, 96)));
  if (!m || !/^[0-9a-f]{64}$/.test(hash)) return null;
  // The body is the line up to the suffix plus its closing brace: put the brace where the
  // suffix's comma is for a one-shot hash (3× faster than a streaming Hash per line), then
  // put the comma back. The caller's buffer is left as it was.
  line[suffixAt] = 0x7d;
  const actual = oneShotHash('sha256', line.subarray(0, suffixAt + 1), 'hex');
  line[suffixAt] = 0x2c;
  return { seq: Number(m[1]), prev: m[2]!, hash, intact: actual === hash };
}

/** The whole record of a line, or null when it does not parse as one. */
export function parseRecord(line: string): AuditEntry | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  const ok =
    typeof e.seq === 'number' &&
    typeof e.prev === 'string' &&
    typeof e.id === 'string' &&
    typeof e.at === 'number' &&
    typeof e.by === 'string' &&
    typeof e.action === 'string' &&
    typeof e.target === 'string' &&
    typeof e.hash === 'string';
  return ok ? (raw as AuditEntry) : null;
}

/** True when a line is in the chain format (the RecordLog format of old versions is not). */
export const isChainLine = (line: string): boolean => PREFIX.test(line);

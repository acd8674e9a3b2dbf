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

const SEQ_HEAD = Buffer.from('{"seq":', 'latin1');
const PREV_HEAD = Buffer.from(',"prev":"', 'latin1');
const SUFFIX_HEAD = Buffer.from(HASH_SUFFIX_HEAD, 'latin1');
/** Lower-case hex digit → its value, anything else → -1. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

const startsAt = (line: Buffer, at: number, head: Buffer) =>
  line.length >= at + head.length && line.compare(head, 0, head.length, at, at + head.length) === 0;

function isHex64(line: Buffer, at: number): boolean {
  for (let i = at; i < at + 64; i++) if (HEX[line[i]!]! < 0) return false;
  return true;
}

/**
 * Seq, prev and hash of one line (bytes without the newline); null when it is not a record.
 * Read off the bytes (no regular expression, no string until the line is known to be one):
 * `meridian audit verify` does this a million times.
 */
export function readLineHeader(line: Buffer): LineHeader | null {
  const n = line.length;
  if (n < HASH_SUFFIX_BYTES + 20) return null;
  const suffixAt = n - HASH_SUFFIX_BYTES;
  if (!startsAt(line, suffixAt, SUFFIX_HEAD)) return null;
  if (line[n - 2] !== 0x22 || line[n - 1] !== 0x7d) return null;
  // {"seq":<1-15 digits>,"prev":"<64 hex>" at the front, within the first 96 bytes.
  if (!startsAt(line, 0, SEQ_HEAD)) return null;
  let at = SEQ_HEAD.length;
  let seq = 0;
  while (at < n && at - SEQ_HEAD.length < 15 && line[at]! >= 0x30 && line[at]! <= 0x39)
    seq = seq * 10 + (line[at++]! - 0x30);
  if (at === SEQ_HEAD.length || !startsAt(line, at, PREV_HEAD)) return null;
  const prevAt = at + PREV_HEAD.length;
  if (prevAt + 65 > Math.min(n, 96) || !isHex64(line, prevAt) || line[prevAt + 64] !== 0x22)
    return null;
  const hashAt = suffixAt + 9;
  if (!isHex64(line, hashAt)) return null;
  // The body is the line up to the suffix plus its closing brace: put the brace where the
  // suffix's comma is for a one-shot hash (3× faster than a streaming Hash per line), then
  // put the comma back. The caller's buffer is left as it was.
  line[suffixAt] = 0x7d;
  const digest = oneShotHash('sha256', line.subarray(0, suffixAt + 1), 'buffer');
  line[suffixAt] = 0x2c;
  let intact = true;
  for (let i = 0; i < 32; i++) {
    if (((HEX[line[hashAt + 2 * i]!]! << 4) | HEX[line[hashAt + 2 * i + 1]!]!) !== digest[i]) {
      intact = false;
      break;
    }
  }
  return {
    seq,
    prev: line.toString('latin1', prevAt, prevAt + 64),
    hash: line.toString('latin1', hashAt, hashAt + 64),
    intact,
  };
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

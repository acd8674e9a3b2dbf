// Filtering the audit trail for the API: the latest records from memory, older pages by a
// streamed pass over the file (never loaded whole: it only grows).
import type { AuditEntry } from '../../../shared/audit.js';
import { readLineFile } from '../line-file.js';
import { parseRecord } from './chain-format.js';

export interface AuditFilter {
  from?: number;
  to?: number;
  by?: string;
  /** Exact, or a prefix when it ends in `.` or `*`. */
  action?: string;
  target?: string;
  limit?: number;
  /** Only records with a lower seq (the previous page's last one). */
  before?: number;
}

export function matcher(f: AuditFilter): (e: AuditEntry) => boolean {
  const action = f.action;
  const prefix =
    action && (action.endsWith('.') || action.endsWith('*')) ? action.replace(/\*$/, '') : null;
  return (e) =>
    (f.before === undefined || e.seq < f.before) &&
    (f.from === undefined || e.at >= f.from) &&
    (f.to === undefined || e.at <= f.to) &&
    (f.by === undefined || e.by === f.by) &&
    (f.target === undefined || e.target === f.target) &&
    (action === undefined || (prefix !== null ? e.action.startsWith(prefix) : e.action === action));
}

/** Newest first from `recent` (oldest first), at most `limit`. */
export function fromMemory(recent: readonly AuditEntry[], f: AuditFilter): AuditEntry[] {
  const limit = f.limit ?? 500;
  const ok = matcher(f);
  const out: AuditEntry[] = [];
  for (let i = recent.length - 1; i >= 0 && out.length < limit; i--) {
    const e = recent[i]!;
    if (ok(e)) out.push(e);
  }
  return out;
}

/** Newest first: the `limit` newest matching records of the file with seq below `below`. */
export async function fromFile(
  path: string,
  f: AuditFilter,
  below: number,
  limit: number,
): Promise<AuditEntry[]> {
  const ok = matcher({ ...f, before: Math.min(below, f.before ?? Infinity) });
  let kept: AuditEntry[] = [];
  await readLineFile(path, (line) => {
    const e = parseRecord(line);
    if (!e || !ok(e)) return;
    kept.push(e);
    if (kept.length >= limit * 2) kept = kept.slice(-limit);
  });
  return kept.slice(-limit).reverse();
}

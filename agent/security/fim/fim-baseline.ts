// The FIM baseline and how one scan's observations are judged against it. Pure: the monitor
// (fim-monitor.ts) does the reading, watching, timing and sending.
//
// - A path is judged only once it is in the baseline's configured list (directly, or as a
//   file of a configured directory): a newly configured path is baselined silently, so
//   changing --fim-paths does not report every file as created.
// - An unreadable path is reported once, when it becomes unreadable; its last hash is kept,
//   so a change made while it could not be read is still reported when it can be again.
import { dirname } from 'node:path';
import type { FimChange } from '../../../shared/security-events.js';

export interface FileDigest {
  sha256: string;
  size: number;
}

export type BaselineEntry =
  | ({ kind: 'file' } & FileDigest)
  | { kind: 'absent' }
  | { kind: 'unreadable'; reason: string; last?: FileDigest };

export interface FimBaseline {
  version: 1;
  /** The configured paths the entries were taken for. */
  paths: string[];
  entries: Record<string, BaselineEntry>;
}

/** What one scan saw: the configured directories, and every file path's state. */
export interface Observation {
  dirs: ReadonlySet<string>;
  files: ReadonlyMap<string, BaselineEntry>;
}

export type FimFinding =
  | { kind: 'change'; path: string; change: FimChange; old?: FileDigest; now?: FileDigest }
  | { kind: 'unreadable'; path: string; reason: string }
  | { kind: 'readable_again'; path: string };

export function judge(
  prev: FimBaseline | null,
  configured: readonly string[],
  seen: Observation,
): { next: FimBaseline; findings: FimFinding[] } {
  const files = new Map(seen.files);
  // A file of a watched directory that is gone: absent (it was there at the last scan).
  for (const path of Object.keys(prev?.entries ?? {})) {
    if (!files.has(path) && seen.dirs.has(dirname(path))) files.set(path, { kind: 'absent' });
  }
  const known = new Set(prev?.paths ?? []);
  const findings: FimFinding[] = [];
  const entries: Record<string, BaselineEntry> = {};
  for (const [path, now] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = prev?.entries[path];
    const judged = known.has(path) || known.has(dirname(path));
    const stored = next(path, before, now, judged, findings);
    // A directory's file that is gone leaves the baseline; a configured path stays, absent.
    if (stored.kind !== 'absent' || !seen.dirs.has(dirname(path)) || configured.includes(path))
      entries[path] = stored;
  }
  return { next: { version: 1, paths: [...configured], entries }, findings };
}

function next(
  path: string,
  before: BaselineEntry | undefined,
  now: BaselineEntry,
  judged: boolean,
  out: FimFinding[],
): BaselineEntry {
  const last =
    before?.kind === 'file'
      ? digest(before)
      : before?.kind === 'unreadable'
        ? before.last
        : undefined;
  if (now.kind === 'unreadable') {
    if (before?.kind !== 'unreadable') out.push({ kind: 'unreadable', path, reason: now.reason });
    return { kind: 'unreadable', reason: now.reason, ...(last ? { last } : {}) };
  }
  if (before?.kind === 'unreadable') out.push({ kind: 'readable_again', path });
  if (!judged) return now;
  if (now.kind === 'file') {
    const cur = digest(now);
    if (last === undefined) {
      // Created, unless it was unreadable with no hash ever taken: then this is its baseline.
      if (before?.kind !== 'unreadable')
        out.push({ kind: 'change', path, change: 'created', now: cur });
    } else if (last.sha256 !== cur.sha256) {
      out.push({ kind: 'change', path, change: 'modified', old: last, now: cur });
    }
  } else if (last !== undefined) {
    out.push({ kind: 'change', path, change: 'deleted', old: last });
  }
  return now;
}

const digest = (d: FileDigest): FileDigest => ({ sha256: d.sha256, size: d.size });

/** A stored baseline, checked; null when it is not one. */
export function parseBaseline(v: unknown): FimBaseline | null {
  if (typeof v !== 'object' || v === null) return null;
  const b = v as Partial<FimBaseline>;
  if (
    b.version !== 1 ||
    !Array.isArray(b.paths) ||
    typeof b.entries !== 'object' ||
    b.entries === null
  )
    return null;
  for (const e of Object.values(b.entries)) {
    const k = (e as BaselineEntry | null)?.kind;
    if (k !== 'file' && k !== 'absent' && k !== 'unreadable') return null;
    if (k === 'file' && typeof (e as FileDigest).sha256 !== 'string') return null;
  }
  return b as FimBaseline;
}

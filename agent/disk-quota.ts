// Quota-managed directories as disk usage: `--disk-quota DIR=BYTES` reports
// `disk_usage{mount=DIR}` = bytes of the files under DIR ÷ BYTES × 100, the way a mount's usage
// is reported, so the same rules, incidents and recovery (clean_tmp) apply to a directory with a
// budget (a spool, an upload area, a tenant's share) as to a disk.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../shared/protocol.js';
import { roundForUnit } from './precision.js';

export interface DiskQuota {
  /** Absolute path. */
  dir: string;
  bytes: number;
}

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** `DIR=BYTES`, BYTES an integer with an optional unit (KB, MB, GB, TB; KiB, MiB, GiB, TiB). */
export function parseDiskQuota(raw: string): DiskQuota | { error: string } {
  const eq = raw.lastIndexOf('=');
  if (eq <= 0) return { error: `must be DIR=BYTES (got '${raw}')` };
  const dir = raw.slice(0, eq);
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(raw.slice(eq + 1));
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined)
    return {
      error: `BYTES must be an integer with an optional unit such as MiB or GB (got '${raw.slice(eq + 1)}')`,
    };
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    return { error: `BYTES must be above 0 (got '${raw.slice(eq + 1)}')` };
  return { dir, bytes };
}

/** A directory walk that gives up past this many entries (the agent must stay cheap). */
export const MAX_QUOTA_ENTRIES = 1_000_000;

/**
 * Apparent size (as `du --apparent-size`) of the regular files under `dir`, without following
 * symlinks. Entries that vanish during the walk are skipped.
 */
export async function directoryBytes(dir: string, maxEntries = MAX_QUOTA_ENTRIES): Promise<number> {
  let total = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      if (current !== dir && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const e of entries) {
      if (++seen > maxEntries)
        throw new Error(`${dir} holds more than ${maxEntries} entries; not measured`);
      const path = join(current, e.name);
      if (e.isDirectory()) stack.push(path);
      else if (e.isFile()) {
        try {
          total += (await lstat(path)).size;
        } catch {
          // Deleted between the listing and the stat.
        }
      }
    }
  }
  return total;
}

/** `disk_usage{mount=DIR}` for one quota; percent of the quota, above 100 when over it. */
export async function quotaSample(q: DiskQuota, ts: () => number): Promise<Sample> {
  const used = await directoryBytes(q.dir);
  return {
    name: 'disk_usage',
    value: roundForUnit((used / q.bytes) * 100, '%'),
    ts: ts(),
    unit: '%',
    kind: 'gauge',
    labels: { mount: q.dir.slice(0, 200) },
  };
}

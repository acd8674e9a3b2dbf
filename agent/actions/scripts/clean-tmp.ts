// clean_tmp, shipped with the agent: delete files older than N days under a directory, which
// must lie inside one of the directories the actions file allows (`--allow`, repeatable).
// Run by the agent as `@node @scripts/clean-tmp.js --allow /tmp --older-than-days 7 /tmp/x`.
// It refuses any other directory (resolved through symlinks), never follows a symlink, never
// crosses into another filesystem, removes files (and symlinks) only, never directories, and
// reports what it removed and the bytes freed.
//
// usage: clean-tmp.js --allow DIR [--allow DIR …] --older-than-days N [--dry-run] DIR
// exit: 0 done, 1 some files could not be removed, 2 bad usage or a directory not allowed
import { lstat, readdir, realpath, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../../../shared/clock.js';

export interface CleanOptions {
  dir: string;
  allow: string[];
  olderThanMs: number;
  now: number;
  dryRun?: boolean;
}

export interface CleanReport {
  /** The directory cleaned, resolved. */
  dir: string;
  removed: { path: string; bytes: number }[];
  bytesFreed: number;
  failed: { path: string; error: string }[];
}

export class NotAllowedError extends Error {}

const inside = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The directory, resolved, if it lies in an allowed one (resolved too); else throws. */
export async function allowedDir(dir: string, allow: string[]): Promise<string> {
  if (!isAbsolute(dir)) throw new NotAllowedError(`${dir} is not an absolute path`);
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    throw new NotAllowedError(`${dir}: ${(err as Error).message}`);
  }
  for (const a of allow) {
    const realAllowed = await realpath(a).catch(() => null);
    if (realAllowed && inside(realAllowed, real)) return real;
  }
  throw new NotAllowedError(
    `${dir}${real !== dir ? ` (${real})` : ''} is not under an allowed directory (${allow.join(', ') || 'none given'})`,
  );
}

export async function cleanTmp(opts: CleanOptions): Promise<CleanReport> {
  const root = await allowedDir(opts.dir, opts.allow);
  const rootDev = (await lstat(root)).dev;
  const cutoff = opts.now - opts.olderThanMs;
  const report: CleanReport = { dir: root, removed: [], bytesFreed: 0, failed: [] };
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      report.failed.push({ path: dir, error: (err as Error).message });
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = await lstat(path).catch(() => null);
      if (!st || st.dev !== rootDev) continue;
      if (st.isDirectory()) {
        stack.push(path);
        continue;
      }
      if (!(st.isFile() || st.isSymbolicLink()) || st.mtimeMs > cutoff) continue;
      try {
        // Its directory may have been swapped for a symlink since the walk passed it.
        if ((await realpath(dirname(path))) !== dir) throw new Error('its directory moved');
        if (!opts.dryRun) await unlink(path);
        const bytes = st.isFile() ? st.size : 0;
        report.removed.push({ path, bytes });
        report.bytesFreed += bytes;
      } catch (err) {
        report.failed.push({ path, error: (err as Error).message });
      }
    }
  }
  return report;
}

const MAX_LISTED = 100;

export function describeReport(r: CleanReport, days: number, dryRun: boolean): string[] {
  const verb = dryRun ? 'would remove' : 'removed';
  const lines = r.removed.slice(0, MAX_LISTED).map((f) => `${verb} ${f.path} (${f.bytes} B)`);
  if (r.removed.length > MAX_LISTED)
    lines.push(`… and ${r.removed.length - MAX_LISTED} more file(s)`);
  for (const f of r.failed.slice(0, MAX_LISTED))
    lines.push(`could not remove ${f.path}: ${f.error}`);
  lines.push(
    `clean_tmp: ${verb} ${r.removed.length} file(s) older than ${days} day(s), ${r.bytesFreed} bytes freed under ${r.dir}` +
      (r.failed.length ? `; ${r.failed.length} failed` : ''),
  );
  return lines;
}

export async function main(argv: string[]): Promise<number> {
  let values: { allow?: string[]; 'older-than-days'?: string; 'dry-run'?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        allow: { type: 'string', multiple: true },
        'older-than-days': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`clean_tmp: ${(err as Error).message}\n`);
    return 2;
  }
  const days = values['older-than-days'];
  if (positionals.length !== 1 || !days || !/^\d{1,5}$/.test(days)) {
    process.stderr.write(
      'usage: clean-tmp.js --allow DIR [--allow DIR …] --older-than-days N [--dry-run] DIR\n',
    );
    return 2;
  }
  try {
    const dryRun = values['dry-run'] === true;
    const report = await cleanTmp({
      dir: positionals[0]!,
      allow: values.allow ?? [],
      olderThanMs: Number(days) * 86_400_000,
      now: systemClock.now(),
      dryRun,
    });
    process.stdout.write(`${describeReport(report, Number(days), dryRun).join('\n')}\n`);
    return report.failed.length > 0 ? 1 : 0;
  } catch (err) {
    if (!(err instanceof NotAllowedError)) throw err;
    process.stderr.write(`clean_tmp: refused: ${err.message}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}

// Which files file integrity monitoring watches by default: the ones that grant accounts,
// privileges and remote access, and every user's ~/.ssh/authorized_keys (homes from the
// passwd file, re-read at every scan so a new user's keys are watched from then on).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePasswd } from '../../actions/passwd.js';

export const DEFAULT_FIM_FILES = [
  '/etc/passwd',
  '/etc/shadow',
  '/etc/group',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssh/sshd_config',
] as const;

/** The default list with each home's authorized_keys; homes from `passwdPath` (deduplicated). */
export async function defaultFimPaths(passwdPath = '/etc/passwd'): Promise<string[]> {
  let homes: string[] = [];
  try {
    homes = parsePasswd(await readFile(passwdPath, 'utf8')).map((u) => u.home);
  } catch {
    // No passwd file to read: the fixed list alone (the passwd path itself reports why).
  }
  const keys = [...new Set(homes.filter((h) => h.startsWith('/')))]
    .sort()
    .map((h) => join(h, '.ssh', 'authorized_keys'));
  return [...DEFAULT_FIM_FILES, ...keys];
}

/**
 * `--fim-paths a,b,c`: absolute paths, comma-separated, replacing the default list.
 * Returns the paths or an error naming the bad entry.
 */
export function parseFimPaths(raw: string): { paths: string[] } | { error: string } {
  const paths = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (paths.length === 0) return { error: 'needs at least one path' };
  const bad = paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) return { error: `'${bad}' is not an absolute path` };
  return { paths: [...new Set(paths)] };
}

// Who an action runs as: a user named in the actions file, resolved to uid/gid from the passwd
// file at run time (a user created after the agent started is found; one removed is refused).
import { readFile } from 'node:fs/promises';

export interface PasswdUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** `name:x:uid:gid:gecos:home:shell` lines; malformed lines are skipped. */
export function parsePasswd(text: string): PasswdUser[] {
  const out: PasswdUser[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! });
  }
  return out;
}

export async function lookupUser(
  name: string,
  passwdPath = '/etc/passwd',
): Promise<PasswdUser | null> {
  let text: string;
  try {
    text = await readFile(passwdPath, 'utf8');
  } catch {
    return null;
  }
  return parsePasswd(text).find((u) => u.name === name) ?? null;
}

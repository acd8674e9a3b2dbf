// sshd's effective PermitRootLogin and PasswordAuthentication: `sshd -T` when it can run (it
// prints the effective configuration, but needs to read the host keys, so usually root);
// otherwise /etc/ssh/sshd_config read the way sshd reads it: keywords case-insensitive, the
// first value obtained wins, `Include` files (globs, relative to /etc/ssh) read in place,
// `Match` blocks skipped (they are not the global setting), and OpenSSH's defaults for what
// no file sets.
import { FACT_IDS, type FactId, type PostureFact } from '../../../shared/posture.js';
import { collected, commandLine, notCollected } from './fact.js';
import type { HostAccess } from './host-access.js';

export const SSHD_CONFIG = '/etc/ssh/sshd_config';
/** OpenSSH ≥ 7.0 defaults. */
const DEFAULTS = { permitrootlogin: 'prohibit-password', passwordauthentication: 'yes' };
type Key = keyof typeof DEFAULTS;
const KEYS: Key[] = ['permitrootlogin', 'passwordauthentication'];
const FACT_OF: Record<Key, FactId> = {
  permitrootlogin: FACT_IDS.sshdPermitRootLogin,
  passwordauthentication: FACT_IDS.sshdPasswordAuthentication,
};

/** `without-password` is the old spelling of `prohibit-password`. */
const normalise = (v: string) => {
  const s = v.toLowerCase();
  return s === 'without-password' ? 'prohibit-password' : s;
};

export async function collectSshd(host: HostAccess, now: number): Promise<PostureFact[]> {
  for (const bin of ['sshd', '/usr/sbin/sshd']) {
    const argv = [bin, '-T'];
    const out = await host.run(argv);
    if (out.failure === 'not_found') continue;
    if (out.code !== 0) break;
    const found = parseSshdT(out.stdout);
    if (KEYS.every((k) => found.has(k))) {
      return KEYS.map((k) => {
        const line = out.stdout.split('\n').find((l) => l.toLowerCase().startsWith(`${k} `));
        return collected(FACT_OF[k], found.get(k)!, commandLine(argv), line ?? '', now);
      });
    }
    break;
  }
  const text = await host.fs.readFile(SSHD_CONFIG);
  if (text === null) {
    return KEYS.map((k) =>
      notCollected(FACT_OF[k], `sshd is not installed (no ${SSHD_CONFIG})`, now, SSHD_CONFIG),
    );
  }
  const settings = await readSshdConfig(host, SSHD_CONFIG, text, new Set());
  return KEYS.map((k) => {
    const s = settings.get(k);
    return s
      ? collected(FACT_OF[k], s.value, s.file, s.line, now)
      : collected(
          FACT_OF[k],
          DEFAULTS[k],
          SSHD_CONFIG,
          `(not set: OpenSSH default ${DEFAULTS[k]})`,
          now,
        );
  });
}

/** `sshd -T` output: `keyword value` per line, keywords lower-case. */
export function parseSshdT(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [k, v] = line.trim().split(/\s+/, 2);
    if (k && v && (KEYS as string[]).includes(k) && !out.has(k)) out.set(k, normalise(v));
  }
  return out;
}

interface Setting {
  value: string;
  file: string;
  line: string;
}

/** The global settings of a config file and what it includes, first value winning. */
export async function readSshdConfig(
  host: HostAccess,
  file: string,
  text: string,
  seen: Set<string>,
  into = new Map<string, Setting>(),
): Promise<Map<string, Setting>> {
  seen.add(file);
  let inMatch = false;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (keyword === 'match') {
      inMatch = true;
      continue;
    }
    if (inMatch) continue;
    if (keyword === 'include') {
      for (const pattern of value.split(/\s+/)) {
        for (const path of await expandInclude(host, pattern)) {
          if (seen.has(path)) continue;
          const inc = await host.fs.readFile(path);
          if (inc !== null) await readSshdConfig(host, path, inc, seen, into);
        }
      }
      continue;
    }
    if ((KEYS as string[]).includes(keyword) && !into.has(keyword))
      into.set(keyword, { value: normalise(value.split(/\s+/)[0]!), file, line });
  }
  return into;
}

/** An Include pattern's files, sorted as sshd's glob sorts them; `*` and `?` in the last part. */
async function expandInclude(host: HostAccess, pattern: string): Promise<string[]> {
  const abs = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`;
  const slash = abs.lastIndexOf('/');
  const dir = abs.slice(0, slash) || '/';
  const base = abs.slice(slash + 1);
  if (!/[*?]/.test(base)) return [abs];
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const names = (await host.fs.readDir(dir)) ?? [];
  return names
    .filter((n) => re.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => `${dir}/${n}`);
}

// The message of an sshd / sudo / su / login / systemd-logind log line → structured fields.
// A table of named patterns: each name says which line shape it is, tests cover each one, and
// a line no pattern knows is null (not an event), so new sshd wording never becomes noise.

import { isIP } from 'node:net';
import type { AuthFields, AuthMatch, AuthService } from './auth-event.js';

type Groups = Record<string, string | undefined>;

export interface AuthPattern {
  name: string;
  /** The services (after ident mapping) whose lines this pattern reads. */
  services: readonly AuthService[];
  re: RegExp;
  /** Fields from the named groups; null when the match is not an auth event after all. */
  fields(g: Groups, service: AuthService): AuthFields | null;
  /**
   * A failure line that restates an attempt another line counts (sshd's `Failed password` is
   * the one per attempt; `Invalid user`, `Connection closed … [preauth]` and PAM's lines come
   * with it). Such events carry `attempt: false`, so one attempt is one counted failure.
   */
  restates?: (service: AuthService) => boolean;
}

const always = () => true;

/** Program names (syslog ident / SYSLOG_IDENTIFIER) → service. OpenSSH ≥ 9.8 logs from sshd-session. */
const IDENT_SERVICE: Record<string, AuthService> = {
  sshd: 'sshd',
  'sshd-session': 'sshd',
  'sshd-auth': 'sshd',
  sudo: 'sudo',
  su: 'su',
  login: 'login',
  'systemd-logind': 'systemd-logind',
};

/** PAM service names (`pam_unix(su-l:session)`) → service; others (cron, systemd-user) are not ours. */
const PAM_SERVICE: Record<string, AuthService> = {
  sshd: 'sshd',
  sudo: 'sudo',
  'sudo-i': 'sudo',
  su: 'su',
  'su-l': 'su',
  login: 'login',
};

export function serviceOfIdent(ident: string): AuthService | null {
  return IDENT_SERVICE[ident] ?? null;
}

/** An address as sshd or PAM wrote it; an IPv4-mapped IPv6 address becomes the IPv4 one. */
export function normalizeIp(raw: string): string {
  const s = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(s) === 6) {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(s);
    if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  }
  // A host name (sshd with UseDNS, PAM rhost) is kept as written: still the source.
  return s;
}

const port = (p: string | undefined) => (p === undefined ? undefined : Number(p));

/** `keyboard-interactive/pam` → `keyboard-interactive`. */
const methodName = (m: string) => m.split('/')[0]!;

/** `key=value` pairs of a PAM line (`logname= uid=0 … rhost=1.2.3.4  user=root`); values may be empty. */
function pamPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=(\S*)/g)) out[m[1]!] = m[2]!;
  return out;
}

/** For su and sudo the acting user is who ran it, the target the account they become. */
const becomes = (s: AuthService) => s === 'su' || s === 'sudo';

function pamService(g: Groups): AuthService | null {
  return PAM_SERVICE[g.svc ?? ''] ?? null;
}

const SSHD = ['sshd'] as const;
const SUDO = ['sudo'] as const;
const SU = ['su'] as const;
const ANY_PAM = ['sshd', 'sudo', 'su', 'login'] as const;
/** The tail of a sudo line after the reason: TTY, PWD, USER, optional GROUP/TSID/ENV, COMMAND last. */
const SUDO_TAIL =
  'TTY=(?<tty>\\S+) ; PWD=(?<pwd>.*?) ; USER=(?<target>\\S+) ;(?: GROUP=\\S+ ;)?(?: TSID=\\S+ ;)?(?: ENV=.*? ;)? COMMAND=(?<cmd>.*)$';

function sudoFields(type: AuthFields['type'], method?: string) {
  return (g: Groups): AuthFields => ({
    type,
    service: 'sudo',
    user: g.user!,
    tty: g.tty!,
    targetUser: g.target!,
    // The command keeps its spaces and semicolons: COMMAND= is always last on the line.
    command: g.cmd!,
    ...(method ? { method } : {}),
  });
}

export const AUTH_PATTERNS: readonly AuthPattern[] = [
  {
    name: 'sshd_accepted',
    services: SSHD,
    re: /^Accepted (?<method>\S+) for (?<user>.+?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?(?::.*)?$/,
    fields: (g) => ({
      type: 'auth_success',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      method: methodName(g.method!),
    }),
  },
  {
    name: 'sshd_failed',
    services: SSHD,
    re: /^Failed (?<method>\S+) for (?<invalid>invalid user )?(?<user>.*?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      method: methodName(g.method!),
      invalidUser: g.invalid !== undefined,
    }),
  },
  {
    name: 'sshd_invalid_user',
    restates: always,
    services: SSHD,
    re: /^Invalid user (?<user>.*?) from (?<ip>\S+)(?: port (?<port>\d+))?$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      invalidUser: true,
    }),
  },
  {
    // The client gave up (or was cut off) while authenticating: how key-probing bots end.
    name: 'sshd_closed_preauth',
    restates: always,
    services: SSHD,
    re: /^(?:Connection closed by|Disconnected from) (?<kind>authenticating|invalid) user (?<user>.*?) (?<ip>\S+) port (?<port>\d+)(?: \[preauth\])?$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      invalidUser: g.kind === 'invalid',
    }),
  },
  {
    name: 'sshd_max_attempts',
    restates: always,
    services: SSHD,
    re: /^error: maximum authentication attempts exceeded for (?<invalid>invalid user )?(?<user>.*?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?(?: \[preauth\])?$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      invalidUser: g.invalid !== undefined,
    }),
  },
  {
    name: 'sshd_too_many_failures',
    restates: always,
    services: SSHD,
    re: /^Disconnecting (?<kind>authenticating|invalid) user (?<user>.*?) (?<ip>\S+) port (?<port>\d+): Too many authentication failures(?: \[preauth\])?$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'sshd',
      user: g.user!,
      srcIp: normalizeIp(g.ip!),
      srcPort: port(g.port),
      invalidUser: g.kind === 'invalid',
    }),
  },
  {
    name: 'pam_auth_failure',
    // sshd, su and login log their own line per attempt; sudo logs only a summary at the end.
    restates: (service) => service !== 'sudo',
    services: ANY_PAM,
    re: /^pam_unix\((?<svc>[^:)]+):auth\): authentication failure;(?<kv>.*)$/,
    fields: (g) => {
      const service = pamService(g);
      if (!service) return null;
      const kv = pamPairs(g.kv!);
      const account = kv.user || undefined;
      const actor = kv.ruser || kv.logname || undefined;
      return {
        type: 'auth_failure',
        service,
        ...(becomes(service) ? { user: actor, targetUser: account } : { user: account }),
        ...(kv.rhost ? { srcIp: normalizeIp(kv.rhost) } : {}),
        ...(kv.tty ? { tty: kv.tty.replace(/^\/dev\//, '') } : {}),
        method: 'password',
      };
    },
  },
  {
    name: 'pam_more_failures',
    restates: always,
    services: ANY_PAM,
    re: /^PAM (?<n>\d+) more authentication failures?;(?<kv>.*)$/,
    fields: (g, service) => {
      const kv = pamPairs(g.kv!);
      return {
        type: 'auth_failure',
        service,
        ...(kv.user ? { user: kv.user } : {}),
        ...(kv.rhost ? { srcIp: normalizeIp(kv.rhost) } : {}),
        method: 'password',
      };
    },
  },
  {
    name: 'pam_session_opened',
    services: ANY_PAM,
    re: /^pam_unix\((?<svc>[^:)]+):session\): session opened for user (?<user>[^\s(]+)(?:\(uid=\d+\))?(?: by (?<by>[^\s(]*)(?:\(uid=\d+\))?)?$/,
    fields: (g) => {
      const service = pamService(g);
      if (!service) return null;
      return becomes(service)
        ? { type: 'session_open', service, user: g.by || undefined, targetUser: g.user! }
        : { type: 'session_open', service, user: g.user! };
    },
  },
  {
    name: 'pam_session_closed',
    services: ANY_PAM,
    re: /^pam_unix\((?<svc>[^:)]+):session\): session closed for user (?<user>[^\s(]+)$/,
    fields: (g) => {
      const service = pamService(g);
      if (!service) return null;
      return becomes(service)
        ? { type: 'session_close', service, targetUser: g.user! }
        : { type: 'session_close', service, user: g.user! };
    },
  },
  {
    name: 'sudo_command',
    services: SUDO,
    re: new RegExp(`^\\s*(?<user>\\S+) : ${SUDO_TAIL}`),
    fields: sudoFields('sudo'),
  },
  {
    name: 'sudo_incorrect_password',
    restates: always,
    services: SUDO,
    re: new RegExp(`^\\s*(?<user>\\S+) : \\d+ incorrect password attempts? ; ${SUDO_TAIL}`),
    fields: sudoFields('auth_failure', 'password'),
  },
  {
    name: 'sudo_not_in_sudoers',
    services: SUDO,
    re: new RegExp(`^\\s*(?<user>\\S+) : user NOT in sudoers ; ${SUDO_TAIL}`),
    fields: sudoFields('auth_failure'),
  },
  {
    name: 'sudo_command_not_allowed',
    services: SUDO,
    re: new RegExp(`^\\s*(?<user>\\S+) : command not allowed ; ${SUDO_TAIL}`),
    fields: sudoFields('auth_failure'),
  },
  {
    // shadow-utils su.
    name: 'su_failed',
    services: SU,
    re: /^FAILED su for (?<target>\S+) by (?<user>\S+)$/,
    fields: (g) => ({ type: 'auth_failure', service: 'su', user: g.user!, targetUser: g.target! }),
  },
  {
    // util-linux su.
    name: 'su_failed_tty',
    services: SU,
    re: /^FAILED SU \(to (?<target>[^)]+)\) (?<user>\S+) on (?<tty>\S+)$/,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'su',
      user: g.user!,
      targetUser: g.target!,
      tty: g.tty!,
    }),
  },
  {
    name: 'su_success',
    services: SU,
    re: /^Successful su for (?<target>\S+) by (?<user>\S+)$/,
    fields: (g) => ({ type: 'auth_success', service: 'su', user: g.user!, targetUser: g.target! }),
  },
  {
    name: 'su_success_tty',
    services: SU,
    re: /^\(to (?<target>[^)]+)\) (?<user>\S+) on (?<tty>\S+)$/,
    fields: (g) => ({
      type: 'auth_success',
      service: 'su',
      user: g.user!,
      targetUser: g.target!,
      tty: g.tty!,
    }),
  },
  {
    name: 'login_failed',
    services: ['login'],
    re: /^FAILED LOGIN \(?\d+\)? (?:on|from) '?(?<tty>[^' ]+)'? FOR '?(?<user>[^',]+)'?, .+$/i,
    fields: (g) => ({
      type: 'auth_failure',
      service: 'login',
      user: g.user!,
      tty: g.tty!.replace(/^\/dev\//, ''),
    }),
  },
  {
    name: 'login_root',
    services: ['login'],
    re: /^ROOT LOGIN\s+on '?(?<tty>[^' ]+)'?(?: from '?(?<ip>[^' ]+)'?)?$/i,
    fields: (g) => ({
      type: 'auth_success',
      service: 'login',
      user: 'root',
      tty: g.tty!.replace(/^\/dev\//, ''),
      ...(g.ip ? { srcIp: normalizeIp(g.ip) } : {}),
    }),
  },
  {
    name: 'logind_new_session',
    services: ['systemd-logind'],
    re: /^New session (?<id>[\w-]+) of user (?<user>.+?)\.?$/,
    fields: (g) => ({ type: 'session_open', service: 'systemd-logind', user: g.user! }),
  },
  {
    // No user on this line: the session number (in the message) pairs it with its opening.
    name: 'logind_removed_session',
    services: ['systemd-logind'],
    re: /^Removed session (?<id>[\w-]+)\.?$/,
    fields: () => ({ type: 'session_close', service: 'systemd-logind' }),
  },
];

/** Drop keys whose value is undefined so events carry only what the line said. */
function compact(f: AuthFields): AuthFields {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as AuthFields;
}

/** The first pattern for this program's service that reads the message, or null. */
export function parseAuthMessage(ident: string, message: string): AuthMatch | null {
  const service = serviceOfIdent(ident);
  if (!service) return null;
  const text = message.trimEnd();
  for (const p of AUTH_PATTERNS) {
    if (!p.services.includes(service)) continue;
    const m = p.re.exec(text);
    if (!m) continue;
    const f = p.fields(m.groups ?? {}, service);
    if (!f) continue;
    const attempt = f.type === 'auth_failure' ? !(p.restates?.(f.service) ?? false) : undefined;
    return { ...compact(f), pattern: p.name, ...(attempt !== undefined ? { attempt } : {}) };
  }
  return null;
}

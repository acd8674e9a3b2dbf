// Authentication traffic for virtual agents, made by the real agent's parser from the lines a
// real sshd / sudo writes, so the simulator's events have exactly the shapes a real agent
// sends (source `auth`, `attempt`, `pattern`, …).
import type { AgentEvent } from '../shared/protocol.js';
import { toAgentEvent } from './security/auth-event.js';
import { parseAuthMessage } from './security/auth-patterns.js';

/** The event the real agent makes of this sshd/sudo line. */
export function authEvent(ident: string, message: string, ts: number, pid: number): AgentEvent {
  const m = parseAuthMessage(ident, message);
  // The lines below are all known shapes; a miss would be a bug in this file.
  if (!m) throw new Error(`sim-security: not an auth line: ${message}`);
  return toAgentEvent(m, { ts, pid, message });
}

export const SPRAY_USERS = [
  'admin',
  'oracle',
  'test',
  'ubuntu',
  'pi',
  'postgres',
  'git',
  'support',
];

export interface BruteForceOptions {
  /** Failed password attempts (each one `Failed password` line, plus the lines around them). */
  attempts: number;
  sourceIp: string;
  /** The attempts end at this time, `spacingMs` apart (default 1.5 s: 10 attempts in 15 s). */
  endTs: number;
  spacingMs?: number;
  random: () => number;
}

/**
 * An SSH password-guessing run from one source: connections of up to 3 attempts (OpenSSH's
 * client default), as invalid users or root, each with sshd's Invalid user / PAM / Failed
 * password / Connection closed lines.
 */
export function bruteForceEvents(o: BruteForceOptions): AgentEvent[] {
  const spacing = o.spacingMs ?? 1_500;
  const out: AgentEvent[] = [];
  let done = 0;
  for (let conn = 0; done < o.attempts; conn++) {
    const tries = Math.min(3, o.attempts - done);
    const pid = 20_000 + Math.floor(o.random() * 40_000);
    const port = 32_768 + Math.floor(o.random() * 28_000);
    const root = o.random() < 0.3;
    const user = root ? 'root' : SPRAY_USERS[Math.floor(o.random() * SPRAY_USERS.length)]!;
    const at = (i: number) => o.endTs - (o.attempts - 1 - i) * spacing;
    const t0 = at(done);
    const ip = o.sourceIp;
    if (!root) out.push(authEvent('sshd', `Invalid user ${user} from ${ip} port ${port}`, t0, pid));
    out.push(
      authEvent(
        'sshd',
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${root ? '  user=root' : ''}`,
        t0,
        pid,
      ),
    );
    for (let i = 0; i < tries; i++)
      out.push(
        authEvent(
          'sshd',
          `Failed password for ${root ? '' : 'invalid user '}${user} from ${ip} port ${port} ssh2`,
          at(done + i),
          pid,
        ),
      );
    const last = at(done + tries - 1);
    out.push(
      authEvent(
        'sshd',
        `Connection closed by ${root ? 'authenticating' : 'invalid'} user ${user} ${ip} port ${port} [preauth]`,
        last,
        pid,
      ),
    );
    if (tries > 1)
      out.push(
        authEvent(
          'sshd',
          `PAM ${tries - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${root ? '  user=root' : ''}`,
          last,
          pid,
        ),
      );
    done += tries;
  }
  return out;
}

/**
 * Staff and the one workstation (or CI runner) each logs in from: people reach hosts in every
 * region from their own machine, so the same user on two continents from one address is normal
 * (and not impossible travel).
 */
const STAFF = [
  { user: 'alice', ip: '10.0.1.11' },
  { user: 'bob', ip: '10.0.2.12' },
  { user: 'deploy', ip: '10.0.3.13' },
];

/**
 * A little normal traffic for one host: a key login and its session, now and then a typo
 * before a successful password login, or an allowed sudo by root. Never enough to detect.
 */
export function authNoiseEvents(ts: number, random: () => number): AgentEvent[] {
  const pid = 10_000 + Math.floor(random() * 20_000);
  const port = 49_152 + Math.floor(random() * 16_000);
  const { user, ip } = STAFF[Math.floor(random() * STAFF.length)]!;
  const roll = random();
  if (roll < 0.6)
    return [
      authEvent('sshd', `Accepted publickey for ${user} from ${ip} port ${port} ssh2`, ts, pid),
      authEvent(
        'sshd',
        `pam_unix(sshd:session): session opened for user ${user}(uid=1000) by (uid=0)`,
        ts,
        pid,
      ),
    ];
  // A typo now and then (one burst in ten): with one workstation address per person, more
  // would make a run of five failures then a success, which is a detection.
  if (roll < 0.7)
    return [
      authEvent(
        'sshd',
        `Failed password for ${user} from ${ip} port ${port} ssh2`,
        ts - 4_000,
        pid,
      ),
      authEvent('sshd', `Accepted password for ${user} from ${ip} port ${port} ssh2`, ts, pid),
    ];
  return [
    authEvent(
      'sudo',
      `root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/systemctl status nginx`,
      ts,
      pid,
    ),
  ];
}

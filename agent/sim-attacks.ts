// The simulator's attack scenarios, as events with exactly the shapes the real agent sends:
// authentication lines go through the real sshd parser (sim-security.ts), the sudoers change
// and the new listener through the FIM and ports collectors' own event builders. Each
// scenario is sized to trip its built-in detection and no other (docs/security.md).
import type { AgentEvent } from '../shared/protocol.js';
import { fimChangeEvent } from './security/fim/fim-event.js';
import { portEvent } from './security/ports/port-event.js';
import { authEvent, SPRAY_USERS } from './sim-security.js';

type Random = () => number;

/**
 * The distributed attempt's attackers, by the region they come from: documentation ranges
 * (RFC 5737, 3849), so simulated data never names a real host. Other scenarios use 192.0.2.x,
 * so one scenario's sources never add up with another's into a detection of their own.
 */
export const ATTACK_SOURCES: Record<string, readonly string[]> = {
  'us-east-1': ['198.51.100.23', '198.51.100.87'],
  'us-west-2': ['198.51.100.140', '198.51.100.201'],
  'eu-west-1': ['203.0.113.14', '203.0.113.77'],
  'ap-northeast-1': ['2001:db8:4a::15', '2001:db8:4a::9c'],
};

const pidOf = (r: Random) => 20_000 + Math.floor(r() * 40_000);
const portOf = (r: Random) => 32_768 + Math.floor(r() * 28_000);

/** One SSH connection with `tries` failed passwords for `user`, as sshd logs it. */
export function failedConnection(
  user: string,
  ip: string,
  ts: number,
  random: Random,
  tries = 1,
  spacingMs = 2_000,
): AgentEvent[] {
  const pid = pidOf(random);
  const port = portOf(random);
  const out = [
    authEvent('sshd', `Invalid user ${user} from ${ip} port ${port}`, ts, pid),
    authEvent(
      'sshd',
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`,
      ts,
      pid,
    ),
  ];
  for (let i = 0; i < tries; i++)
    out.push(
      authEvent(
        'sshd',
        `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`,
        ts + i * spacingMs,
        pid,
      ),
    );
  const end = ts + (tries - 1) * spacingMs;
  out.push(
    authEvent(
      'sshd',
      `Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`,
      end,
      pid,
    ),
  );
  return out;
}

/**
 * A password spray over `hosts` hosts of a region from one source: each host gets two of the
 * common account names, one attempt each, 20 s apart, so every host sees a trickle (no brute
 * force) while the source tries every name in SPRAY_USERS within a few minutes.
 * Returns each host's events.
 */
export function passwordSprayEvents(o: {
  sourceIp: string;
  hosts: number;
  endTs: number;
  random: Random;
}): AgentEvent[][] {
  const perHost: AgentEvent[][] = Array.from({ length: o.hosts }, () => []);
  const tries = Math.max(SPRAY_USERS.length, o.hosts * 2);
  for (let i = 0; i < tries; i++) {
    const user = SPRAY_USERS[i % SPRAY_USERS.length]!;
    const ts = o.endTs - (tries - 1 - i) * 20_000;
    perHost[i % o.hosts]!.push(...failedConnection(user, o.sourceIp, ts, o.random));
  }
  return perHost;
}

/**
 * One account attacked on one host from many sources (a botnet spread over regions): each
 * source tries twice, 30 s apart, so no source is a brute force alone but the account sees
 * every source within minutes.
 */
export function distributedAttemptEvents(o: {
  user: string;
  sources: readonly string[];
  endTs: number;
  random: Random;
}): AgentEvent[] {
  const out: AgentEvent[] = [];
  o.sources.forEach((ip, i) => {
    const ts = o.endTs - (o.sources.length - 1 - i) * 30_000;
    const pid = pidOf(o.random);
    const port = portOf(o.random);
    for (let k = 0; k < 2; k++)
      out.push(
        authEvent(
          'sshd',
          `Failed password for ${o.user} from ${ip} port ${port + k} ssh2`,
          ts + k * 5_000 - 5_000,
          pid,
        ),
      );
  });
  return out;
}

const hex = (random: Random, n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** A file dropped into /etc/sudoers.d granting passwordless root: FIM's `created` event. */
export function sudoersChangeEvent(ts: number, random: Random): AgentEvent {
  return fimChangeEvent(ts, {
    path: '/etc/sudoers.d/90-cloud-init-users',
    change: 'created',
    now: { sha256: hex(random, 64), size: 38 },
  });
}

/** A bind shell: `nc` listening on every address. */
export function newListeningPortEvent(ts: number, random: Random, port = 4444): AgentEvent {
  return portEvent(ts, 'port_open', {
    proto: 'tcp',
    address: '0.0.0.0',
    port,
    process: 'nc',
    pid: pidOf(random),
  });
}

/** A successful password login, as sshd logs it. */
export function loginEvent(user: string, ip: string, ts: number, random: Random): AgentEvent {
  return authEvent(
    'sshd',
    `Accepted password for ${user} from ${ip} port ${portOf(random)} ssh2`,
    ts,
    pidOf(random),
  );
}

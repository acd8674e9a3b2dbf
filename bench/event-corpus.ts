// Synthetic security events for the event benches, seeded: background auth noise from many
// hosts, users and sources, a few brute-force sources, sudo, FIM changes and port changes, in
// the shapes the agent sends (shared/security-events.ts).
import type { StoredEvent } from '../shared/model.js';
import type { AgentEvent } from '../shared/protocol.js';

export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1'];
export const HOSTS = 500;
const USERS = ['root', 'admin', 'ubuntu', 'deploy', 'postgres', 'git', 'oracle', 'test'];

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 4294967296;
}

export const ipOf = (n: number) => `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;

const noiseUser = (source: number) =>
  source % 5 < 3 ? USERS[source % USERS.length]! : `user${source % 300}`;

/** One agent event: mostly auth noise, some from a handful of loud sources. */
/** `loudShare`: the failed logins that come from the 8 loud sources (an attack under way). */
export function agentEvent(rnd: () => number, ts: number, loudShare = 0.2): AgentEvent {
  const r = rnd();
  let user =
    rnd() < 0.6 ? USERS[Math.floor(rnd() * USERS.length)]! : `user${Math.floor(rnd() * 300)}`;
  if (r < 0.55) {
    const loud = rnd() < loudShare;
    const source = loud ? Math.floor(rnd() * 8) : Math.floor(rnd() * 20_000);
    const ip = ipOf(source);
    // Noise: each source keeps to the one account it has wrong (a stale password, a typo).
    // Only the loud sources try many accounts: spraying is the attack, not the background
    // (with random users every noise source sprayed, and raised an alert, within seconds).
    if (!loud) user = noiseUser(source);
    return {
      ts,
      category: 'security',
      severity: 'info',
      source: 'auth',
      message: `Failed password for ${user} from ${ip} port ${1024 + Math.floor(rnd() * 60_000)} ssh2`,
      attributes: {
        'event.type': 'auth_failure',
        service: 'sshd',
        user,
        src_ip: ip,
        attempt: true,
        method: 'password',
      },
    };
  }
  if (r < 0.85) {
    const ip = ipOf(20_000 + Math.floor(rnd() * 2_000));
    return {
      ts,
      category: 'security',
      severity: 'info',
      source: 'auth',
      message: `Accepted publickey for ${user} from ${ip} port 50022 ssh2`,
      attributes: {
        'event.type': 'auth_success',
        service: 'sshd',
        user,
        src_ip: ip,
        method: 'publickey',
      },
    };
  }
  if (r < 0.95)
    return {
      ts,
      category: 'security',
      severity: 'info',
      source: 'auth',
      message: `${user} : TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=/usr/bin/systemctl status nginx`,
      attributes: {
        'event.type': 'sudo',
        service: 'sudo',
        user,
        target_user: 'root',
        command: '/usr/bin/systemctl status nginx',
      },
    };
  if (r < 0.98)
    return {
      ts,
      category: 'change',
      severity: 'warning',
      source: 'fim',
      message: 'modified /etc/hosts',
      attributes: { 'event.type': 'fim_change', path: '/etc/hosts', change: 'modified', size: 220 },
    };
  const port = 1024 + Math.floor(rnd() * 40_000);
  return {
    ts,
    category: 'change',
    severity: 'info',
    source: 'ports',
    message: `tcp port ${port} now listening (python3)`,
    attributes: {
      'event.type': 'port_open',
      port,
      proto: 'tcp',
      process: 'python3',
      bind_address: '0.0.0.0',
    },
  };
}

/** A stored event as the console would keep it, for the query bench. */
export function storedEvent(rnd: () => number, i: number, ts: number): StoredEvent {
  const host = Math.floor(rnd() * HOSTS);
  const e = agentEvent(rnd, ts);
  return {
    id: `evt-${i}`,
    agentId: `agt-${host}`,
    regionId: REGIONS[host % REGIONS.length]!,
    ts,
    receivedAt: ts + 5,
    category: e.category,
    severity: e.severity,
    source: e.source,
    message: e.message,
    attributes: e.attributes ?? {},
  };
}

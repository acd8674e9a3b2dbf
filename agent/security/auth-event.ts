// An authentication event as the agent reports it: the normalized attribute names, and how
// parsed fields become a protocol AgentEvent. The names here are the agent's side of the
// contract with the console's detection rules (the lead reconciles them with shared/).

import type { AgentEvent } from '../../shared/protocol.js';

/** Attribute keys of an authentication event (AgentEvent.attributes). */
export const AUTH_FIELD = {
  type: 'event.type',
  user: 'user',
  srcIp: 'src_ip',
  srcPort: 'src_port',
  method: 'method',
  service: 'service',
  invalidUser: 'invalid_user',
  command: 'command',
  tty: 'tty',
  targetUser: 'target_user',
  pid: 'pid',
} as const;

export type AuthEventType =
  'auth_failure' | 'auth_success' | 'session_open' | 'session_close' | 'sudo';

export type AuthService = 'sshd' | 'sudo' | 'su' | 'login' | 'systemd-logind' | (string & {});

/**
 * What one log line says, before it becomes an AgentEvent. For sudo and su, `user` is who
 * acted and `targetUser` the account they became (or tried to).
 */
export interface AuthFields {
  type: AuthEventType;
  service: AuthService;
  user?: string;
  srcIp?: string;
  srcPort?: number;
  method?: string;
  invalidUser?: boolean;
  command?: string;
  tty?: string;
  targetUser?: string;
}

/** A parsed line: the fields plus the name of the pattern that matched (see auth-patterns.ts). */
export interface AuthMatch extends AuthFields {
  pattern: string;
}

/** The protocol's limits on an event (shared/protocol.ts AgentEvent). */
const MAX_MESSAGE = 4096;
const MAX_ATTRIBUTE = 1024;

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

function severityOf(m: AuthMatch): AgentEvent['severity'] {
  return m.type === 'auth_failure' ? 'warning' : 'info';
}

/**
 * The AgentEvent for a match. `source` is `auth.<pattern name>` so that a rule (or a person)
 * can tell the line shapes apart, e.g. the once-per-connection `Invalid user` line from the
 * per-attempt `Failed password` line, without a field of its own.
 */
export function toAgentEvent(
  m: AuthMatch,
  line: { ts: number; pid?: number; message: string },
): AgentEvent {
  const a: Record<string, string | number | boolean> = {
    [AUTH_FIELD.type]: m.type,
    [AUTH_FIELD.service]: clip(m.service, MAX_ATTRIBUTE),
  };
  const str = (key: string, v: string | undefined) => {
    if (v !== undefined) a[key] = clip(v, MAX_ATTRIBUTE);
  };
  str(AUTH_FIELD.user, m.user);
  str(AUTH_FIELD.srcIp, m.srcIp);
  if (m.srcPort !== undefined) a[AUTH_FIELD.srcPort] = m.srcPort;
  str(AUTH_FIELD.method, m.method);
  if (m.invalidUser !== undefined) a[AUTH_FIELD.invalidUser] = m.invalidUser;
  str(AUTH_FIELD.command, m.command);
  str(AUTH_FIELD.tty, m.tty);
  str(AUTH_FIELD.targetUser, m.targetUser);
  if (line.pid !== undefined) a[AUTH_FIELD.pid] = line.pid;
  return {
    ts: line.ts,
    category: 'security',
    severity: severityOf(m),
    source: `auth.${m.pattern}`,
    message: clip(line.message, MAX_MESSAGE),
    attributes: a,
  };
}

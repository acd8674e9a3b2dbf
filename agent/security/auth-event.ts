// An authentication event as the agent reports it: how parsed fields become a protocol
// AgentEvent. The attribute names and the source are shared/security-events.ts's, the
// contract with the console's detection rules: a renamed field is a compile error here.

import type { AgentEvent } from '../../shared/protocol.js';
import {
  SECURITY_CATEGORIES,
  SECURITY_FIELDS,
  SECURITY_SOURCES,
  type AuthEventType,
} from '../../shared/security-events.js';

export type { AuthEventType };

/** Attribute keys of an authentication event (AgentEvent.attributes). */
export const AUTH_FIELD = {
  type: SECURITY_FIELDS.eventType,
  user: SECURITY_FIELDS.user,
  srcIp: SECURITY_FIELDS.srcIp,
  srcPort: SECURITY_FIELDS.srcPort,
  method: SECURITY_FIELDS.method,
  service: SECURITY_FIELDS.service,
  invalidUser: SECURITY_FIELDS.invalidUser,
  attempt: SECURITY_FIELDS.attempt,
  command: SECURITY_FIELDS.command,
  tty: SECURITY_FIELDS.tty,
  targetUser: SECURITY_FIELDS.targetUser,
  pid: SECURITY_FIELDS.pid,
  pattern: SECURITY_FIELDS.pattern,
} as const;

/** The agent also reads lines the shared list does not name yet (a PAM service of its own). */
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

/**
 * A parsed line: the fields, the name of the pattern that matched (see auth-patterns.ts) and,
 * for a failure, whether the line is the one per failed attempt (false: it restates one).
 */
export interface AuthMatch extends AuthFields {
  pattern: string;
  attempt?: boolean;
}

/** The protocol's limits on an event (shared/protocol.ts AgentEvent). */
const MAX_MESSAGE = 4096;
const MAX_ATTRIBUTE = 1024;

const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

function severityOf(m: AuthMatch): AgentEvent['severity'] {
  return m.type === 'auth_failure' ? 'warning' : 'info';
}

/**
 * The AgentEvent for a match. `source` is `auth` (shared SECURITY_SOURCES); the `pattern`
 * attribute names the line shape, and a failure's `attempt` says whether it is the line per
 * failed attempt, so a rule counting failures counts each attempt once.
 */
export function toAgentEvent(
  m: AuthMatch,
  line: { ts: number; pid?: number; message: string },
): AgentEvent {
  const a: Record<string, string | number | boolean> = {
    [AUTH_FIELD.type]: m.type,
    [AUTH_FIELD.service]: clip(m.service, MAX_ATTRIBUTE),
    [AUTH_FIELD.pattern]: m.pattern,
  };
  const str = (key: string, v: string | undefined) => {
    if (v !== undefined) a[key] = clip(v, MAX_ATTRIBUTE);
  };
  str(AUTH_FIELD.user, m.user);
  str(AUTH_FIELD.srcIp, m.srcIp);
  if (m.srcPort !== undefined) a[AUTH_FIELD.srcPort] = m.srcPort;
  str(AUTH_FIELD.method, m.method);
  if (m.invalidUser !== undefined) a[AUTH_FIELD.invalidUser] = m.invalidUser;
  if (m.type === 'auth_failure') a[AUTH_FIELD.attempt] = m.attempt ?? true;
  str(AUTH_FIELD.command, m.command);
  str(AUTH_FIELD.tty, m.tty);
  str(AUTH_FIELD.targetUser, m.targetUser);
  if (line.pid !== undefined) a[AUTH_FIELD.pid] = line.pid;
  return {
    ts: line.ts,
    category: SECURITY_CATEGORIES.auth,
    severity: severityOf(m),
    source: SECURITY_SOURCES.auth,
    message: clip(line.message, MAX_MESSAGE),
    attributes: a,
  };
}

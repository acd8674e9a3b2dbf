// The normalized security events: what the agent puts in an `events` message's attributes and
// what the console's detection rules (Sigma YAML) match on. One list, shared by agent and core,
// so a renamed field is a compile error rather than a detection that silently never fires.
// docs/security.md describes each field.

/** `AgentEvent.source` of each security collector. */
export const SECURITY_SOURCES = {
  /** Authentication: sshd, sudo, su, login (journald or auth.log). */
  auth: 'auth',
  /** File integrity monitoring. */
  fim: 'fim',
  /** Listening sockets. */
  ports: 'ports',
} as const;
export type SecuritySource = (typeof SECURITY_SOURCES)[keyof typeof SECURITY_SOURCES];

/** Attribute names (keys of `AgentEvent.attributes`). */
export const SECURITY_FIELDS = {
  /** What happened: one of AUTH_EVENT_TYPES, FIM_EVENT_TYPES or PORT_EVENT_TYPES. */
  eventType: 'event.type',
  // auth
  /** The account logging in (or running sudo). */
  user: 'user',
  /** The remote address (IPv4 or IPv6), absent for local logins. */
  srcIp: 'src_ip',
  /** How: password, publickey, keyboard-interactive, … */
  method: 'method',
  /** The program that logged it: one of AUTH_SERVICES. */
  service: 'service',
  /** sudo: the command line run. */
  command: 'command',
  /** sudo/su: the account switched to. */
  targetUser: 'target_user',
  /** auth_failure: the user does not exist on the host ("Invalid user"). */
  invalidUser: 'invalid_user',
  /**
   * auth_failure: true on the one line per failed attempt (sshd's `Failed password`, su's
   * `FAILED su`, …), false on the lines that restate it (sshd's `Invalid user` and
   * `Connection closed … [preauth]`, PAM's `authentication failure` and `N more`). Rules that
   * count failures select `attempt: true`, so one attempt counts once.
   */
  attempt: 'attempt',
  /** The remote port (a number). */
  srcPort: 'src_port',
  /** The terminal (pts/0, tty1, ssh). */
  tty: 'tty',
  /** The logging process's id (a number). */
  pid: 'pid',
  /** Which line shape the agent read (its pattern name: sshd_failed, pam_auth_failure, …). */
  pattern: 'pattern',
  // fim
  /** The file. */
  path: 'path',
  /** created, modified or deleted. */
  change: 'change',
  /** Hex SHA-256 before the change; absent when created. */
  oldSha256: 'old_sha256',
  /** Hex SHA-256 after the change; absent when deleted. */
  newSha256: 'new_sha256',
  /** Size in bytes after the change. */
  size: 'size',
  /** fim_unreadable: why the path cannot be read (EACCES, EIO, not a regular file). */
  error: 'error',
  // ports
  /** The port number (a number). */
  port: 'port',
  /** tcp, tcp6, udp, udp6. */
  proto: 'proto',
  /** The listening process's name, where the agent may see it. */
  process: 'process',
  /** The address it listens on (0.0.0.0, ::, 127.0.0.1, …). */
  bindAddress: 'bind_address',
} as const;
export type SecurityField = (typeof SECURITY_FIELDS)[keyof typeof SECURITY_FIELDS];

export const AUTH_EVENT_TYPES = [
  'auth_failure',
  'auth_success',
  'session_open',
  'session_close',
  'sudo',
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

export const AUTH_SERVICES = ['sshd', 'sudo', 'su', 'login', 'systemd-logind'] as const;
export type AuthService = (typeof AUTH_SERVICES)[number];

/** fim_unreadable: sent once when a watched path cannot be read, not again until it could be. */
export const FIM_EVENT_TYPES = ['fim_change', 'fim_unreadable'] as const;
export const FIM_CHANGES = ['created', 'modified', 'deleted'] as const;
export type FimChange = (typeof FIM_CHANGES)[number];

export const PORT_EVENT_TYPES = ['port_open', 'port_close'] as const;
export type PortEventType = (typeof PORT_EVENT_TYPES)[number];

/** `AgentEvent.category` each collector sends. */
export const SECURITY_CATEGORIES = {
  auth: 'security',
  fim: 'change',
  ports: 'change',
} as const satisfies Record<SecuritySource, 'security' | 'log' | 'change'>;

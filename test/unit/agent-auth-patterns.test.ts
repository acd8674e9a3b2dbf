import { describe, expect, it } from 'vitest';
import {
  AUTH_PATTERNS,
  normalizeIp,
  parseAuthMessage,
} from '../../agent/security/auth-patterns.js';
import { toAgentEvent } from '../../agent/security/auth-event.js';
import { AgentEvent } from '../../shared/protocol.js';
import { Value } from '@sinclair/typebox/value';

/** [ident, message, expected pattern, expected fields] — real-looking lines, one or more per pattern. */
const CASES: [string, string, string, Record<string, unknown>][] = [
  [
    'sshd',
    'Accepted password for alice from 203.0.113.5 port 52144 ssh2',
    'sshd_accepted',
    {
      type: 'auth_success',
      service: 'sshd',
      user: 'alice',
      srcIp: '203.0.113.5',
      srcPort: 52144,
      method: 'password',
    },
  ],
  [
    'sshd-session',
    'Accepted publickey for deploy from 2001:db8::1 port 50022 ssh2: ED25519 SHA256:3bX5yq0aKk0mW1c3V7n9vJpQ2rT8uZs4LxYe6fHdG1o',
    'sshd_accepted',
    {
      type: 'auth_success',
      service: 'sshd',
      user: 'deploy',
      srcIp: '2001:db8::1',
      srcPort: 50022,
      method: 'publickey',
    },
  ],
  [
    'sshd',
    'Accepted keyboard-interactive/pam for bob from ::1 port 40112 ssh2',
    'sshd_accepted',
    {
      type: 'auth_success',
      service: 'sshd',
      user: 'bob',
      srcIp: '::1',
      srcPort: 40112,
      method: 'keyboard-interactive',
    },
  ],
  [
    'sshd',
    'Failed password for root from 198.51.100.23 port 39212 ssh2',
    'sshd_failed',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: true,
      user: 'root',
      srcIp: '198.51.100.23',
      srcPort: 39212,
      method: 'password',
      invalidUser: false,
    },
  ],
  [
    'sshd',
    'Failed password for invalid user admin from ::ffff:10.0.0.1 port 22 ssh2',
    'sshd_failed',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: true,
      user: 'admin',
      srcIp: '10.0.0.1',
      srcPort: 22,
      method: 'password',
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'Failed none for invalid user  from 192.0.2.9 port 61000 ssh2',
    'sshd_failed',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: true,
      user: '',
      srcIp: '192.0.2.9',
      srcPort: 61000,
      method: 'none',
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'Invalid user oracle from 2001:db8:85a3::8a2e:370:7334 port 51514',
    'sshd_invalid_user',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'oracle',
      srcIp: '2001:db8:85a3::8a2e:370:7334',
      srcPort: 51514,
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'Invalid user test from 192.0.2.44',
    'sshd_invalid_user',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'test',
      srcIp: '192.0.2.44',
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'Connection closed by authenticating user root 203.0.113.77 port 44310 [preauth]',
    'sshd_closed_preauth',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'root',
      srcIp: '203.0.113.77',
      srcPort: 44310,
      invalidUser: false,
    },
  ],
  [
    'sshd',
    'Connection closed by invalid user ubnt 2001:db8::beef port 33000 [preauth]',
    'sshd_closed_preauth',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'ubnt',
      srcIp: '2001:db8::beef',
      srcPort: 33000,
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'error: maximum authentication attempts exceeded for root from 198.51.100.23 port 39212 ssh2 [preauth]',
    'sshd_max_attempts',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'root',
      srcIp: '198.51.100.23',
      srcPort: 39212,
      invalidUser: false,
    },
  ],
  [
    'sshd',
    'error: maximum authentication attempts exceeded for invalid user pi from 192.0.2.7 port 5222 ssh2 [preauth]',
    'sshd_max_attempts',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'pi',
      srcIp: '192.0.2.7',
      srcPort: 5222,
      invalidUser: true,
    },
  ],
  [
    'sshd',
    'Disconnecting authenticating user root 198.51.100.23 port 39212: Too many authentication failures [preauth]',
    'sshd_too_many_failures',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'root',
      srcIp: '198.51.100.23',
      srcPort: 39212,
      invalidUser: false,
    },
  ],
  [
    'sshd',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.23  user=root',
    'pam_auth_failure',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'root',
      srcIp: '198.51.100.23',
      tty: 'ssh',
      method: 'password',
    },
  ],
  [
    'sshd',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::1',
    'pam_auth_failure',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      srcIp: '2001:db8::1',
      tty: 'ssh',
      method: 'password',
    },
  ],
  [
    'sudo',
    'pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice',
    'pam_auth_failure',
    {
      type: 'auth_failure',
      service: 'sudo',
      attempt: true,
      user: 'alice',
      targetUser: 'alice',
      tty: 'pts/0',
      method: 'password',
    },
  ],
  [
    'su',
    'pam_unix(su:auth): authentication failure; logname=bob uid=1001 euid=0 tty=pts/1 ruser=bob rhost=  user=root',
    'pam_auth_failure',
    {
      type: 'auth_failure',
      service: 'su',
      attempt: false,
      user: 'bob',
      targetUser: 'root',
      tty: 'pts/1',
      method: 'password',
    },
  ],
  [
    'sshd',
    'PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.23  user=root',
    'pam_more_failures',
    {
      type: 'auth_failure',
      service: 'sshd',
      attempt: false,
      user: 'root',
      srcIp: '198.51.100.23',
      method: 'password',
    },
  ],
  [
    'sshd',
    'pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
    'pam_session_opened',
    { type: 'session_open', service: 'sshd', user: 'alice' },
  ],
  [
    'sshd',
    'pam_unix(sshd:session): session opened for user alice by (uid=0)',
    'pam_session_opened',
    { type: 'session_open', service: 'sshd', user: 'alice' },
  ],
  [
    'sshd',
    'pam_unix(sshd:session): session closed for user alice',
    'pam_session_closed',
    { type: 'session_close', service: 'sshd', user: 'alice' },
  ],
  [
    'su',
    'pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)',
    'pam_session_opened',
    { type: 'session_open', service: 'su', user: 'alice', targetUser: 'root' },
  ],
  [
    'su',
    'pam_unix(su-l:session): session closed for user root',
    'pam_session_closed',
    { type: 'session_close', service: 'su', targetUser: 'root' },
  ],
  [
    'sudo',
    'pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)',
    'pam_session_opened',
    { type: 'session_open', service: 'sudo', user: 'alice', targetUser: 'root' },
  ],
  [
    'sudo',
    'alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx',
    'sudo_command',
    {
      type: 'sudo',
      service: 'sudo',
      user: 'alice',
      tty: 'pts/0',
      targetUser: 'root',
      command: '/usr/bin/systemctl restart nginx',
    },
  ],
  [
    'sudo',
    "    bob : TTY=pts/3 ; PWD=/srv/app ; USER=postgres ; ENV=PGDATA=/var/lib/pg ; COMMAND=/bin/sh -c 'echo a ; echo b; rm -rf /tmp/x ; id'",
    'sudo_command',
    {
      type: 'sudo',
      service: 'sudo',
      user: 'bob',
      tty: 'pts/3',
      targetUser: 'postgres',
      command: "/bin/sh -c 'echo a ; echo b; rm -rf /tmp/x ; id'",
    },
  ],
  [
    'sudo',
    'deploy : TTY=unknown ; PWD=/ ; USER=root ; GROUP=adm ; COMMAND=/usr/bin/tail -n 50 /var/log/syslog',
    'sudo_command',
    {
      type: 'sudo',
      service: 'sudo',
      user: 'deploy',
      tty: 'unknown',
      targetUser: 'root',
      command: '/usr/bin/tail -n 50 /var/log/syslog',
    },
  ],
  [
    'sudo',
    'alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt install nmap',
    'sudo_incorrect_password',
    {
      type: 'auth_failure',
      service: 'sudo',
      attempt: false,
      user: 'alice',
      tty: 'pts/0',
      targetUser: 'root',
      command: '/usr/bin/apt install nmap',
      method: 'password',
    },
  ],
  [
    'sudo',
    'alice : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
    'sudo_incorrect_password',
    {
      type: 'auth_failure',
      service: 'sudo',
      attempt: false,
      user: 'alice',
      tty: 'pts/0',
      targetUser: 'root',
      command: '/usr/bin/id',
      method: 'password',
    },
  ],
  [
    'sudo',
    'mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/cat /etc/shadow',
    'sudo_not_in_sudoers',
    {
      type: 'auth_failure',
      service: 'sudo',
      attempt: true,
      user: 'mallory',
      tty: 'pts/1',
      targetUser: 'root',
      command: '/bin/cat /etc/shadow',
    },
  ],
  [
    'sudo',
    'carol : command not allowed ; TTY=pts/2 ; PWD=/home/carol ; USER=root ; COMMAND=/usr/bin/vim /etc/sudoers',
    'sudo_command_not_allowed',
    {
      type: 'auth_failure',
      service: 'sudo',
      attempt: true,
      user: 'carol',
      tty: 'pts/2',
      targetUser: 'root',
      command: '/usr/bin/vim /etc/sudoers',
    },
  ],
  [
    'su',
    'FAILED su for root by alice',
    'su_failed',
    { type: 'auth_failure', service: 'su', attempt: true, user: 'alice', targetUser: 'root' },
  ],
  [
    'su',
    'FAILED SU (to root) alice on pts/0',
    'su_failed_tty',
    {
      type: 'auth_failure',
      service: 'su',
      attempt: true,
      user: 'alice',
      targetUser: 'root',
      tty: 'pts/0',
    },
  ],
  [
    'su',
    'Successful su for root by alice',
    'su_success',
    { type: 'auth_success', service: 'su', user: 'alice', targetUser: 'root' },
  ],
  [
    'su',
    '(to postgres) alice on pts/4',
    'su_success_tty',
    { type: 'auth_success', service: 'su', user: 'alice', targetUser: 'postgres', tty: 'pts/4' },
  ],
  [
    'login',
    "FAILED LOGIN (1) on '/dev/tty1' FOR 'UNKNOWN', Authentication failure",
    'login_failed',
    { type: 'auth_failure', service: 'login', attempt: true, user: 'UNKNOWN', tty: 'tty1' },
  ],
  [
    'login',
    'FAILED LOGIN 2 FROM tty2 FOR root, Authentication failure',
    'login_failed',
    { type: 'auth_failure', service: 'login', attempt: true, user: 'root', tty: 'tty2' },
  ],
  [
    'login',
    "ROOT LOGIN  on '/dev/tty1'",
    'login_root',
    { type: 'auth_success', service: 'login', user: 'root', tty: 'tty1' },
  ],
  [
    'systemd-logind',
    'New session 42 of user alice.',
    'logind_new_session',
    { type: 'session_open', service: 'systemd-logind', user: 'alice' },
  ],
  [
    'systemd-logind',
    'New session c7 of user john.doe.',
    'logind_new_session',
    { type: 'session_open', service: 'systemd-logind', user: 'john.doe' },
  ],
  [
    'systemd-logind',
    'Removed session 42.',
    'logind_removed_session',
    { type: 'session_close', service: 'systemd-logind' },
  ],
];

describe('auth patterns', () => {
  it.each(CASES)('%s: %s', (ident, message, pattern, fields) => {
    expect(parseAuthMessage(ident, message)).toEqual({ ...fields, pattern });
  });

  it('every pattern in the table has at least one line above', () => {
    const covered = new Set(CASES.map((c) => c[2]));
    expect(AUTH_PATTERNS.map((p) => p.name).filter((n) => !covered.has(n))).toEqual([]);
    expect(new Set(AUTH_PATTERNS.map((p) => p.name)).size).toBe(AUTH_PATTERNS.length);
  });

  it.each([
    ['sshd', 'Received disconnect from 203.0.113.5 port 52144:11: disconnected by user'],
    ['sshd', 'Server listening on 0.0.0.0 port 22.'],
    ['sshd', 'Connection from 203.0.113.5 port 52144 on 10.0.0.2 port 22 rdomain ""'],
    ['systemd-logind', 'Session 42 logged out. Waiting for processes to exit.'],
    ['sudo', 'alice : a password is required'],
    // A PAM session of a service that is not ours (cron floods auth.log once a minute).
    ['sshd', 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)'],
    // The right words under a program that is not an auth service.
    ['CRON', 'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)'],
    ['nginx', 'Accepted password for alice from 203.0.113.5 port 52144 ssh2'],
    ['sshd', ''],
  ])('%s: %j is not an auth event', (ident, message) => {
    expect(parseAuthMessage(ident, message)).toBeNull();
  });

  it('a user name that imitates the line tail cannot forge the source address', () => {
    // sshd logs the name the client sent; the real source is the last "from IP port N".
    const forged = 'x from 192.0.2.66 port 1';
    expect(
      parseAuthMessage(
        'sshd',
        `Failed password for invalid user ${forged} from 203.0.113.5 port 4022 ssh2`,
      ),
    ).toMatchObject({ user: forged, srcIp: '203.0.113.5', srcPort: 4022 });
    expect(
      parseAuthMessage('sshd', `Invalid user ${forged} from 203.0.113.5 port 4022`),
    ).toMatchObject({
      user: forged,
      srcIp: '203.0.113.5',
      srcPort: 4022,
    });
  });

  it('IPv4-mapped IPv6 sources become IPv4; other addresses and host names stay as written', () => {
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeIp('scanner.example.net')).toBe('scanner.example.net');
  });

  it('an event carries the normalized attribute names and fits the protocol schema', () => {
    const m = parseAuthMessage(
      'sshd',
      'Failed password for invalid user admin from 2001:db8::1 port 4022 ssh2',
    )!;
    const e = toAgentEvent(m, { ts: 1_764_490_321_000, pid: 1234, message: 'Failed password …' });
    expect(e).toEqual({
      ts: 1_764_490_321_000,
      category: 'security',
      severity: 'warning',
      source: 'auth',
      message: 'Failed password …',
      attributes: {
        'event.type': 'auth_failure',
        service: 'sshd',
        pattern: 'sshd_failed',
        attempt: true,
        user: 'admin',
        src_ip: '2001:db8::1',
        src_port: 4022,
        method: 'password',
        invalid_user: true,
        pid: 1234,
      },
    });
    expect(Value.Check(AgentEvent, e)).toBe(true);
    const sudo = parseAuthMessage(
      'sudo',
      `alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo ${'x'.repeat(3000)}`,
    )!;
    const long = toAgentEvent(sudo, { ts: 1, message: 'y'.repeat(5000) });
    expect(long.severity).toBe('info');
    expect((long.attributes!.command as string).length).toBe(1024);
    expect(Value.Check(AgentEvent, long)).toBe(true);
  });
});

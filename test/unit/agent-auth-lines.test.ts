import { describe, expect, it } from 'vitest';
import {
  authEventFromLine,
  parseIsoTimestamp,
  parseJournalJson,
  parseSyslogLine,
} from '../../agent/security/auth-line.js';

// 2026-11-30T09:00:00Z: the agent's clock in these tests.
const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);

describe('auth log line formats', () => {
  it('classic syslog: year from the clock, time in the agent zone', () => {
    const utc = parseSyslogLine(
      'Nov 30 08:12:01 web-1 sshd[1234]: Failed password for root from 192.0.2.1 port 22 ssh2',
      {
        timeZone: 'UTC',
        now: NOW,
      },
    );
    expect(utc).toEqual({
      ts: Date.UTC(2026, 10, 30, 8, 12, 1),
      host: 'web-1',
      ident: 'sshd',
      pid: 1234,
      message: 'Failed password for root from 192.0.2.1 port 22 ssh2',
    });
    // Berlin is UTC+1 in November; a single-digit day is padded with a second space.
    const berlin = parseSyslogLine(
      'Nov  3 08:12:01 web-1 sudo:   alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/id',
      {
        timeZone: 'Europe/Berlin',
        now: NOW,
      },
    );
    expect(berlin?.ts).toBe(Date.UTC(2026, 10, 3, 7, 12, 1));
    expect(berlin?.ident).toBe('sudo');
    expect(berlin?.pid).toBeUndefined();
    // Summer time: +2.
    expect(
      parseSyslogLine('Jul 14 12:00:00 h su[9]: x', { timeZone: 'Europe/Berlin', now: NOW })?.ts,
    ).toBe(Date.UTC(2026, 6, 14, 10, 0, 0));
  });

  it('classic syslog: a December line read in January is last year; a given year wins', () => {
    const jan2 = Date.UTC(2027, 0, 2, 0, 0, 0);
    expect(
      parseSyslogLine('Dec 31 23:59:59 h sshd[1]: x', { timeZone: 'UTC', now: jan2 })?.ts,
    ).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(
      parseSyslogLine('Dec 31 23:59:59 h sshd[1]: x', { timeZone: 'UTC', now: jan2, year: 2024 })
        ?.ts,
    ).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
  });

  it('RFC 3339 file format (rsyslog) with microseconds and offsets', () => {
    const l = parseSyslogLine(
      '2026-11-30T08:12:01.123456+00:00 db-2 sshd-session[77]: Accepted publickey for deploy from 2001:db8::1 port 50022 ssh2',
      { timeZone: 'Asia/Tokyo', now: NOW },
    );
    expect(l).toMatchObject({
      ts: Date.UTC(2026, 10, 30, 8, 12, 1, 123),
      host: 'db-2',
      ident: 'sshd-session',
      pid: 77,
    });
    expect(parseIsoTimestamp('2026-11-30T10:12:01.5+02:00')).toBe(
      Date.UTC(2026, 10, 30, 8, 12, 1, 500),
    );
    expect(parseIsoTimestamp('2026-11-30T03:12:01-0500')).toBe(Date.UTC(2026, 10, 30, 8, 12, 1));
    expect(parseIsoTimestamp('2026-11-30 08:12:01')).toBeNull();
  });

  it('RFC 5424 with and without structured data', () => {
    const l = parseSyslogLine(
      '<38>1 2026-11-30T08:12:01.000Z web-1 sshd 1234 - - Invalid user test from ::1 port 2222',
      {
        timeZone: 'UTC',
        now: NOW,
      },
    );
    expect(l).toEqual({
      ts: Date.UTC(2026, 10, 30, 8, 12, 1),
      host: 'web-1',
      ident: 'sshd',
      pid: 1234,
      message: 'Invalid user test from ::1 port 2222',
    });
    const sd = parseSyslogLine(
      '<86>1 2026-11-30T08:12:01Z web-1 sudo - - [meta seq="1" note="a \\] b"] alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls',
      { timeZone: 'UTC', now: NOW },
    );
    expect(sd?.pid).toBeUndefined();
    expect(sd?.message).toBe('alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls');
  });

  it('lines in no known format are null', () => {
    for (const text of [
      '',
      'hello',
      'Foo 30 08:12:01 h sshd[1]: x',
      '2026-13-45Tnope h sshd[1]: x',
    ])
      expect(parseSyslogLine(text, { timeZone: 'UTC', now: NOW })).toBeNull();
  });

  it('journald JSON: µs timestamp, identifier, pid, MESSAGE as a string or as bytes', () => {
    const rec = {
      __REALTIME_TIMESTAMP: '1764490321123456',
      _HOSTNAME: 'web-1',
      SYSLOG_IDENTIFIER: 'sshd',
      _PID: '1234',
      MESSAGE: 'Failed password for invalid user admin from 2001:db8::1 port 4022 ssh2',
    };
    expect(parseJournalJson(JSON.stringify(rec))).toEqual({
      ts: 1_764_490_321_123,
      host: 'web-1',
      ident: 'sshd',
      pid: 1234,
      message: rec.MESSAGE,
    });
    // journald writes a message with a non-UTF-8 byte (an attacker's user name) as a byte array.
    const bytes = [
      ...Buffer.from('Invalid user b'),
      0xff,
      ...Buffer.from('d from 192.0.2.5 port 4000'),
    ];
    const fromBytes = parseJournalJson(
      JSON.stringify({ ...rec, MESSAGE: bytes, SYSLOG_IDENTIFIER: undefined, _COMM: 'sshd' }),
    );
    expect(fromBytes?.message).toBe('Invalid user b\uFFFDd from 192.0.2.5 port 4000');
    const ev = authEventFromLine(fromBytes!);
    expect(ev?.attributes).toMatchObject({
      'event.type': 'auth_failure',
      user: 'b\uFFFDd',
      src_ip: '192.0.2.5',
      invalid_user: true,
    });
    // A repeated field is an array of its values: the first counts.
    expect(
      parseJournalJson(JSON.stringify({ ...rec, SYSLOG_IDENTIFIER: ['sudo', 'x'] }))?.ident,
    ).toBe('sudo');
  });

  it('journald JSON that is not a usable record is null', () => {
    for (const text of [
      'not json',
      '[]',
      'null',
      JSON.stringify({ MESSAGE: 'x', SYSLOG_IDENTIFIER: 'sshd' }),
      JSON.stringify({ __REALTIME_TIMESTAMP: 'soon', MESSAGE: 'x', SYSLOG_IDENTIFIER: 'sshd' }),
      JSON.stringify({ __REALTIME_TIMESTAMP: '1', MESSAGE: null, SYSLOG_IDENTIFIER: 'sshd' }),
    ])
      expect(parseJournalJson(text)).toBeNull();
  });

  it('a line becomes an event with its time and pid; a line that is not auth is null', () => {
    const l = parseSyslogLine(
      'Nov 30 08:12:01 web-1 systemd-logind[512]: New session 42 of user alice.',
      {
        timeZone: 'UTC',
        now: NOW,
      },
    )!;
    expect(authEventFromLine(l)).toMatchObject({
      ts: Date.UTC(2026, 10, 30, 8, 12, 1),
      source: 'auth',
      attributes: {
        pattern: 'logind_new_session',
        'event.type': 'session_open',
        user: 'alice',
        service: 'systemd-logind',
        pid: 512,
      },
    });
    const cron = parseSyslogLine(
      'Nov 30 08:17:01 web-1 CRON[999]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      {
        timeZone: 'UTC',
        now: NOW,
      },
    )!;
    expect(authEventFromLine(cron)).toBeNull();
  });
});

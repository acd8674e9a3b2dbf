import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthEventSource, chooseAuthSource } from '../../agent/security/auth-source.js';
import { journalctlArgs, JournaldSource } from '../../agent/security/journald-source.js';
import { ManualClock, systemClock } from '../../shared/clock.js';
import { waitFor } from '../helpers/core.js';

let dir: string;
const stopMe: { stop(): unknown }[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-authsrc-'));
});
afterEach(async () => {
  for (const s of stopMe.splice(0)) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

const journalRecord = (cursor: string, ident: string, message: string | number[], pid = 4242) =>
  JSON.stringify({
    __CURSOR: cursor,
    __REALTIME_TIMESTAMP: '1764490321123456',
    _HOSTNAME: 'web-1',
    SYSLOG_IDENTIFIER: ident,
    _PID: String(pid),
    MESSAGE: message,
  });

/**
 * A stand-in `journalctl` (journald cannot run here): a real executable that answers
 * --version, appends its argv to args.log, prints run N's lines from feed-N.txt, then exits
 * with code 1 when exit-N exists or stays alive until killed.
 */
async function standInJournalctl(runs: { lines: string[]; exit: boolean }[]): Promise<string> {
  const bin = join(dir, 'journalctl-standin');
  for (const [i, r] of runs.entries()) {
    await writeFile(join(dir, `feed-${i + 1}.txt`), r.lines.map((l) => l + '\n').join(''));
    if (r.exit) await writeFile(join(dir, `exit-${i + 1}`), '');
  }
  await writeFile(
    bin,
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const dir = ${JSON.stringify(dir)};
const args = process.argv.slice(2);
if (args[0] === '--version') { console.log('systemd 257 (stand-in)'); process.exit(0); }
fs.appendFileSync(path.join(dir, 'args.log'), JSON.stringify(args) + '\\n');
const run = fs.readFileSync(path.join(dir, 'args.log'), 'utf8').trim().split('\\n').length;
const feed = path.join(dir, 'feed-' + run + '.txt');
if (fs.existsSync(feed)) process.stdout.write(fs.readFileSync(feed));
if (fs.existsSync(path.join(dir, 'exit-' + run))) {
  process.stderr.write('Failed to follow journal: stand-in told to fail\\n');
  process.exitCode = 1;
} else setInterval(() => {}, 1000);
`,
  );
  await chmod(bin, 0o755);
  return bin;
}

const argsSeen = async () =>
  (await readFile(join(dir, 'args.log'), 'utf8').catch(() => ''))
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);

describe('journald source', () => {
  it('journalctl argv: follow, JSON, only new lines, the auth programs', () => {
    expect(journalctlArgs(null)).toEqual([
      '-f',
      '-o',
      'json',
      '--since',
      'now',
      '-t',
      'sshd',
      '-t',
      'sshd-session',
      '-t',
      'sshd-auth',
      '-t',
      'sudo',
      '-t',
      'su',
      '-t',
      'login',
      '-t',
      'systemd-logind',
    ]);
    expect(journalctlArgs('s=abc;i=1')).toContain('--after-cursor=s=abc;i=1');
    expect(journalctlArgs('s=abc;i=1')).not.toContain('--since');
  });

  it('reads records from the stand-in journalctl into normalized events', async () => {
    const bin = await standInJournalctl([
      {
        lines: [
          journalRecord(
            'c1',
            'sshd',
            'Failed password for invalid user admin from 2001:db8::1 port 4022 ssh2',
          ),
          'this is not json',
          journalRecord('c2', 'sshd', [
            ...Buffer.from('Accepted publickey for dep'),
            0xff,
            ...Buffer.from(' from ::1 port 5 ssh2'),
          ]),
          journalRecord(
            'c3',
            'sudo',
            'alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh -c "a ; b"',
          ),
          journalRecord('c4', 'sshd', 'Server listening on :: port 22.'),
        ],
        exit: false,
      },
    ]);
    await mkdir(join(dir, 'journal'));
    const notices: string[] = [];
    let woken = 0;
    const src = await AuthEventSource.start({
      clock: systemClock,
      journalctl: bin,
      journalDirs: [join(dir, 'journal')],
      onNotice: (n) => notices.push(n),
      onEvents: () => woken++,
    });
    stopMe.push(src);
    expect(src.choice).toEqual({ kind: 'journald', binary: bin });
    await waitFor(() => src.pending === 3, undefined, 'three events from the stand-in journalctl');
    const events = src.take(10);
    expect(events.map((e) => e.attributes)).toEqual([
      {
        'event.type': 'auth_failure',
        service: 'sshd',
        user: 'admin',
        src_ip: '2001:db8::1',
        src_port: 4022,
        method: 'password',
        invalid_user: true,
        attempt: true,
        pattern: 'sshd_failed',
        pid: 4242,
      },
      {
        'event.type': 'auth_success',
        service: 'sshd',
        user: 'dep\uFFFD',
        src_ip: '::1',
        src_port: 5,
        method: 'publickey',
        pattern: 'sshd_accepted',
        pid: 4242,
      },
      {
        'event.type': 'sudo',
        service: 'sudo',
        user: 'alice',
        tty: 'pts/0',
        target_user: 'root',
        command: '/bin/sh -c "a ; b"',
        pattern: 'sudo_command',
        pid: 4242,
      },
    ]);
    expect(events[0]!.ts).toBe(1_764_490_321_123);
    expect(woken).toBe(1);
    expect((await argsSeen())[0]).toEqual(journalctlArgs(null));
    expect(notices).toEqual([`authentication events from journald (${bin})`]);
    expect(src.stats()).toMatchObject({ kind: 'journald', events: 3, lines: 4, dropped: 0 });
  });

  it('restarts journalctl after it exits, after a delay on the clock, from the last cursor', async () => {
    const bin = await standInJournalctl([
      {
        lines: [
          journalRecord('c1', 'sshd', 'Invalid user a from 192.0.2.1'),
          journalRecord('c2', 'sshd', 'Invalid user b from 192.0.2.1'),
        ],
        exit: true,
      },
      { lines: [journalRecord('c3', 'sshd', 'Invalid user c from 192.0.2.1')], exit: false },
    ]);
    const clock = new ManualClock();
    const records: string[] = [];
    const notices: string[] = [];
    const j = new JournaldSource({
      clock,
      binary: bin,
      onRecord: (r) => records.push((r as { __CURSOR: string }).__CURSOR),
      onNotice: (n) => notices.push(n),
      restartDelayMs: 1000,
    });
    stopMe.push(j);
    j.start();
    await waitFor(() => notices.length === 1, undefined, 'the exit notice');
    expect(records).toEqual(['c1', 'c2']);
    expect(notices[0]).toBe(
      `${bin} exited with code 1 (Failed to follow journal: stand-in told to fail); restarting in 1 s`,
    );
    expect(j.restarts).toBe(0);
    clock.advance(999);
    expect(j.restarts).toBe(0);
    clock.advance(1);
    await waitFor(() => records.length === 3, undefined, 'the record after the restart');
    expect(records).toEqual(['c1', 'c2', 'c3']);
    const argv = await argsSeen();
    expect(argv[1]).toEqual(journalctlArgs('c2'));
    expect(j.restarts).toBe(1);
  });

  it('a journalctl that keeps dying without output backs off, doubling the delay', async () => {
    const clock = new ManualClock();
    const notices: string[] = [];
    const j = new JournaldSource({
      clock,
      binary: join(dir, 'no-such-journalctl'),
      onRecord: () => {},
      onNotice: (n) => notices.push(n),
      restartDelayMs: 1000,
    });
    stopMe.push(j);
    j.start();
    await waitFor(() => notices.length === 1, undefined, 'first failure');
    clock.advance(1000);
    await waitFor(() => notices.length === 2, undefined, 'second failure');
    expect(notices[0]).toMatch(/ENOENT.*restarting in 1 s$/);
    expect(notices[1]).toMatch(/restarting in 2 s$/);
  });
});

describe('choosing the auth source', () => {
  it('no journald and no auth log: one "not collected" line, no events, no retries', async () => {
    const notices: string[] = [];
    const clock = new ManualClock();
    const opts = {
      clock,
      platform: 'linux' as const,
      journalctl: join(dir, 'no-such-journalctl'),
      journalDirs: [join(dir, 'no-journal')],
      logPaths: [join(dir, 'auth.log'), join(dir, 'secure')],
      onNotice: (n: string) => notices.push(n),
    };
    const src = await AuthEventSource.start(opts);
    stopMe.push(src);
    clock.advance(3_600_000);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^not collected: no journald or auth log \(no journal .*; .*auth\.log, .*secure not found\)$/,
    );
    expect(src.stats()).toMatchObject({ kind: 'none', events: 0 });
    expect(src.take(10)).toEqual([]);
    expect(await chooseAuthSource({ ...opts, platform: 'darwin' })).toEqual({
      kind: 'none',
      reason: 'not collected: authentication events are read on Linux only (this is darwin)',
    });
  });

  it('without journald it tails /var/log/secure when auth.log is not there, dating lines in the agent zone', async () => {
    const secure = join(dir, 'secure');
    await writeFile(
      secure,
      'Nov 30 07:00:00 web-1 sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n',
    );
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    const src = await AuthEventSource.start({
      clock,
      platform: 'linux',
      journalctl: join(dir, 'no-such-journalctl'),
      journalDirs: [join(dir, 'no-journal')],
      logPaths: [join(dir, 'auth.log'), secure],
      timeZone: 'America/New_York',
      capacity: 2,
      pollMs: 1000,
    });
    stopMe.push(src);
    expect(src.choice).toEqual({ kind: 'file', path: secure });
    await appendFile(
      secure,
      [
        'Nov 30 03:12:01 web-1 sshd[77]: Failed password for root from ::ffff:198.51.100.9 port 2 ssh2',
        'Nov 30 03:12:02 web-1 sshd[77]: Failed password for root from 198.51.100.9 port 3 ssh2',
        'Nov 30 03:12:03 web-1 sshd[77]: Failed password for root from 198.51.100.9 port 4 ssh2',
        'Nov 30 03:12:04 web-1 CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
        'garbage',
        '',
      ].join('\n'),
    );
    clock.advance(1000);
    await waitFor(() => src.stats().lines === 5, undefined, 'five lines read');
    // Capacity 2: the third event is dropped and counted, not queued.
    expect(src.stats()).toMatchObject({ kind: 'file', events: 3, dropped: 1, unparsed: 1 });
    const events = src.take(10);
    expect(events.map((e) => [e.ts, e.attributes!.src_ip, e.attributes!.src_port])).toEqual([
      [Date.UTC(2026, 10, 30, 8, 12, 1), '198.51.100.9', 2],
      [Date.UTC(2026, 10, 30, 8, 12, 2), '198.51.100.9', 3],
    ]);
  });
});

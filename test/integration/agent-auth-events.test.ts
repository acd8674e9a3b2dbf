// The reference agent reads authentication events from an auth.log-style file (a real file in
// a temp dir, appended to as sshd would) and sends them as `events` batches over its real
// uplink, to a stand-in console (test/helpers/fake-console.ts) that records the frames.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostAgent, type HostAgentOptions } from '../../agent/agent.js';
import { systemClock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { waitFor } from '../helpers/core.js';
import { startFakeConsole, type FakeConsole } from '../helpers/fake-console.js';

let fake: FakeConsole | undefined;
let agent: HostAgent | undefined;
let dir: string | undefined;
afterEach(async () => {
  agent?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  agent = fake = dir = undefined;
});

function startAgent(url: string, security: HostAgentOptions['security'], log: string[]) {
  agent = new HostAgent({
    url,
    token: 't',
    region: 'us-east-1',
    agentType: 'system',
    hostname: 'auth-1',
    version: 'test',
    clock: systemClock,
    // Collectors run on their own intervals; a long one keeps metrics out of the way.
    intervals: { headline: 600_000, network: 600_000, filesystems: 600_000 },
    log: (line) => log.push(line),
    security,
    // Only authentication events here: FIM and ports have tests of their own.
    fim: false,
    ports: false,
    onFatal: () => {},
  });
  agent.start();
  return agent;
}

const eventsOf = (f: FakeConsole): AgentEvent[] =>
  f.frames.filter((x) => x.type === 'events').flatMap((x) => x.raw.events as AgentEvent[]);

describe('agent authentication events', () => {
  it('lines appended to auth.log reach the console as parsed events', async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-auth-'));
    const file = join(dir, 'auth.log');
    await writeFile(file, 'Nov 30 07:00:00 web-1 sshd[1]: Server listening on 0.0.0.0 port 22.\n');
    fake = await startFakeConsole({});
    const log: string[] = [];
    const a = startAgent(
      fake.url,
      {
        platform: 'linux',
        journalctl: join(dir, 'no-journalctl'),
        logPaths: [file],
        timeZone: 'UTC',
        pollMs: 50,
        lingerMs: 20,
      },
      log,
    );
    await waitFor(() => a.security?.stats() ?? null, undefined, 'the auth.log tail to start');
    const ip = '198.51.100.23';
    await appendFile(
      file,
      [
        `Nov 30 08:12:01 web-1 sshd[4242]: Invalid user admin from ${ip} port 40022`,
        `Nov 30 08:12:03 web-1 sshd[4242]: Failed password for invalid user admin from ${ip} port 40022 ssh2`,
        'Nov 30 08:12:09 web-1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id',
        'Nov 30 08:12:10 web-1 CRON[77]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
        '',
      ].join('\n'),
    );
    await waitFor(() => eventsOf(fake!).length >= 3, undefined, 'three events at the console');
    const events = eventsOf(fake);
    expect(events).toHaveLength(3); // the cron line is not an auth event
    expect(events.map((e) => e.source)).toEqual(['auth', 'auth', 'auth']);
    expect(events.map((e) => e.attributes)).toMatchObject([
      { 'event.type': 'auth_failure', pattern: 'sshd_invalid_user', attempt: false, src_ip: ip },
      {
        'event.type': 'auth_failure',
        pattern: 'sshd_failed',
        attempt: true,
        user: 'admin',
        src_ip: ip,
        invalid_user: true,
        pid: 4242,
      },
      { 'event.type': 'sudo', user: 'alice', target_user: 'root', command: '/usr/bin/id' },
    ]);
    // Classic syslog has no year: only the month, day and time are the line's own.
    expect(new Date(events[1]!.ts).toISOString().slice(5, 19)).toBe('11-30T08:12:03');
    expect(log).toContain(`authentication events from ${file}`);
    expect(a.security!.stats()).toMatchObject({ kind: 'file', events: 3, shipped: 3, dropped: 0 });
  });

  it('with no source it says "not collected" once and sends nothing; --no-security says nothing', async () => {
    fake = await startFakeConsole({});
    const log: string[] = [];
    const a = startAgent(fake.url, { platform: 'darwin' }, log);
    await waitFor(() => a.security?.stats() ?? null, undefined, 'the source choice');
    expect(log.filter((l) => l.includes('not collected'))).toEqual([
      'not collected: authentication events are read on Linux only (this is darwin)',
    ]);
    expect(a.security!.stats()).toMatchObject({ kind: 'none', events: 0 });
    agent!.stop();
    const quiet: string[] = [];
    const b = startAgent(fake.url, false, quiet);
    expect(b.security).toBeNull();
    await waitFor(() => b.uplink.connected, undefined, 'the second agent connected');
    expect(quiet.filter((l) => /authentication|not collected/.test(l))).toEqual([]);
    expect(eventsOf(fake)).toEqual([]);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import { WAIT_MS, tempDir, waitFor } from '../helpers/core.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const BIN = join(import.meta.dirname, '../../bin/meridian.js');

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

describe('the meridian command (compiled, as installed)', () => {
  const procs: Proc[] = [];
  const dirs: string[] = [];
  beforeAll(() => {
    if (!existsSync(join(import.meta.dirname, '../../dist/electron/cli.js'))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    }
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function serve(extra: string[] = [], env: Record<string, string> = {}) {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const p = run(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0', ...extra], {
      MERIDIAN_SESSION_TOKEN: 'cli-session',
      ...env,
    });
    procs.push(p);
    await waitFor(() => /connect an agent/.test(p.out()), WAIT_MS, 'serve banner');
    const consoleUrl = /console\s+(\S+)/.exec(p.out())![1]!;
    const ingestUrl = /ingest\s+(\S+)/.exec(p.out())![1]!;
    const token = / --token (\S+)/.exec(p.out())![1]!;
    // The connect command pins the ingest CA (wss:// by default).
    const fingerprint = / --ca-fingerprint (\S+)/.exec(p.out())?.[1] ?? '';
    const base = consoleUrl.split('/?')[0]!;
    const agents = async () =>
      (
        (await (
          await fetch(`${base}/api/v1/agents`, { headers: { Authorization: 'Bearer cli-session' } })
        ).json()) as { agents: Agent[] }
      ).agents;
    // Agents started by a test keep their keys in the test's own directory.
    const stateDir = join(dataDir, 'agent-state');
    const pin = ['--ca-fingerprint', fingerprint, '--state-dir', stateDir];
    return { p, dataDir, consoleUrl, ingestUrl, token, fingerprint, pin, base, agents };
  }

  it('serve prints the console URL with its token and the ingest URL; SIGTERM stops it and saves state', async () => {
    const s = await serve();
    expect(s.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=cli-session$/);
    expect(s.ingestUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(s.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s.p.out()).toContain(`(enrolment secret in ${join(s.dataDir, 'agent-token')})`);
    expect(s.p.out()).toContain(`tls      CA ${s.fingerprint}`);
    expect(s.token).toBe((await readFile(join(s.dataDir, 'agent-token'), 'utf8')).trim());
    const page = await fetch(s.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toContain('meridian_session=cli-session');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    s.p.child.kill('SIGTERM');
    expect(await s.p.exited).toBe(0);
    expect(JSON.parse(await readFile(join(s.dataDir, 'state.json'), 'utf8')).version).toBe(1);
  });

  it('serve --with-agent reports this machine through a real agent', async () => {
    const s = await serve(['--with-agent']);
    const [agent] = await waitFor(
      async () => {
        const list = await s.agents();
        return list.length === 1 && list[0]!.latest.cpu_usage !== undefined ? list : null;
      },
      2 * WAIT_MS, // the agent's first report, after its first interval
      'local agent with cpu',
    );
    expect(agent).toMatchObject({ status: 'online', type: 'system', regionId: 'us-east-1' });
    expect(agent!.latest.memory_usage).toBeGreaterThan(0);
  });

  it('serve --with-agent reaches an ingest port bound to one specific address', async () => {
    // 127.0.0.2 is loopback on Linux, yet not the 127.0.0.1 the local agent used to dial.
    const s = await serve(['--with-agent', '--ingest-host', '127.0.0.2']);
    expect(s.ingestUrl).toMatch(/^wss:\/\/127\.0\.0\.2:\d+$/);
    await waitFor(() => /agent {4}connected as agt-/.test(s.p.out()), 2 * WAIT_MS, 'local agent');
    expect((await s.agents()).map((a) => a.status)).toEqual(['online']);
  });

  // Two agent starts, enrolment and 15 batches at a 500 ms interval, with 30 s waits.
  it('agent with a wrong token exits 1 saying why; with the right token it says it connected, then stays quiet', async () => {
    const s = await serve();
    const bad = run([
      'agent',
      '--url',
      s.ingestUrl,
      '--token',
      'wrong',
      '--interval',
      '500',
      ...s.pin,
    ]);
    procs.push(bad);
    expect(await bad.exited).toBe(1);
    expect(bad.err()).toContain('the console refused the agent token (HTTP 401)');
    expect(bad.err()).toContain('MERIDIAN_AGENT_TOKEN');
    expect(bad.err()).not.toContain('retrying');

    const good = run([
      'agent',
      '--url',
      s.ingestUrl,
      '--token',
      s.token,
      '--region',
      'eu-west-1',
      '--type',
      'database',
      '--interval',
      '500',
      ...s.pin,
    ]);
    procs.push(good);
    // Several batches stored: the agent is past its start and in its steady state.
    await waitFor(
      async () =>
        (await s.agents()).some(
          (a) => a.regionId === 'eu-west-1' && a.type === 'database' && a.metricsCount >= 15,
        ),
      2 * WAIT_MS, // a few batches at --interval 500, after the agent's start
      'agent with several batches stored',
    ).catch((err: Error) => {
      // What the agent said is what explains a miss here.
      throw new Error(`${err.message}\nagent stdout:\n${good.out()}\nagent stderr:\n${good.err()}`);
    });
    const all = good.out().trim().split('\n');
    // One line says where authentication events come from (or that they are not collected).
    const authSource = /: (authentication events from |not collected: authentication)/;
    expect(all.filter((l) => authSource.test(l))).toHaveLength(1);
    const lines = all.filter((l) => !authSource.test(l));
    expect(lines[0]).toBe(
      `meridian agent: connecting to ${s.ingestUrl} (region eu-west-1, type database)…`,
    );
    // First contact: it enrols (its key is stored in its state dir), then says it connected.
    expect(lines[1]).toMatch(
      /^meridian agent: enrolled as agt-[0-9a-f-]+: key key-[0-9a-f-]+ stored$/,
    );
    expect(lines[2]).toMatch(/^meridian agent: connected as agt-[0-9a-f-]+$/);
    expect(lines).toHaveLength(3);
    expect(good.err()).toBe('');
    good.child.kill('SIGTERM');
    expect(await good.exited).toBe(0);
  }, 180_000);

  it('agent pointed at a port with nothing listening says so at once and keeps retrying', async () => {
    const port = await freePort();
    const p = run([
      'agent',
      '--url',
      `ws://127.0.0.1:${port}`,
      '--token',
      'x',
      '--region',
      'eu-west-1',
    ]);
    procs.push(p);
    await waitFor(
      () => /retrying in [\d.]+ s \(reason: .*ECONNREFUSED/.test(p.err()),
      WAIT_MS,
      'retry line',
    );
    expect(p.out()).toContain(
      `meridian agent: connecting to ws://127.0.0.1:${port} (region eu-west-1, type system)…`,
    );
    expect(p.child.exitCode).toBeNull();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('an agent whose identity another connection takes (4010) says so and stays up to retry later', async () => {
    const s = await serve();
    const agent = () =>
      run([
        'agent',
        '--url',
        s.ingestUrl,
        '--token',
        s.token,
        '--hostname',
        'twin',
        '--interval',
        '500',
        // Two processes of one agent: one state dir, so one key and one identity.
        ...s.pin,
      ]);
    const first = agent();
    procs.push(first);
    // A process start and a connection: generous, it only bounds the wait.
    await waitFor(() => first.out().includes('connected as agt-'), 2 * WAIT_MS, 'first connected');
    const second = agent();
    procs.push(second);
    await waitFor(
      () =>
        /another connection with this agent's identity took over \(4010\); retrying in \d+ s/.test(
          first.err(),
        ),
      WAIT_MS,
      'the replaced agent says why it waits',
    );
    expect(first.child.exitCode).toBeNull();
    // The two processes print on their own schedules: the second's line may follow the first's.
    await waitFor(() => second.out().includes('connected as agt-'), WAIT_MS, 'second connected');
    // One agent for the console: the same region and hostname.
    expect((await s.agents()).filter((a) => a.hostname === 'twin')).toHaveLength(1);
  });

  // Nine compiled-CLI starts one after another: ~1.5 s each on a loaded machine.
  it('every command answers --help / -h with its own usage and exit 0', async () => {
    const want: [string, string[]][] = [
      [
        'serve',
        ['--data-dir DIR', '--ingest-host HOST', '--log-format text|json', 'default: 4780'],
      ],
      [
        'agent',
        [
          '--url URL',
          '--token T',
          '--interval MS',
          '(default: 1000)',
          '--network-interval MS',
          '--filesystems-interval MS',
          'exit codes',
        ],
      ],
      ['simulate', ['--agents N', '--no-incidents', 'default: 50']],
      ['token', ['--data-dir DIR']],
    ];
    for (const [command, flags] of want) {
      for (const help of ['--help', '-h']) {
        const p = run([command, help]);
        procs.push(p);
        expect(await p.exited).toBe(0);
        expect(p.out()).toContain(`usage: meridian ${command} `);
        for (const f of flags) expect(p.out()).toContain(f);
        expect(p.err()).toBe('');
      }
    }
    // --help wins over what is missing or wrong on the rest of the line.
    const p = run(['agent', '--interval', 'often', '--help']);
    procs.push(p);
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('usage: meridian agent ');
  }, 180_000);

  it('serve says where the agent token came from, and logs for people on request and JSON lines otherwise', async () => {
    const flagged = await serve(['--agent-token', 'from-flag', '--log-format', 'text']);
    expect(flagged.p.out()).toContain('(enrolment secret from --agent-token)');
    expect(flagged.p.out()).not.toContain(join(flagged.dataDir, 'agent-token'));
    await waitFor(() => /metric store opened/.test(flagged.p.err()), WAIT_MS, 'log line');
    expect(flagged.p.err()).toMatch(/^\d\d:\d\d:\d\d INFO {2}metric store opened {2}\w+=/m);
    expect(flagged.p.err()).not.toContain('{');

    const envd = await serve([], { MERIDIAN_AGENT_TOKEN: 'from-env' });
    expect(envd.p.out()).toContain('(enrolment secret from MERIDIAN_AGENT_TOKEN)');
    expect(envd.token).toBe('from-env');
    await waitFor(() => /metric store opened/.test(envd.p.err()), WAIT_MS, 'log line');
    // stderr is a pipe here, not a terminal: JSON lines, and nothing that restates the banner.
    const records = envd.p
      .err()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(records.map((r) => r.msg)).toContain('metric store opened');
    expect(records.map((r) => r.msg)).not.toContain('core started');
  });

  it('simulate brings N virtual agents across the four regions', async () => {
    const s = await serve();
    const sim = run([
      'simulate',
      '--url',
      s.ingestUrl,
      '--token',
      s.token,
      '--agents',
      '40',
      '--seed',
      '7',
      '--no-incidents',
      ...s.pin,
    ]);
    procs.push(sim);
    let seen: Agent[] = [];
    const agents = await waitFor(
      async () => {
        const list = (seen = await s.agents());
        return list.length === 40 && list.every((a) => a.status === 'online' && a.metricsCount > 0)
          ? list
          : null;
      },
      2 * WAIT_MS, // 40 virtual agents connecting and sending their first batches
      '40 agents reporting',
    ).catch((err: Error) => {
      const reporting = seen.filter((a) => a.status === 'online' && a.metricsCount > 0).length;
      throw new Error(
        `${err.message}: ${seen.length} agents known, ${reporting} online and reporting\n` +
          `simulate stdout:\n${sim.out()}\nsimulate stderr:\n${sim.err()}\nserve stderr:\n${s.p.err()}`,
      );
    });
    expect(new Set(agents.map((a) => a.regionId))).toEqual(
      new Set(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1']),
    );
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  // Six serve starts one after another: ~2 s each on a loaded machine.
  it('refuses a bad config.json naming the field, and exits 2 before listening', async () => {
    const cases: [object, string][] = [
      [{ ingestHost: '' }, "field 'ingestHost'"],
      [{ ingestHost: '  ' }, "field 'ingestHost'"],
      [{ limits: { ingestHandshakeTimeoutMs: 10 } }, "field 'limits/ingestHandshakeTimeoutMs'"],
      [{ limits: { apiMaxConnections: 'many' } }, "field 'limits/apiMaxConnections'"],
      [{ limits: { maxEverything: 1 } }, "field 'limits/maxEverything'"],
      // Plain ws:// on every interface without saying so.
      [{ ingestHost: '0.0.0.0', ingestTls: 'off' }, "ingestHost '0.0.0.0' is not loopback"],
    ];
    for (const [config, message] of cases) {
      const dataDir = await tempDir();
      dirs.push(dataDir);
      await writeFile(join(dataDir, 'config.json'), JSON.stringify(config));
      const p = run(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0']);
      procs.push(p);
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(message);
      expect(p.out()).not.toContain('ingest');
    }
  }, 180_000);

  // Twelve compiled-CLI starts one after another: ~1.5 s each on a loaded machine.
  it('names the bad flag and exits 2 on a bad command line', async () => {
    const cases: [string[], string][] = [
      [['serve', '--port', 'eighty'], "--port must be an integer from 0 to 65535 (got 'eighty')"],
      [['agent', '--token', 'x'], '--url is required'],
      [
        ['agent', '--url', 'ws://127.0.0.1:1', '--token', 'x', '--network-interval', '10'],
        "--network-interval must be an integer from 250 to 3600000 (got '10')",
      ],
      [
        ['simulate', '--url', 'ws://127.0.0.1:1', '--token', 'x', '--agents', '0'],
        '--agents must be an integer',
      ],
      [['serve', '--bogus'], "Unknown option '--bogus'"],
      [['serve', '--log-format', 'xml'], "--log-format must be one of text, json (got 'xml')"],
      // Node would listen on every interface for an empty host.
      [['serve', '--ingest-host', ''], "--ingest-host must be a host name or address (got '')"],
      [['serve', '--ingest-host', ' '], "--ingest-host must be a host name or address (got ' ')"],
      [['frobnicate'], "unknown command 'frobnicate'"],
      [
        ['agent', '--url', 'wss://127.0.0.1:1', '--token', 'x', '--ca-fingerprint', 'sha256:zz'],
        "--ca-fingerprint must be sha256: and 64 hex digits (got 'sha256:zz')",
      ],
      [
        ['serve', '--ingest-host', '0.0.0.0', '--ingest-tls', 'off'],
        "ingestHost '0.0.0.0' is not loopback and ingestTls is 'off'",
      ],
      [['serve', '--ingest-tls', 'cert-only.pem'], '--ingest-tls must be auto, off or CERT,KEY'],
    ];
    for (const [args, message] of cases) {
      const p = run(args);
      procs.push(p);
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(message);
    }
  }, 180_000);
});

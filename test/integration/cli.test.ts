import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import { tempDir, waitFor } from '../helpers/core.js';

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

  async function serve(extra: string[] = []) {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const p = run(['serve', '--data-dir', dataDir, '--port', '0', '--ingest-port', '0', ...extra], {
      MERIDIAN_SESSION_TOKEN: 'cli-session',
    });
    procs.push(p);
    await waitFor(() => /ingest\s+ws:/.test(p.out()), 10_000, 'serve banner');
    const consoleUrl = /console\s+(\S+)/.exec(p.out())![1]!;
    const ingestUrl = /ingest\s+(\S+)/.exec(p.out())![1]!;
    const token = (await readFile(join(dataDir, 'agent-token'), 'utf8')).trim();
    const base = consoleUrl.split('/?')[0]!;
    const agents = async () =>
      (
        (await (
          await fetch(`${base}/api/v1/agents`, { headers: { Authorization: 'Bearer cli-session' } })
        ).json()) as { agents: Agent[] }
      ).agents;
    return { p, dataDir, consoleUrl, ingestUrl, token, base, agents };
  }

  it('serve prints the console URL with its token and the ingest URL; SIGTERM stops it and saves state', async () => {
    const s = await serve();
    expect(s.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=cli-session$/);
    expect(s.ingestUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
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
      15_000,
      'local agent with cpu',
    );
    expect(agent).toMatchObject({ status: 'online', type: 'system', regionId: 'us-east-1' });
    expect(agent!.latest.memory_usage).toBeGreaterThan(0);
  });

  it('agent with a wrong token exits 1 saying why; with the right token it registers', async () => {
    const s = await serve();
    const bad = run(['agent', '--url', s.ingestUrl, '--token', 'wrong', '--interval', '500']);
    procs.push(bad);
    expect(await bad.exited).toBe(1);
    expect(bad.err()).toContain('HTTP 401');

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
    ]);
    procs.push(good);
    await waitFor(
      async () =>
        (await s.agents()).some((a) => a.regionId === 'eu-west-1' && a.type === 'database'),
      10_000,
      'agent',
    );
    good.child.kill('SIGTERM');
    expect(await good.exited).toBe(0);
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
    ]);
    procs.push(sim);
    const agents = await waitFor(
      async () => {
        const list = await s.agents();
        return list.length === 40 && list.every((a) => a.status === 'online' && a.metricsCount > 0)
          ? list
          : null;
      },
      15_000,
      '40 agents reporting',
    );
    expect(new Set(agents.map((a) => a.regionId))).toEqual(
      new Set(['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1']),
    );
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('refuses a bad config.json naming the field, and exits 2 before listening', async () => {
    const cases: [object, string][] = [
      [{ ingestHost: '' }, "field 'ingestHost'"],
      [{ ingestHost: '  ' }, "field 'ingestHost'"],
      [{ limits: { ingestHandshakeTimeoutMs: 10 } }, "field 'limits/ingestHandshakeTimeoutMs'"],
      [{ limits: { apiMaxConnections: 'many' } }, "field 'limits/apiMaxConnections'"],
      [{ limits: { maxEverything: 1 } }, "field 'limits/maxEverything'"],
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
  });

  it('names the bad flag and exits 2 on a bad command line', async () => {
    const cases: [string[], string][] = [
      [['serve', '--port', 'eighty'], "--port must be an integer from 0 to 65535 (got 'eighty')"],
      [['agent', '--token', 'x'], '--url is required'],
      [
        ['simulate', '--url', 'ws://127.0.0.1:1', '--token', 'x', '--agents', '0'],
        '--agents must be an integer',
      ],
      [['serve', '--bogus'], "Unknown option '--bogus'"],
      // Node would listen on every interface for an empty host.
      [['serve', '--ingest-host', ''], "--ingest-host must be a host name or address (got '')"],
      [['serve', '--ingest-host', ' '], "--ingest-host must be a host name or address (got ' ')"],
      [['frobnicate'], "unknown command 'frobnicate'"],
    ];
    for (const [args, message] of cases) {
      const p = run(args);
      procs.push(p);
      expect(await p.exited).toBe(2);
      expect(p.err()).toContain(message);
    }
  });
});

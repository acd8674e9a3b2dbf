// A real `meridian agent` process (the compiled CLI) with an actions file, connected to a
// stand-in console (test/helpers/fake-console.ts: a real WebSocket server playing the
// console's side). The console sends action names and parameters, never a command line; the
// agent runs real programs on real files.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseJournal } from '../../agent/actions/journal.js';
import { packageRoot } from '../../electron/core/version.js';
import type { ActionMessage } from '../../shared/protocol.js';
import {
  isAlive,
  spawnAgent,
  STAND_IN_SERVICE,
  writeActionsFixture,
  type AgentProcess,
} from '../helpers/agent-process.js';
import { WAIT_MS, tempDir, waitFor } from '../helpers/core.js';
import { startFakeConsole, type FakeConsole } from '../helpers/fake-console.js';

const DAY = 86_400_000;

interface Paths {
  /** The one directory the fixture's clean_tmp allows. */
  allowedDir: string;
  /** The stand-in unit runner's units. */
  unitsDir: string;
  /** run_script's directory. */
  scriptsDir: string;
}

describe('meridian agent runs actions from its actions file', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  beforeAll(() => {
    if (!existsSync(join(packageRoot(), 'dist', 'agent', 'actions', 'scripts', 'clean-tmp.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  });

  /** Fixture paths in a temp dir, `prepare` run on them, then the agent and a stand-in console. */
  async function start(opts: { prepare?: (p: Paths) => Promise<string[] | void> } = {}) {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const paths: Paths = {
      allowedDir: join(dir, 'spool'),
      unitsDir: join(dir, 'units'),
      scriptsDir: join(dir, 'scripts'),
    };
    for (const d of Object.values(paths)) await mkdir(d);
    const extraArgs = (await opts.prepare?.(paths)) ?? [];
    const actionsFile = await writeActionsFixture(dir, paths);
    const fake: FakeConsole = await startFakeConsole({});
    cleanup.push(() => fake.stop());
    const stateDir = join(dir, 'state');
    const agent: AgentProcess = spawnAgent([
      '--url',
      fake.url,
      '--token',
      't',
      '--region',
      'eu-west-1',
      '--state-dir',
      stateDir,
      '--actions',
      actionsFile,
      // Only the collectors a test reads run often.
      '--interval',
      '3600000',
      '--network-interval',
      '3600000',
      '--filesystems-interval',
      '250',
      ...extraArgs,
    ]);
    cleanup.push(() => agent.stop());
    const hello = await waitFor(
      () => fake.welcomes() > 0 && fake.frames.find((f) => f.type === 'hello'),
      WAIT_MS,
      `the agent's hello`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nagent stderr: ${agent.err()}`);
    });
    let n = 0;
    const send = (
      action: string,
      params: Record<string, string>,
      extra: Partial<ActionMessage> = {},
    ) => {
      const id = `act-${++n}`;
      fake.send({
        type: 'action',
        id,
        action,
        params,
        dryRun: false,
        deadline: Date.now() + 60_000,
        ...extra,
      });
      return id;
    };
    const result = (id: string) =>
      waitFor(
        () => fake.actionResults().find((r) => r.id === id),
        WAIT_MS,
        `the result of ${id}`,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\nagent stderr: ${agent.err()}`);
      });
    const journal = async () =>
      parseJournal(await readFile(join(stateDir, 'actions-journal.json'), 'utf8'));
    return { dir, paths, fake, agent, hello, send, result, journal };
  }

  /** The newest disk_usage the agent reported for a quota directory. */
  function quotaUsage(fake: FakeConsole, dir: string): number | undefined {
    type S = { name: string; value: number; labels?: { mount?: string } };
    return fake.frames
      .filter((f) => f.type === 'metrics')
      .flatMap((f) => f.raw.samples as S[])
      .filter((s) => s.name === 'disk_usage' && s.labels?.mount === dir)
      .at(-1)?.value;
  }

  it('clean_tmp empties the quota directory the test filled; the result says what went, disk_usage falls', async () => {
    const quota = 1_100_000;
    const t = await start({
      async prepare(p) {
        await mkdir(join(p.allowedDir, 'sub'));
        const old = (Date.now() - 10 * DAY) / 1000;
        for (let i = 0; i < 8; i++) {
          const f = join(p.allowedDir, i % 2 ? 'sub' : '', `old-${i}.log`);
          await writeFile(f, Buffer.alloc(128 * 1024, 1));
          await utimes(f, old, old);
        }
        await writeFile(join(p.allowedDir, 'fresh-1.log'), Buffer.alloc(16 * 1024, 1));
        await writeFile(join(p.allowedDir, 'sub', 'fresh-2.log'), Buffer.alloc(16 * 1024, 1));
        // 1,081,344 bytes held of 1,100,000: 98.3 %.
        return ['--disk-quota', `${p.allowedDir}=${quota}`];
      },
    });
    const spool = t.paths.allowedDir;
    expect(t.hello.raw.capabilities).toEqual({
      actions: ['restart_service', 'clean_tmp', 'run_script', 'rotate_logs'],
    });
    await waitFor(() => quotaUsage(t.fake, spool) !== undefined, WAIT_MS, 'quota disk_usage');
    expect(quotaUsage(t.fake, spool)).toBe(98.3);

    // A directory outside the script's allow-list: refused by the script, nothing removed.
    const outside = await t.result(t.send('clean_tmp', { dir: t.paths.scriptsDir, days: '1' }));
    expect(outside).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(outside.output).toMatch(/is not under an allowed directory/);

    const id = t.send('clean_tmp', { dir: spool, days: '1' });
    const r = await t.result(id);
    expect(r).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      outputTruncated: false,
      argv: [
        process.execPath,
        join(packageRoot(), 'dist', 'agent', 'actions', 'scripts', 'clean-tmp.js'),
        '--allow',
        spool,
        '--older-than-days',
        '1',
        spool,
      ],
    });
    expect(r.output).toContain(
      `clean_tmp: removed 8 file(s) older than 1 day(s), 1048576 bytes freed under ${spool}`,
    );
    expect(r.output).toContain(`removed ${join(spool, 'sub', 'old-1.log')} (131072 B)`);
    expect((await readdir(spool)).sort()).toEqual(['fresh-1.log', 'sub']);
    expect(await readdir(join(spool, 'sub'))).toEqual(['fresh-2.log']);
    // The agent reports the directory again at once: 32,768 of 1,100,000 bytes.
    await waitFor(() => quotaUsage(t.fake, spool) === 2.98, WAIT_MS, 'disk_usage down to 2.98 %');
    // Acked by the console: gone from the journal.
    await waitFor(async () => (await t.journal())?.results.length === 0, WAIT_MS, 'journal empty');
    expect((await t.journal())?.acked).toContain(id);
    expect(t.agent.out()).toContain(`action ${id} clean_tmp: succeeded, exit 0`);
  });

  it('restart_service (through the stand-in unit runner) brings back the service the test killed', async () => {
    const dir = await tempDir();
    const status = join(dir, 'demo.status');
    const t = await start({
      async prepare(p) {
        const unit = { argv: [process.execPath, STAND_IN_SERVICE, status] };
        await writeFile(join(p.unitsDir, 'demo.service.json'), JSON.stringify(unit));
      },
    });
    // The service runs, then dies.
    const first = spawn(process.execPath, [STAND_IN_SERVICE, status], {
      detached: true,
      stdio: 'ignore',
    });
    const oldPid = first.pid!;
    await writeFile(join(t.paths.unitsDir, 'demo.service.pid'), String(oldPid));
    await waitFor(async () => existsSync(status), WAIT_MS, 'the service up');
    first.kill('SIGKILL');
    await waitFor(() => !isAlive(oldPid) || first.exitCode !== null || first.signalCode !== null);

    // A command smuggled into the unit parameter is refused; nothing runs.
    const smuggled = await t.result(t.send('restart_service', { unit: 'demo.service; rm -rf /' }));
    expect(smuggled).toMatchObject({ status: 'refused', reason: 'bad_parameter' });
    expect(await readFile(join(t.paths.unitsDir, 'demo.service.pid'), 'utf8')).toBe(String(oldPid));

    const r = await t.result(t.send('restart_service', { unit: 'demo.service' }));
    expect(r).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const newPid = Number(await readFile(join(t.paths.unitsDir, 'demo.service.pid'), 'utf8'));
    cleanup.push(() => {
      if (isAlive(newPid)) process.kill(newPid, 'SIGKILL');
    });
    expect(r.output).toBe(
      `restarted demo.service: pid ${newPid} (pid ${oldPid} was not running)\n`,
    );
    expect(newPid).not.toBe(oldPid);
    expect(isAlive(newPid)).toBe(true);
    // The new process itself says it started.
    await waitFor(
      async () => (await readFile(status, 'utf8')) === String(newPid),
      WAIT_MS,
      'the new service to record its pid',
    );
  });

  it('refuses an unknown action; run_script needs its approval and runs only a file of its directory', async () => {
    const t = await start({
      async prepare(p) {
        const script = join(p.scriptsDir, 'flush-cache.sh');
        await writeFile(script, '#!/bin/sh\necho "flushed as $MERIDIAN_ACTION_NAME"\n');
        await chmod(script, 0o755);
      },
    });
    expect(await t.result(t.send('rm', { path: '/' }))).toMatchObject({
      status: 'refused',
      reason: 'unknown_action',
    });
    expect(await t.result(t.send('run_script', { script: 'flush-cache.sh' }))).toMatchObject({
      status: 'refused',
      reason: 'approval_required',
    });
    const escape = await t.result(
      t.send('run_script', { script: '../../../bin/sh' }, { approvedBy: 'alice' }),
    );
    expect(escape).toMatchObject({ status: 'refused', reason: 'bad_parameter' });
    const ran = await t.result(
      t.send('run_script', { script: 'flush-cache.sh' }, { approvedBy: 'alice' }),
    );
    expect(ran).toMatchObject({ status: 'succeeded', output: 'flushed as run_script\n' });
    // A dry run of rotate_logs: the argv that would run, and nothing run (logrotate need not exist).
    expect(
      await t.result(t.send('rotate_logs', { name: 'nginx' }, { dryRun: true })),
    ).toMatchObject({
      status: 'dry_run',
      argv: ['/usr/sbin/logrotate', '--force', '/etc/logrotate.d/nginx'],
    });
  });
});

describe('meridian agent refuses a bad actions file at start-up', () => {
  it.each([
    [
      'an unanchored pattern',
      { pattern: 'nginx\\.service' },
      /actions\[0\]\.params\.unit\.pattern: 'nginx\\\.service' is not anchored/,
    ],
    [
      'a misspelt field',
      { pattern: '^a$', patern: '^b$' },
      /actions\[0\]\.params\.unit\.patern: unknown field/,
    ],
  ])('%s: exit 2, the field named, nothing started', async (_what, unit, message) => {
    const dir = await tempDir();
    const file = join(dir, 'actions.json');
    await writeFile(
      file,
      JSON.stringify({
        actions: [
          {
            name: 'restart_service',
            description: 'x',
            argv: ['systemctl', 'restart', '{unit}'],
            params: { unit },
            timeoutMs: 1000,
          },
        ],
      }),
    );
    const agent = spawnAgent(['--url', 'ws://127.0.0.1:9', '--token', 't', '--actions', file]);
    expect(await agent.exited).toBe(2);
    expect(agent.err()).toMatch(message);
    expect(agent.err()).toContain('nothing loaded, not started');
    expect(agent.out()).not.toContain('connecting');
  });

  it('an undeclared placeholder, a missing --actions file, a bad --disk-quota: exit 2', async () => {
    const dir = await tempDir();
    const file = join(dir, 'actions.json');
    await writeFile(
      file,
      JSON.stringify({
        actions: [{ name: 'a', description: 'x', argv: ['echo', '{what}'], timeoutMs: 1000 }],
      }),
    );
    // Not named: <state-dir>/actions.json is the one read.
    const undeclared = spawnAgent([
      '--url',
      'ws://127.0.0.1:9',
      '--token',
      't',
      '--state-dir',
      dir,
    ]);
    expect(await undeclared.exited).toBe(2);
    expect(undeclared.err()).toMatch(
      /actions\.json: actions\[0\]\.argv\[1\]: placeholder \{what\} is not declared/,
    );
    const empty = await tempDir();
    const base = ['--url', 'ws://127.0.0.1:9', '--token', 't', '--state-dir', empty];
    const missing = spawnAgent([...base, '--actions', join(dir, 'nope.json')]);
    expect(await missing.exited).toBe(2);
    expect(missing.err()).toMatch(/nope\.json: cannot be read/);
    const quota = spawnAgent([...base, '--disk-quota', `${dir}=lots`]);
    expect(await quota.exited).toBe(2);
    expect(quota.err()).toMatch(/--disk-quota BYTES must be an integer/);
    const notDir = spawnAgent([...base, '--disk-quota', `${file}=10MiB`]);
    expect(await notDir.exited).toBe(2);
    expect(notDir.err()).toMatch(/--disk-quota .* is not a directory/);
  });

  it('with no actions file it advertises no actions and refuses every action unknown_action', async () => {
    const dir = await tempDir();
    const fake = await startFakeConsole({});
    const agent = spawnAgent(['--url', fake.url, '--token', 't', '--state-dir', dir]);
    try {
      await waitFor(() => fake.welcomes() > 0, WAIT_MS, 'welcome');
      const hello = fake.frames.find((f) => f.type === 'hello')!;
      expect(hello.raw.capabilities).toBeUndefined();
      fake.send({
        type: 'action',
        id: 'act-1',
        action: 'restart_service',
        params: { unit: 'nginx.service' },
        dryRun: false,
        deadline: Date.now() + 60_000,
      });
      const r = await waitFor(
        () => fake.actionResults().find((x) => x.id === 'act-1'),
        WAIT_MS,
        'the refusal',
      );
      expect(r).toMatchObject({ status: 'refused', reason: 'unknown_action' });
    } finally {
      await agent.stop();
      await fake.stop();
    }
  });
});

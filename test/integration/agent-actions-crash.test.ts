// An agent killed (SIGKILL) while an action runs: after its restart it reports the action as
// `interrupted`, never as done, and keeps reporting it until the console acks it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJournal } from '../../agent/actions/journal.js';
import { isAlive, spawnAgent, type AgentProcess } from '../helpers/agent-process.js';
import { WAIT_MS, tempDir, waitFor } from '../helpers/core.js';
import { startFakeConsole } from '../helpers/fake-console.js';

describe('an agent killed mid-action', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('reports it interrupted after the restart, resent until acked', async () => {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const pidFile = join(dir, 'action.pid');
    const actions = join(dir, 'actions.json');
    await writeFile(
      actions,
      JSON.stringify({
        actions: [
          {
            name: 'long_job',
            description: 'records its pid, then works for a long while',
            argv: ['/bin/sh', '-c', `echo $$ > ${pidFile}; exec sleep 300`],
            timeoutMs: 600_000,
          },
        ],
      }),
    );
    // The first console connection never acks a result; later ones do.
    let ackFrom = Infinity;
    const fake = await startFakeConsole({
      ackActionResult: () => fake.welcomes() >= ackFrom,
    });
    cleanup.push(() => fake.stop());
    const stateDir = join(dir, 'state');
    const args = [
      '--url',
      fake.url,
      '--token',
      't',
      '--state-dir',
      stateDir,
      '--actions',
      actions,
      '--interval',
      '3600000',
      '--network-interval',
      '3600000',
      '--filesystems-interval',
      '3600000',
    ];
    const first: AgentProcess = spawnAgent(args);
    cleanup.push(() => first.kill9());
    await waitFor(() => fake.welcomes() === 1, WAIT_MS, 'the first agent welcomed');
    fake.send({
      type: 'action',
      id: 'act-crash-1',
      action: 'long_job',
      params: {},
      dryRun: false,
      deadline: Date.now() + 600_000,
    });
    const actionPid = await waitFor(
      async () => Number(await readFile(pidFile, 'utf8').catch(() => '0')),
      WAIT_MS,
      'the action running',
    );
    // The sleep runs in its own process group and outlives the agent: end it after the test.
    cleanup.push(() => {
      if (isAlive(actionPid)) process.kill(-actionPid, 'SIGKILL');
    });
    const journal = async () =>
      parseJournal(await readFile(join(stateDir, 'actions-journal.json'), 'utf8'));
    expect((await journal())?.inFlight).toMatchObject({ id: 'act-crash-1', action: 'long_job' });

    await first.kill9();
    expect(fake.actionResults()).toEqual([]);

    // The restarted agent reports it at its next welcome: interrupted, not acked the first time.
    ackFrom = 3;
    const second = spawnAgent(args);
    cleanup.push(() => second.kill9());
    const interrupted = await waitFor(
      () => fake.actionResults().find((r) => r.id === 'act-crash-1'),
      WAIT_MS,
      'the interrupted result',
    );
    expect(interrupted).toMatchObject({
      type: 'action_result',
      id: 'act-crash-1',
      action: 'long_job',
      status: 'interrupted',
      exitCode: null,
      argv: ['/bin/sh', '-c', `echo $$ > ${pidFile}; exec sleep 300`],
    });
    expect(String(interrupted.reason)).toMatch(/stopped .* while the action ran/);
    expect((await journal())?.inFlight).toBeNull();
    expect((await journal())?.results.map((r) => r.status)).toEqual(['interrupted']);

    // Unacked, it survives another restart and is sent again; acked, it is gone.
    await second.kill9();
    const third = spawnAgent(args);
    cleanup.push(() => third.kill9());
    await waitFor(
      () => fake.actionResults().filter((r) => r.id === 'act-crash-1').length >= 2,
      WAIT_MS,
      'the result resent after the next restart',
    );
    await waitFor(async () => (await journal())?.results.length === 0, WAIT_MS, 'acked');
    expect(fake.actionResults().every((r) => r.status === 'interrupted')).toBe(true);
  });
});

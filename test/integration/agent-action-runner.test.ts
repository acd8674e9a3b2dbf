// The agent's action runner with real processes and a real journal in a temp dir: refusals
// (unknown action, bad parameter, deadline, approval, busy), dry runs that run nothing, one
// run per id, and results kept in the journal until the console acks them.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionRunner } from '../../agent/actions/action-runner.js';
import { parseActionsFile, type ActionsFile } from '../../agent/actions/actions-file.js';
import { Executor } from '../../agent/actions/executor.js';
import {
  ActionJournal,
  FileJournalStore,
  JOURNAL_FILE,
  parseJournal,
} from '../../agent/actions/journal.js';
import { systemClock } from '../../shared/clock.js';
import type { ActionResultMessage } from '../../shared/protocol.js';
import { tempDir, waitFor } from '../helpers/core.js';

async function actionsFor(dir: string): Promise<ActionsFile> {
  return parseActionsFile(
    JSON.stringify({
      actions: [
        {
          name: 'touch_file',
          description: 'create a marker file in the test dir',
          argv: ['/usr/bin/touch', `${dir}/{name}`],
          params: { name: { pattern: '^[a-z]+$' } },
          timeoutMs: 30_000,
        },
        {
          name: 'count',
          description: 'append a line to a counter file',
          argv: ['/bin/sh', '-c', `echo run >> ${dir}/count`],
          timeoutMs: 30_000,
        },
        {
          name: 'wait_gate',
          description: 'run until the test creates the gate file',
          argv: ['/bin/sh', '-c', `while [ ! -e ${dir}/gate ]; do sleep 0.05; done; echo through`],
          timeoutMs: 120_000,
        },
        {
          name: 'guarded',
          description: 'needs an approval',
          argv: ['/usr/bin/touch', `${dir}/guarded`],
          timeoutMs: 30_000,
          requiresApproval: true,
        },
      ],
    }),
    { source: 'test-actions.json' },
  );
}

async function setup(opts: { file?: boolean; stateDir?: string } = {}) {
  const dir = await tempDir();
  const stateDir = opts.stateDir ?? join(dir, 'state');
  const logs: string[] = [];
  const runner = new ActionRunner({
    file: opts.file === false ? null : await actionsFor(dir),
    journal: new ActionJournal(new FileJournalStore(stateDir, (l) => logs.push(l)), (l) =>
      logs.push(l),
    ),
    executor: new Executor({ clock: systemClock }),
    clock: systemClock,
    log: (l) => logs.push(l),
    warn: (l) => logs.push(l),
  });
  const sent: ActionResultMessage[] = [];
  let connected = true;
  runner.attach((r) => {
    if (connected) sent.push(r);
    return connected;
  });
  runner.onWelcome(systemClock.now());
  const action = (id: string, action: string, extra: Record<string, unknown> = {}) =>
    runner.onAction({
      type: 'action',
      id,
      action,
      params: {},
      dryRun: false,
      deadline: systemClock.now() + 60_000,
      ...extra,
    });
  const resultOf = (id: string) =>
    waitFor(() => sent.find((r) => r.id === id), undefined, `the result of ${id}`);
  const journal = async () =>
    parseJournal(await readFile(join(stateDir, JOURNAL_FILE), 'utf8').catch(() => '{}'));
  return {
    dir,
    stateDir,
    runner,
    sent,
    logs,
    action,
    resultOf,
    journal,
    setConnected: (c: boolean) => (connected = c),
  };
}

describe('action runner', () => {
  it('with no actions file it advertises nothing and refuses every action unknown_action', async () => {
    const t = await setup({ file: false });
    expect(t.runner.actionNames).toEqual([]);
    t.action('a1', 'restart_service', { params: { unit: 'nginx.service' } });
    expect(await t.resultOf('a1')).toMatchObject({
      status: 'refused',
      reason: 'unknown_action',
      output: 'this agent has no actions file: it runs nothing',
      exitCode: null,
    });
  });

  it('refuses an action its file does not declare, and a parameter outside its pattern; nothing runs', async () => {
    const t = await setup();
    expect(t.runner.actionNames).toEqual(['touch_file', 'count', 'wait_gate', 'guarded']);
    t.action('a1', 'rm_rf');
    expect(await t.resultOf('a1')).toMatchObject({ status: 'refused', reason: 'unknown_action' });
    t.action('a2', 'touch_file', { params: { name: 'x; touch pwned' } });
    const bad = await t.resultOf('a2');
    expect(bad).toMatchObject({ status: 'refused', reason: 'bad_parameter' });
    expect(bad.output).toMatch(/does not match/);
    t.action('a3', 'touch_file', { params: { name: 'ok', extra: 'x' } });
    expect(await t.resultOf('a3')).toMatchObject({ reason: 'bad_parameter' });
    expect(existsSync(join(t.dir, 'pwned'))).toBe(false);
    expect(existsSync(join(t.dir, 'ok'))).toBe(false);
  });

  it('a deadline already past is refused; deadlines are read in the console clock (welcome serverTime)', async () => {
    const t = await setup();
    t.action('a1', 'touch_file', {
      params: { name: 'late' },
      deadline: systemClock.now() - 1,
    });
    expect(await t.resultOf('a1')).toMatchObject({ status: 'refused', reason: 'deadline_passed' });
    // The console's clock runs an hour ahead of ours: a deadline 30 min ahead of ours is past.
    t.runner.onWelcome(systemClock.now() + 3_600_000);
    t.action('a2', 'touch_file', {
      params: { name: 'skewed' },
      deadline: systemClock.now() + 1_800_000,
    });
    expect(await t.resultOf('a2')).toMatchObject({ reason: 'deadline_passed' });
    expect(existsSync(join(t.dir, 'late'))).toBe(false);
    expect(existsSync(join(t.dir, 'skewed'))).toBe(false);
  });

  it('a dry run returns the argv and runs nothing; the same action for real does', async () => {
    const t = await setup();
    t.action('a1', 'touch_file', { params: { name: 'marker' }, dryRun: true });
    expect(await t.resultOf('a1')).toMatchObject({
      status: 'dry_run',
      argv: ['/usr/bin/touch', `${t.dir}/marker`],
      exitCode: null,
    });
    expect(existsSync(join(t.dir, 'marker'))).toBe(false);
    t.action('a2', 'touch_file', { params: { name: 'marker' } });
    expect(await t.resultOf('a2')).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(existsSync(join(t.dir, 'marker'))).toBe(true);
  });

  it('an action that requires approval is refused without approvedBy and runs with it', async () => {
    const t = await setup();
    t.action('a1', 'guarded');
    expect(await t.resultOf('a1')).toMatchObject({
      status: 'refused',
      reason: 'approval_required',
    });
    expect(existsSync(join(t.dir, 'guarded'))).toBe(false);
    t.action('a2', 'guarded', { approvedBy: 'alice' });
    expect(await t.resultOf('a2')).toMatchObject({ status: 'succeeded' });
    expect(existsSync(join(t.dir, 'guarded'))).toBe(true);
  });

  it('one action at a time: a second one while the first runs is refused busy', async () => {
    const t = await setup();
    t.action('a1', 'wait_gate');
    await waitFor(
      async () => (await t.journal())?.inFlight?.id === 'a1',
      undefined,
      'a1 in flight',
    );
    t.action('a2', 'touch_file', { params: { name: 'second' } });
    const busy = await t.resultOf('a2');
    expect(busy).toMatchObject({ status: 'refused', reason: 'busy' });
    expect(busy.output).toContain('a1');
    expect(existsSync(join(t.dir, 'second'))).toBe(false);
    await writeFile(join(t.dir, 'gate'), '');
    expect(await t.resultOf('a1')).toMatchObject({ status: 'succeeded', output: 'through\n' });
    // Once it is done the next one runs.
    t.action('a3', 'touch_file', { params: { name: 'second' } });
    expect(await t.resultOf('a3')).toMatchObject({ status: 'succeeded' });
  });

  it('results stay in the journal until acked, are resent after each welcome, and an id never runs twice', async () => {
    const t = await setup();
    t.setConnected(false);
    t.action('a1', 'count');
    await waitFor(
      async () => (await t.journal())?.results.some((r) => r.id === 'a1'),
      undefined,
      'the result in the journal',
    );
    expect(t.sent).toEqual([]);
    t.setConnected(true);
    t.runner.onWelcome(systemClock.now());
    expect(t.sent.map((r) => [r.id, r.status])).toEqual([['a1', 'succeeded']]);
    t.runner.onWelcome(systemClock.now());
    expect(t.sent).toHaveLength(2); // not acked: sent again
    // The console sends the same action again (its own resend): answered, not run again.
    t.action('a1', 'count');
    expect(t.sent).toHaveLength(3);
    t.runner.onActionAck('a1');
    expect((await t.journal())?.results).toEqual([]);
    expect((await t.journal())?.acked).toEqual(['a1']);
    t.runner.onWelcome(systemClock.now());
    expect(t.sent).toHaveLength(3);
    t.action('a1', 'count');
    await t.runner.whenIdle();
    expect(await readFile(join(t.dir, 'count'), 'utf8')).toBe('run\n');
    expect(t.logs.join('\n')).toContain('a1 was already run and acked');
  });

  it('an action whose journal entry cannot be written is not run', async () => {
    const dir = await tempDir();
    // The state dir is a file: the journal cannot be created.
    const stateDir = join(dir, 'not-a-dir');
    await writeFile(stateDir, '');
    const t = await setup({ stateDir });
    t.action('a1', 'count');
    const r = await t.resultOf('a1');
    expect(r).toMatchObject({ status: 'refused', reason: 'spawn_failed' });
    expect(r.output).toMatch(/journal could not be written/);
    expect(t.logs[0]).toMatch(/no action can run until it is fixed/);
    expect(existsSync(join(t.dir, 'count'))).toBe(false);
  });
});

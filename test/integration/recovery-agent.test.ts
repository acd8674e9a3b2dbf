// Guarded auto-recovery end to end with the real parts: the real core (REST over HTTP, ingest
// over WebSocket) and a real `meridian agent` process (the compiled CLI) with an actions file.
// The agent reports a quota directory the test filled as disk_usage; the console's runbook
// sends clean_tmp, the agent runs the real clean-tmp script on the real files, its disk_usage
// falls, the verification holds, the incident resolves and its time to recover is recorded.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type {
  ActionRecord,
  RecoveryRoutes,
  RecoveryRun,
  Runbook,
  RunbookInput,
} from '../../shared/recovery.js';
import {
  spawnAgent,
  spoolRunbook,
  writeSpoolFixture,
  type AgentProcess,
} from '../helpers/agent-process.js';
import {
  AGENT_TOKEN,
  WAIT_MS,
  startTestCore,
  tempDir,
  waitFor,
  type TestCore,
} from '../helpers/core.js';

const QUOTA_BYTES = 1_000_000;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const json = (method: string, body?: unknown) => ({
  method,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

type RunsResponse = RecoveryRoutes['GET /api/v1/recovery/runs']['response'];

describe('recovery with a real agent', () => {
  /** The quota directory at 95 % (`oldFiles` of its 19 files ten days old), the real core, the runbook, the real agent. */
  async function scenario(opts: {
    oldFiles: number;
    mode?: RunbookInput['mode'];
    withinMs?: number;
  }) {
    const dir = await tempDir();
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { paths, actionsFile } = await writeSpoolFixture(dir, opts.oldFiles);

    const c: TestCore = await startTestCore({ recoveryGraceMs: 0, notifyGroupWaitMs: 0 });
    cleanup.push(() => c.stop());
    const runbook = spoolRunbook(paths.allowedDir, {
      mode: opts.mode,
      withinMs: opts.withinMs,
      escalate: true,
    });
    const made = await c.api<{ runbook: Runbook }>(
      '/api/v1/runbooks?by=alice',
      json('POST', runbook),
    );
    expect(made.status).toBe(200);

    const agent: AgentProcess = spawnAgent([
      '--url',
      c.addr.ingestUrl,
      '--token',
      AGENT_TOKEN,
      '--region',
      'eu-west-1',
      '--hostname',
      'spool-host',
      '--state-dir',
      join(dir, 'state'),
      '--actions',
      actionsFile,
      '--disk-quota',
      `${paths.allowedDir}=${QUOTA_BYTES}`,
      '--interval',
      '3600000',
      '--network-interval',
      '3600000',
      '--filesystems-interval',
      '250',
    ]);
    cleanup.push(() => agent.stop());
    const runs = async () => (await c.api<RunsResponse>('/api/v1/recovery/runs')).body;
    const failWithAgent = (err: Error): never => {
      throw new Error(`${err.message}\nagent stderr: ${agent.err()}`);
    };
    const concluded = () =>
      waitFor(
        async () =>
          (await runs()).runs.find((r) => r.state === 'succeeded' || r.state === 'failed'),
        WAIT_MS * 2,
        'a run to conclude',
      ).catch(failWithAgent);
    const incident = async (id: string) =>
      (await c.api<{ incident: Incident }>(`/api/v1/incidents/${id}`)).body.incident;
    const actionsOf = async (incidentId: string) =>
      (await c.api<{ actions: ActionRecord[] }>(`/api/v1/actions?incident=${incidentId}`)).body
        .actions;
    return { c, paths, runs, failWithAgent, concluded, incident, actionsOf };
  }

  it('dry run says what would run and touches nothing; switched to automatic, clean_tmp frees the quota directory, verification holds, the incident resolves with its MTTR', async () => {
    const { c, paths, runs, failWithAgent, concluded, incident, actionsOf } = await scenario({
      oldFiles: 19,
    });
    // Dry run (a new runbook's mode): the agent validates and says what would have run.
    const dry = await waitFor(
      async () => (await runs()).runs.find((r) => r.state === 'dry_run'),
      WAIT_MS,
      'a dry run',
    ).catch(failWithAgent);
    expect(dry.mode).toBe('dry_run');
    const [dryAction] = await actionsOf(dry.incidentId);
    expect(dryAction).toMatchObject({ action: 'clean_tmp', dryRun: true, status: 'dry_run' });
    expect(dryAction!.argv).toEqual(expect.arrayContaining([paths.allowedDir, '7']));
    expect(await readdir(paths.allowedDir)).toHaveLength(20);
    expect((await incident(dry.incidentId)).timeline.map((e) => e.kind)).toContain(
      'would_have_run',
    );

    // Automatic: the alert still firing gets a real run.
    const mode = await c.api<{ runbook: Runbook }>(
      '/api/v1/runbooks/spool/mode',
      json('POST', { mode: 'automatic', by: 'alice' }),
    );
    expect(mode.status).toBe(200);
    const done: RecoveryRun = await concluded();
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(await readdir(paths.allowedDir)).toEqual(['fresh.log']);
    const real = (await actionsOf(done.incidentId)).find((a) => !a.dryRun)!;
    expect(real).toMatchObject({ action: 'clean_tmp', status: 'succeeded', exitCode: 0 });
    expect(real.output).toContain('855000 bytes freed');
    expect(done.steps[1]!.text).toMatch(/^disk_usage 9\.50* < 85/);

    const resolved = await waitFor(
      async () => {
        const i = await incident(done.incidentId);
        return i.state === 'resolved' ? i : undefined;
      },
      WAIT_MS,
      'the incident to resolve',
    );
    expect(resolved.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['recovery_dispatched', 'recovery_result', 'recovery_verified']),
    );
    const figures = await waitFor(
      async () =>
        (await runs()).figures.find(
          (f) => f.incidentId === done.incidentId && f.timeToRecoverMs !== null,
        ),
      WAIT_MS,
      'the incident figures',
    );
    expect(figures.automatic).toBe(true);
    expect(figures.timeToActMs).toBeGreaterThanOrEqual(0);
    expect(figures.timeToRecoverMs).toBeGreaterThanOrEqual(figures.timeToActMs!);
  });

  it('clean_tmp exits 0 but frees too little: the verification never clears, the run fails and escalates at once with the output', async () => {
    // One of the 19 files is old: the directory stays at 90.5 %, the alert keeps firing.
    const { paths, concluded, incident, actionsOf } = await scenario({
      oldFiles: 1,
      mode: 'automatic',
      withinMs: 2_000,
    });
    const done = await concluded();
    expect(done.state, JSON.stringify(done)).toBe('failed');
    expect(done.escalated).toBe(true);
    expect(await readdir(paths.allowedDir)).toHaveLength(19);
    const [action] = await actionsOf(done.incidentId);
    expect(action).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const timeline = (await incident(done.incidentId)).timeline;
    expect(timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['recovery_result', 'recovery_failed', 'escalated']),
    );
    const escalated = timeline.find((e) => e.kind === 'escalated' && e.output);
    expect(escalated?.output).toContain('45000 bytes freed');
  });
});

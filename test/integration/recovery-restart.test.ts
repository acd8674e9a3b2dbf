// Recovery across broken connections and a console restart, through the real core: an agent
// that drops mid-action and delivers its result after reconnecting; a run in flight when the
// console stops becomes `interrupted` (recorded, escalated, never sent again) and the agent's
// late `interrupted` result is still recorded; bad results are acked or refused and counted.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type { ActionMessage } from '../../shared/protocol.js';
import type { ActionRecord, RecoveryRun, RunbookInput } from '../../shared/recovery.js';
import { actionAgent, type ActionAgent } from '../helpers/action-agent.js';
import {
  AGENT_TOKEN,
  hello,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { rawIngest, textFrame } from '../helpers/raw-ws.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

const RUNBOOK: RunbookInput = {
  id: 'disk',
  name: 'Free disk',
  mode: 'automatic',
  trigger: { ruleIds: ['disk_usage'] },
  steps: [
    { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' }, timeoutMs: 120_000 },
    {
      kind: 'verify',
      condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
      withinMs: 60_000,
    },
  ],
};

async function core(dataDir?: string): Promise<TestCore> {
  const c = await startTestCore({
    recoveryGraceMs: 0,
    notifyGroupWaitMs: 0,
    heartbeatIntervalMs: 60_000,
    ...(dataDir ? { dataDir } : {}),
  });
  return c;
}

async function agent(c: TestCore, hello: Parameters<typeof actionAgent>[1] = {}) {
  const a = await actionAgent(c.addr.ingestUrl, hello);
  cleanup.push(() => a.close());
  return a;
}

async function runOf(c: TestCore, agentId: string): Promise<RecoveryRun | undefined> {
  return (await c.api<{ runs: RecoveryRun[] }>(`/api/v1/recovery/runs?agent=${agentId}`)).body
    .runs[0];
}

async function actionsOf(c: TestCore, agentId: string): Promise<ActionRecord[]> {
  return (await c.api<{ actions: ActionRecord[] }>(`/api/v1/actions?agent=${agentId}`)).body
    .actions;
}

describe('recovery across reconnects and restarts', () => {
  it('an agent that drops mid-action reports its result after reconnecting: recorded, acked, and the run carries on', async () => {
    const c = await core();
    cleanup.push(() => c.stop());
    await c.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    const first: ActionAgent = await agent(c, { hostname: 'db-1' });
    first.answer = () => null;
    first.sample(98);
    const action = await first.nthAction(1);
    await first.close();
    // Back on a new connection (as the real agent reconnects), with the result it kept.
    const again = await agent(c, { hostname: 'db-1', agentId: first.agentId });
    again.reply(action, { status: 'succeeded', exitCode: 0, output: 'done while away' });
    await waitFor(() => again.acks.includes(action.id), undefined, 'the ack after reconnecting');
    await waitFor(
      async () => (await runOf(c, first.agentId))?.state === 'verifying',
      undefined,
      'verifying',
    );
    expect((await actionsOf(c, first.agentId))[0]).toMatchObject({
      id: action.id,
      status: 'succeeded',
      output: 'done while away',
    });
    again.sample(30);
    await waitFor(
      async () => (await runOf(c, first.agentId))?.state === 'succeeded',
      undefined,
      'success',
    );
  });

  it('a console restart mid-action: the run is interrupted, recorded and escalated, never sent again; the late result is kept', async () => {
    const c1 = await core();
    await c1.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    const a = await actionAgent(c1.addr.ingestUrl, { hostname: 'db-2' });
    a.answer = () => null;
    a.sample(98);
    const action = await a.nthAction(1);
    const before = await runOf(c1, a.agentId);
    expect(before?.state).toBe('running');
    await c1.stop({ keepDir: true });
    await a.closed;

    const c2 = await core(c1.dataDir);
    cleanup.push(() => c2.stop());
    const run = (await runOf(c2, a.agentId))!;
    expect(run).toMatchObject({ id: before!.id, state: 'interrupted', escalated: true });
    expect(run.reason).toMatch(/console stopped while it ran/);
    const incident = (await c2.api<{ incident: Incident }>(`/api/v1/incidents/${run.incidentId}`))
      .body.incident;
    const failed = incident.timeline.find(
      (e) => e.kind === 'recovery_failed' && e.runId === run.id,
    );
    expect(failed?.text).toMatch(/interrupted/);
    expect(
      incident.timeline.some((e) => e.kind === 'escalated' && /interrupted/.test(e.text)),
    ).toBe(true);
    // The agent comes back and reports what happened to the action: interrupted, never done.
    const back = await agent(c2, { hostname: 'db-2', agentId: a.agentId });
    back.reply(action, { status: 'interrupted', exitCode: null, reason: 'agent restarted' });
    await waitFor(() => back.acks.includes(action.id), undefined, 'the ack');
    expect((await actionsOf(c2, a.agentId))[0]).toMatchObject({
      id: action.id,
      status: 'interrupted',
    });
    // Still firing, still no action sent again on the new connection.
    back.sample(98);
    await waitFor(
      async () =>
        (await c2.metric('meridian_action_results_total', { status: 'interrupted' })) === 1,
      undefined,
      'the result counted',
    );
    expect(back.actions).toEqual([]);
    expect((await runOf(c2, a.agentId))!.state).toBe('interrupted');
  });

  it('bad results: an unknown id or another agent’s is acked and counted, the record untouched; a malformed one closes the connection (4001)', async () => {
    const c = await core();
    cleanup.push(() => c.stop());
    await c.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    const a = await agent(c, { hostname: 'web-1' });
    a.answer = () => null;
    a.sample(98);
    const action = await a.nthAction(1);
    const other = await agent(c, { hostname: 'web-2' });
    other.reply(action, { status: 'succeeded', output: 'not mine' });
    other.reply({ id: 'act-nope', action: 'clean_tmp' }, { status: 'succeeded' });
    await waitFor(() => other.acks.length === 2, undefined, 'both acked');
    expect(
      await c.metric('meridian_action_results_rejected_total', { reason: 'wrong_agent' }),
    ).toBe(1);
    expect(
      await c.metric('meridian_action_results_rejected_total', { reason: 'unknown_action_id' }),
    ).toBe(1);
    expect((await actionsOf(c, a.agentId))[0]).toMatchObject({ id: action.id, status: null });
    other.send({ type: 'action_result', id: action.id, action: 'clean_tmp', status: 'done' });
    const closed = await other.closed;
    expect(closed.code).toBe(4001);
    expect(closed.reason).toMatch(/^schema_violation/);
  });

  it('the result and the next sample in one read: the sample that came with the result verifies the run', async () => {
    const c = await core();
    cleanup.push(() => c.stop());
    await c.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    const raw = await rawIngest(c.addr.ingestUrl, AGENT_TOKEN);
    cleanup.push(async () => raw.destroy());
    raw.burst([textFrame(hello({ hostname: 'db-3', capabilities: { actions: ['clean_tmp'] } }))]);
    const { agentId } = await raw.next<{ agentId: string }>('welcome');
    raw.burst([textFrame(metricsFrame([{ name: 'disk_usage', value: 98 }]))]);
    const action = await raw.next<ActionMessage>('action');
    const startedAt = Date.now();
    // One TCP write: the console reads both frames before the run starts verifying. The sample
    // was taken after the action ended (by the agent's clock).
    raw.burst([
      textFrame({
        type: 'action_result',
        id: action.id,
        action: action.action,
        status: 'succeeded',
        exitCode: 0,
        startedAt,
        durationMs: 3,
        output: '',
        outputTruncated: false,
      }),
      textFrame(metricsFrame([{ name: 'disk_usage', value: 40 }], startedAt + 4)),
    ]);
    await raw.next('action_ack');
    await waitFor(
      async () => (await runOf(c, agentId))?.state === 'succeeded',
      undefined,
      'the run verified by the sample read with the result',
    );
  });

  it('an agent whose clock runs 2 min ahead: a sample sent before the result, under the threshold, does not verify the run; one sent after it does', async () => {
    const c = await core();
    cleanup.push(() => c.stop());
    await c.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    const raw = await rawIngest(c.addr.ingestUrl, AGENT_TOKEN);
    cleanup.push(async () => raw.destroy());
    raw.burst([textFrame(hello({ hostname: 'db-4', capabilities: { actions: ['clean_tmp'] } }))]);
    const { agentId } = await raw.next<{ agentId: string }>('welcome');
    const AHEAD = 120_000;
    // Samples stamped by the agent's own clock, 2 min ahead of the console's.
    const batch = (value: number) =>
      metricsFrame([{ name: 'disk_usage', value }], Date.now() + AHEAD);
    const acked = async (seq: number) => {
      for (;;) if ((await raw.next<{ seq: number }>('ack')).seq === seq) return;
    };
    const full = batch(98);
    raw.burst([textFrame(full)]);
    const action = await raw.next<ActionMessage>('action');
    // Taken while the action runs, before its result is sent: under the threshold already.
    const before = batch(84);
    raw.burst([textFrame(before)]);
    await acked(before.seq);
    // The result: startedAt in the console's clock, as the real agent reports it.
    raw.burst([
      textFrame({
        type: 'action_result',
        id: action.id,
        action: action.action,
        status: 'succeeded',
        exitCode: 0,
        startedAt: Date.now() - 10,
        durationMs: 5,
        output: '',
        outputTruncated: false,
      }),
    ]);
    await raw.next('action_ack');
    await waitFor(
      async () => (await runOf(c, agentId))?.state === 'verifying',
      undefined,
      'verifying',
    );
    // After the result, still full: not recovered.
    const after = batch(96);
    raw.burst([textFrame(after)]);
    await acked(after.seq);
    expect((await runOf(c, agentId))!.state).toBe('verifying');
    // Freed, after the result: recovered.
    raw.burst([textFrame(batch(40))]);
    const run = await waitFor(
      async () => {
        const r = await runOf(c, agentId);
        return r?.state === 'succeeded' && r;
      },
      undefined,
      'the run verified by the sample sent after the result',
    );
    expect(run.steps[1]!.text).toBe('disk_usage 40 < 85');
  });

  it('a corrupt runbooks.json: the last good copy loads, the bad file is kept, a console alert says so', async () => {
    const c1 = await core();
    await c1.api('/api/v1/runbooks', { method: 'POST', body: JSON.stringify(RUNBOOK) });
    await c1.api('/api/v1/runbooks/disk/mode', {
      method: 'POST',
      body: JSON.stringify({ mode: 'approval' }),
    });
    await c1.stop({ keepDir: true });
    await writeFile(join(c1.dataDir, 'runbooks.json'), '{"version":1,"runbooks":[{"id":"di');
    const c2 = await core(c1.dataDir);
    cleanup.push(() => c2.stop());
    const { runbooks } = (
      await c2.api<{ runbooks: { id: string; mode: string }[] }>('/api/v1/runbooks')
    ).body;
    // The .bak holds the write before the last: the runbook as created.
    expect(runbooks).toEqual([expect.objectContaining({ id: 'disk', mode: 'automatic' })]);
    const alert = c2.core.alerts.openAlerts().find((a) => a.ruleId === 'runbooks_recovered');
    expect(alert?.message).toMatch(
      /runbooks\.json was unusable .*loaded its last good copy.*corrupt-/,
    );
    const kept = /kept as (\S+)\.$/.exec(alert!.message)![1]!;
    expect(await readFile(kept, 'utf8')).toContain('"runbooks":[{"id":"di');
  });
});

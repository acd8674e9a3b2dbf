// Each guardrail as a scripted timeline on a ManualClock: the real fleet, alert book, incident
// manager, audit log, notifier and recovery service; ScriptedAgents stands in for the agents'
// connections. Alerts fire from samples as ingest feeds them (disk_usage > 97 is critical).
import { afterEach, describe, expect, it } from 'vitest';
import type { RecoveryRun } from '../../shared/recovery.js';
import {
  diskRunbook,
  recoveryWorld,
  settle,
  type RecoveryWorld,
  type RecoveryWorldOptions,
} from './support/recovery-fixture.js';

const REGION = 'eu-west-1';
const MIN = 60_000;

describe('recovery guardrails (scripted timelines)', () => {
  let w: RecoveryWorld | null = null;
  afterEach(async () => {
    await w?.closeAll();
    await w?.remove();
    w = null;
  });

  async function start(o: RecoveryWorldOptions = {}): Promise<RecoveryWorld> {
    w = await recoveryWorld(o);
    return w;
  }

  /** Disk fills on the agent, the cleanup runs and the disk is freed: one run, succeeded. */
  async function fillAndRecover(x: RecoveryWorld, agent: string): Promise<RecoveryRun> {
    x.disk(agent, 98);
    await settle();
    const run = x.runOf(agent)!;
    if (run.state === 'verifying') {
      x.clock.advance(1_000);
      x.disk(agent, 40);
      await settle();
    }
    return x.runOf(agent)!;
  }

  it('automatic: the action runs, the verification decides, the incident resolves with its figures', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook());
    x.clock.advance(5_000);
    x.disk(a, 98);
    await settle();
    expect(x.agents.sent).toHaveLength(1);
    expect(x.agents.sent[0]!.msg).toMatchObject({
      type: 'action',
      action: 'clean_tmp',
      params: { dir: '/tmp', days: '7' },
      dryRun: false,
      deadline: x.clock.now() + 60_000,
    });
    await settle();
    // The action succeeded (exit 0): not a success yet, verification decides.
    expect(x.runOf(a)).toMatchObject({ state: 'verifying', dispatchedAt: x.clock.now() });
    x.clock.advance(30_000);
    x.disk(a, 91); // still over the verification's 85: keep waiting
    await settle();
    expect(x.runOf(a)!.state).toBe('verifying');
    x.clock.advance(10_000);
    x.disk(a, 62);
    await settle();
    const run = x.runOf(a)!;
    expect(run).toMatchObject({ state: 'succeeded', escalated: false, endedAt: x.clock.now() });
    expect(run.steps.map((s) => s.state)).toEqual(['done', 'done', 'skipped']);
    expect(run.steps[1]!.text).toBe('disk_usage 62 < 85');
    const incident = x.manager.get(run.incidentId)!;
    expect(incident.state).toBe('resolved');
    const kinds = incident.timeline.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'recovery_proposed',
        'recovery_dispatched',
        'recovery_result',
        'recovery_verified',
        'resolved',
      ]),
    );
    expect(incident.timeline.find((e) => e.kind === 'recovery_result')!.output).toBe(
      'cleaned 12 files',
    );
    const figures = x.recovery.views.runs({ incident: incident.id }).figures[0]!;
    expect(figures).toEqual({
      incidentId: incident.id,
      timeToDetectMs: 0,
      timeToActMs: 0,
      timeToRecoverMs: 40_000,
      automatic: true,
    });
    expect(x.pages.filter((p) => p.kind === 'escalation')).toHaveLength(0);
    const actions = x.audit.list({ target: run.id }).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'recovery.proposed',
        'recovery.dispatch',
        'recovery.result',
        'recovery.succeeded',
      ]),
    );
    expect(await x.metric('meridian_recovery_runs_total', { outcome: 'succeeded' })).toBe(1);
  });

  it('rate limit per agent: the third run within the hour is refused; an hour later it runs', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook({ guardrails: { maxRunsPerAgentPerHour: 2, cooldownMs: 0 } }));
    for (let i = 0; i < 2; i++) {
      expect((await fillAndRecover(x, a)).state).toBe('succeeded');
      x.clock.advance(MIN);
    }
    x.disk(a, 98);
    await settle();
    const refused = x.runOf(a)!;
    expect(refused).toMatchObject({ state: 'refused', guardrail: 'rate_agent' });
    expect(refused.reason).toMatch(/ran 2 time\(s\) on eu-west-1-0 within the hour \(limit 2\)/);
    expect(x.agents.sent).toHaveLength(2);
    const entry = x.manager.get(refused.incidentId)!.timeline.filter((e) => e.runId === refused.id);
    expect(entry.map((e) => e.kind)).toEqual(['recovery_proposed', 'recovery_refused']);
    expect(await x.metric('meridian_recovery_guardrail_total', { guardrail: 'rate_agent' })).toBe(
      1,
    );
    x.disk(a, 40);
    x.clock.advance(60 * MIN);
    expect((await fillAndRecover(x, a)).state).toBe('succeeded');
    expect(x.agents.sent).toHaveLength(3);
  });

  it("rate limit per agent, all runbooks together: within each runbook's own limit, the console's cap still refuses", async () => {
    const x = await start({ maxRunsPerAgentPerHour: 2 });
    const [a] = x.fleetOf(REGION, 10, ['clean_tmp', 'restart_service']) as [string];
    await x.runbook(diskRunbook({ guardrails: { maxRunsPerAgentPerHour: 3, cooldownMs: 0 } }));
    await x.runbook({
      id: 'cpu',
      name: 'Restart the busy service',
      mode: 'automatic',
      trigger: { ruleIds: ['cpu_usage'] },
      steps: [
        { kind: 'action', action: 'restart_service', params: { unit: 'app' } },
        {
          kind: 'verify',
          condition: { type: 'metric', metric: 'cpu_usage', comparator: '<', threshold: 80 },
          withinMs: 60_000,
        },
      ],
      guardrails: { maxRunsPerAgentPerHour: 3, cooldownMs: 0 },
    });
    expect((await fillAndRecover(x, a)).state).toBe('succeeded');
    x.clock.advance(MIN);
    x.sample(a, 'cpu_usage', 99);
    await settle();
    x.clock.advance(1_000);
    x.sample(a, 'cpu_usage', 20);
    await settle();
    expect(x.recovery.views.runs({ runbook: 'cpu' }).runs[0]!.state).toBe('succeeded');
    x.clock.advance(MIN);
    x.disk(a, 98);
    await settle();
    const refused = x.runOf(a)!;
    expect(refused).toMatchObject({
      runbookId: 'disk',
      state: 'refused',
      guardrail: 'rate_agent_total',
    });
    expect(refused.reason).toMatch(
      /2 recovery run\(s\) of any runbook acted on eu-west-1-0 within the hour \(limit 2/,
    );
    expect(x.agents.sent).toHaveLength(2);
    expect(
      await x.metric('meridian_recovery_guardrail_total', { guardrail: 'rate_agent_total' }),
    ).toBe(1);
  });

  it('rate limit per runbook: over its runs an hour across agents, it is refused', async () => {
    const x = await start();
    const agents = x.fleetOf(REGION, 10);
    await x.runbook(
      diskRunbook({
        guardrails: { maxRunsPerHour: 2, maxConcurrentAgents: 5, maxRegionPercent: 100 },
      }),
    );
    expect((await fillAndRecover(x, agents[0]!)).state).toBe('succeeded');
    expect((await fillAndRecover(x, agents[1]!)).state).toBe('succeeded');
    x.disk(agents[2]!, 98);
    await settle();
    expect(x.runOf(agents[2]!)).toMatchObject({ state: 'refused', guardrail: 'rate_runbook' });
  });

  it('cooldown: a run on the same agent within the cooldown after the last one ended is refused', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook({ guardrails: { cooldownMs: 10 * MIN } }));
    expect((await fillAndRecover(x, a)).state).toBe('succeeded');
    x.clock.advance(9 * MIN);
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'refused', guardrail: 'cooldown' });
    x.disk(a, 40);
    x.clock.advance(2 * MIN);
    expect((await fillAndRecover(x, a)).state).toBe('succeeded');
  });

  it('blast radius: more agents at once than the runbook allows are held for approval, even in automatic mode', async () => {
    const x = await start();
    const agents = x.fleetOf(REGION, 10);
    // The agents take their time: actions stay in flight.
    x.agents.answer = () => null;
    await x.runbook(diskRunbook({ guardrails: { maxConcurrentAgents: 2, maxRegionPercent: 100 } }));
    for (const a of agents.slice(0, 3)) x.disk(a, 98);
    await settle();
    expect(x.runOf(agents[0]!)!.state).toBe('running');
    expect(x.runOf(agents[1]!)!.state).toBe('running');
    const held = x.runOf(agents[2]!)!;
    expect(held).toMatchObject({ state: 'awaiting_approval', guardrail: 'blast_radius' });
    expect(held.reason).toMatch(/already acts on 2 agent\(s\) \(limit 2 at once\)/);
    expect(x.agents.sent).toHaveLength(2);
    // An operator approves this run (by its id) past the blast radius: it acts.
    const [approved] = await x.service.approve(held.incidentId, 'alice', held.id);
    expect(approved).toMatchObject({ state: 'running', approvedBy: 'alice' });
    await settle();
    expect(x.agents.sent).toHaveLength(3);
    expect(x.agents.sent[2]!.msg.approvedBy).toBe('alice');
    const timeline = x.manager.get(held.incidentId)!.timeline;
    expect(timeline.find((e) => e.kind === 'recovery_approved')).toMatchObject({ by: 'alice' });
    expect(x.audit.list({ target: held.id, action: 'recovery.approve' })[0]!.by).toBe('alice');
  });

  it("blast radius: approving an incident's held runs together releases them only within the blast radius; the rest stay held for their own approval", async () => {
    const x = await start();
    const agents = x.fleetOf(REGION, 10);
    x.agents.answer = () => null; // actions stay in flight until the test answers them
    await x.runbook(diskRunbook({ guardrails: { maxConcurrentAgents: 2, maxRegionPercent: 100 } }));
    for (const a of agents.slice(0, 6)) x.disk(a, 98);
    await settle();
    const runs = agents.slice(0, 6).map((a) => x.runOf(a)!);
    expect(new Set(runs.map((r) => r.incidentId)).size).toBe(1);
    const incidentId = runs[0]!.incidentId;
    expect(runs.map((r) => r.state)).toEqual([
      'running',
      'running',
      ...Array<string>(4).fill('awaiting_approval'),
    ]);
    // One approval of the whole incident: two act already, so none of the four is released.
    const approved = await x.service.approve(incidentId, 'alice');
    expect(approved.map((r) => [r.state, r.guardrail, r.approvedBy])).toEqual(
      Array(4).fill(['awaiting_approval', 'blast_radius', 'alice']),
    );
    expect(x.agents.sent).toHaveLength(2);
    const still = x.manager
      .get(incidentId)!
      .timeline.filter((e) => e.runId === runs[2]!.id)
      .map((e) => e.kind);
    expect(still.slice(-2)).toEqual(['recovery_approved', 'recovery_held']);
    // Approved by its id: that one run goes past the blast radius.
    const [one] = await x.service.approve(incidentId, 'alice', runs[2]!.id);
    expect(one).toMatchObject({ state: 'running' });
    await settle();
    expect(x.agents.sent).toHaveLength(3);
    // The first two end; a later approval of the incident releases what fits again (one).
    for (const [i, a] of agents.slice(0, 2).entries()) {
      await x.agents.reply(a, x.agents.sent[i]!.msg, { status: 'succeeded', exitCode: 0 });
      await settle();
      x.disk(a, 40);
      await settle();
      expect(x.runOf(a)!.state).toBe('succeeded');
    }
    const later = await x.service.approve(incidentId, 'bob');
    expect(later.map((r) => r.state)).toEqual([
      'running',
      'awaiting_approval',
      'awaiting_approval',
    ]);
    await settle();
    expect(x.agents.sent).toHaveLength(4);
  });

  it('blast radius per region: past its per cent of the region (at least one agent) it asks', async () => {
    const x = await start();
    const agents = x.fleetOf(REGION, 10);
    x.agents.answer = () => null;
    await x.runbook(diskRunbook({ guardrails: { maxConcurrentAgents: 10, maxRegionPercent: 10 } }));
    x.disk(agents[0]!, 98);
    x.disk(agents[1]!, 98);
    await settle();
    expect(x.runOf(agents[0]!)!.state).toBe('running');
    expect(x.runOf(agents[1]!)).toMatchObject({
      state: 'awaiting_approval',
      guardrail: 'blast_radius',
    });
    expect(x.runOf(agents[1]!)!.reason).toMatch(
      /1 of 10 agent\(s\) of eu-west-1.*limit 10 %, 1 at once/,
    );
  });

  it('a failed region: no action on its agents', async () => {
    const x = await start();
    const agents = x.fleetOf('ap-northeast-1', 4);
    await x.runbook(diskRunbook());
    for (const a of agents.slice(1)) x.down(a);
    expect(x.fleet.region('ap-northeast-1')!.status).toBe('failed');
    x.disk(agents[0]!, 98);
    await settle();
    expect(x.runOf(agents[0]!)).toMatchObject({ state: 'refused', guardrail: 'region_failed' });
    expect(x.agents.sent).toHaveLength(0);
  });

  it('maintenance: no action on an agent whose region is in a maintenance window', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook());
    x.services.maintenance.create(
      {
        name: 'patching',
        regions: [REGION],
        schedule: { kind: 'once', startsAt: x.clock.now(), endsAt: x.clock.now() + 60 * MIN },
      },
      'bob',
    );
    expect(x.fleet.region(REGION)!.status).toBe('maintenance');
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'refused', guardrail: 'region_maintenance' });
    expect(x.agents.sent).toHaveLength(0);
  });

  it('console grace period: a run right after start waits (deferred), then acts when the grace ends', async () => {
    const x = await start({ graceMs: 2 * MIN });
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook());
    x.clock.advance(30_000);
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'deferred', guardrail: 'console_grace' });
    expect(x.runOf(a)!.reason).toMatch(/waits 2 min/);
    expect(x.agents.sent).toHaveLength(0);
    x.clock.advance(90_000 - 1);
    await settle();
    expect(x.agents.sent).toHaveLength(0);
    x.clock.advance(1);
    await settle();
    expect(x.agents.sent).toHaveLength(1);
    expect(x.runOf(a)!.state).toBe('verifying');
  });

  it('a real run waiting when its runbook is switched to dry_run is decided again as a dry run: sent with dryRun true, nothing acts', async () => {
    const x = await start({ graceMs: 2 * MIN });
    const [a, b] = x.fleetOf(REGION, 10) as [string, string];
    await x.runbook(diskRunbook({ guardrails: { maxRegionPercent: 100 } }));
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({
      state: 'deferred',
      guardrail: 'console_grace',
      mode: 'automatic',
    });
    await x.recovery.book.setMode('disk', 'dry_run', 'alice');
    // The waiting run follows the runbook's new mode at once, and says so.
    const switched = x.runOf(a)!;
    expect(switched).toMatchObject({ state: 'deferred', mode: 'dry_run' });
    const deferred = x.audit.list({ target: switched.id, action: 'recovery.deferred' });
    // Newest first.
    expect(deferred.map((e) => (e.after as { mode: string }).mode)).toEqual([
      'dry_run',
      'automatic',
    ]);
    x.clock.advance(2 * MIN);
    await settle();
    expect(x.agents.sent.map((s) => s.msg.dryRun)).toEqual([true]);
    expect(x.runOf(a)).toMatchObject({ state: 'dry_run', mode: 'dry_run' });
    expect(x.recovery.views.actions({ agent: a })[0]).toMatchObject({ dryRun: true });
    // Switched to approval: a's real proposal and b's new run wait for an operator.
    await x.recovery.book.setMode('disk', 'approval', 'alice');
    x.disk(b, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'awaiting_approval', mode: 'approval' });
    expect(x.runOf(b)).toMatchObject({ state: 'awaiting_approval', mode: 'approval' });
    expect(x.agents.sent).toHaveLength(1);
  });

  it('console grace period: an agent not reconnected yet is waited for, not refused for good', async () => {
    const x = await start({ graceMs: 2 * MIN });
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook());
    // The console has just started; this agent has not said hello again yet.
    x.down(a);
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'deferred', guardrail: 'console_grace' });
    x.clock.advance(MIN);
    x.up(a);
    x.clock.advance(MIN);
    await settle();
    expect(x.agents.sent.map((s) => s.agentId)).toEqual([a]);
    expect(x.runOf(a)!.state).toBe('verifying');
  });

  it('one run at a time per agent: a second runbook waits (agent_busy) and starts when the first ends', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10, ['clean_tmp', 'restart_service']) as [string];
    await x.runbook(diskRunbook());
    await x.runbook({
      id: 'cpu',
      name: 'Restart the busy service',
      mode: 'automatic',
      trigger: { ruleIds: ['cpu_usage'] },
      steps: [
        { kind: 'action', action: 'restart_service', params: { unit: 'app' } },
        {
          kind: 'verify',
          condition: { type: 'metric', metric: 'cpu_usage', comparator: '<', threshold: 80 },
          withinMs: 60_000,
        },
      ],
    });
    x.disk(a, 98);
    await settle();
    x.sample(a, 'cpu_usage', 99);
    await settle();
    const runs = x.recovery.views.runs({ agent: a }).runs;
    const cpu = runs.find((r) => r.runbookId === 'cpu')!;
    expect(cpu).toMatchObject({ state: 'deferred', guardrail: 'agent_busy' });
    expect(x.agents.sent.map((s) => s.msg.action)).toEqual(['clean_tmp']);
    x.clock.advance(1_000);
    x.disk(a, 50);
    await settle();
    expect(x.recovery.views.runs({ runbook: 'disk' }).runs[0]!.state).toBe('succeeded');
    expect(x.agents.sent.map((s) => s.msg.action)).toEqual(['clean_tmp', 'restart_service']);
    expect(x.recovery.views.runs({ runbook: 'cpu' }).runs[0]!.state).toBe('verifying');
  });

  it("dry run (a new runbook's default): the agent says what it would run; nothing runs, nothing escalates", async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    const input = diskRunbook();
    delete input.mode;
    const runbook = await x.runbook(input);
    expect(runbook.mode).toBe('dry_run');
    x.disk(a, 98);
    await settle();
    expect(x.agents.sent[0]!.msg.dryRun).toBe(true);
    const run = x.runOf(a)!;
    expect(run.state).toBe('dry_run');
    expect(run.steps.map((s) => s.state)).toEqual(['done', 'skipped', 'skipped']);
    const entry = x.manager.get(run.incidentId)!.timeline.find((e) => e.kind === 'would_have_run');
    expect(entry?.text).toBe('would have run: /usr/bin/true /tmp 7');
    const summary = x.manager
      .get(run.incidentId)!
      .timeline.find((e) => e.kind === 'recovery_verified' && e.runId === run.id);
    expect(summary?.text).toBe(
      'Free disk: dry run done; nothing ran (would have run: /usr/bin/true /tmp 7)',
    );
    x.clock.advance(10 * MIN);
    await settle();
    expect(x.pages.filter((p) => p.note)).toHaveLength(0);
    // Switched to approval, the alert still firing gets a real proposal that waits for an operator.
    await x.recovery.book.setMode('disk', 'approval', 'alice');
    const real = x.runOf(a)!;
    expect(real).toMatchObject({ mode: 'approval', state: 'awaiting_approval', guardrail: null });
  });

  it('approval mode: runs wait for an operator; approve runs it, decline ends it; a stray approve is a conflict', async () => {
    const x = await start();
    const agents = x.fleetOf(REGION, 10);
    await x.runbook(diskRunbook({ mode: 'approval' }));
    x.disk(agents[0]!, 98);
    x.disk(agents[5]!, 98);
    await settle();
    const first = x.runOf(agents[0]!)!;
    const second = x.runOf(agents[5]!)!;
    expect(first).toMatchObject({ state: 'awaiting_approval', guardrail: null });
    expect(x.agents.sent).toHaveLength(0);
    const [ran] = await x.service.approve(first.incidentId, 'alice', first.id, 'go');
    expect(ran).toMatchObject({ state: 'running', approvedBy: 'alice', approvedAt: x.clock.now() });
    await settle();
    expect(x.agents.sent).toHaveLength(1);
    const [declined] = await x.service.decline(second.incidentId, 'bob', undefined, 'not now');
    expect(declined).toMatchObject({ state: 'declined', reason: 'declined by bob: not now' });
    expect(x.agents.sent).toHaveLength(1);
    await expect(x.service.approve(second.incidentId, 'alice', second.id)).rejects.toThrow(
      /is declined, not awaiting approval/,
    );
    expect(x.audit.list({ target: second.id, action: 'recovery.decline' })[0]!.by).toBe('bob');
  });

  it('an incident that resolves before its run was approved cancels the run', async () => {
    const x = await start();
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook({ mode: 'approval' }));
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)!.state).toBe('awaiting_approval');
    x.clock.advance(MIN);
    x.disk(a, 50);
    await settle();
    const run = x.runOf(a)!;
    expect(run).toMatchObject({
      state: 'cancelled',
      reason: 'the incident resolved before it ran',
    });
    const entries = x.manager.get(run.incidentId)!.timeline.filter((e) => e.runId === run.id);
    expect(entries.at(-1)!.kind).toBe('recovery_cancelled');
    expect(x.agents.sent).toHaveLength(0);
  });

  it('a run still waiting when its own alert resolves (the incident still open) is cancelled, never acts', async () => {
    const x = await start({ graceMs: 2 * MIN });
    const [a, b] = x.fleetOf(REGION, 10) as [string, string];
    await x.runbook(diskRunbook({ guardrails: { maxRegionPercent: 100 } }));
    x.disk(a, 98);
    x.disk(b, 98);
    await settle();
    const [ra, rb] = [x.runOf(a)!, x.runOf(b)!];
    expect(ra.incidentId).toBe(rb.incidentId);
    expect([ra.state, rb.state]).toEqual(['deferred', 'deferred']);
    // a's disk is freed by other means while its run waits out the console's grace.
    x.clock.advance(MIN);
    x.disk(a, 50);
    await settle();
    expect(x.manager.get(ra.incidentId)!.state).not.toBe('resolved');
    expect(x.runOf(a)).toMatchObject({
      state: 'cancelled',
      reason: 'its alert resolved before it ran',
    });
    const entries = x.manager.get(ra.incidentId)!.timeline.filter((e) => e.runId === ra.id);
    expect(entries.at(-1)).toMatchObject({ kind: 'recovery_cancelled' });
    x.clock.advance(MIN);
    await settle();
    expect(x.agents.sent.map((s) => s.agentId)).toEqual([b]);
    expect(x.runOf(a)!.state).toBe('cancelled');
    expect(await x.metric('meridian_recovery_runs_total', { outcome: 'cancelled' })).toBe(1);
  });

  it('an action the agent does not offer, or an agent not connected: refused before anything is sent', async () => {
    const x = await start();
    const [a, b] = x.fleetOf(REGION, 10, ['rotate_logs']) as [string, string];
    await x.runbook(diskRunbook());
    x.disk(a, 98);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'refused', guardrail: 'action_not_offered' });
    expect(x.runOf(a)!.reason).toMatch(/does not offer the action clean_tmp/);
    x.agents.offers.delete(b);
    x.disk(b, 98);
    await settle();
    expect(x.runOf(b)).toMatchObject({ state: 'refused', guardrail: 'agent_offline' });
    expect(x.agents.sent).toHaveLength(0);
  });
});

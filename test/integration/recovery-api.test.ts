// Guarded auto-recovery through the real core: the REST API over HTTP, agents over real
// WebSockets (raw agents that answer `action` frames as the real agent does), a webhook
// channel on a real local HTTP server, the stream, files in a temp dir.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiError, StreamChanges } from '../../shared/api.js';
import type { Incident } from '../../shared/incidents.js';
import type {
  ActionRecord,
  IncidentRecoveryFigures,
  RecoveryRoutes,
  RecoveryRun,
  Runbook,
  RunbookInput,
} from '../../shared/recovery.js';
import { actionAgent, type ActionAgent } from '../helpers/action-agent.js';
import {
  metricsFrame,
  SESSION_TOKEN,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { startReceiver, type Receiver } from '../helpers/notify.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function core(): Promise<TestCore> {
  // Pages at once (no group wait): a failed recovery then escalates past the first step.
  const c = await startTestCore({
    recoveryGraceMs: 0,
    notifyGroupWaitMs: 0,
    heartbeatIntervalMs: 60_000,
  });
  cleanup.push(() => c.stop());
  return c;
}

async function agent(
  c: TestCore,
  hello: Parameters<typeof actionAgent>[1] = {},
  offered?: string[],
): Promise<ActionAgent> {
  const a = await actionAgent(c.addr.ingestUrl, hello, offered);
  cleanup.push(() => a.close());
  return a;
}

const json = (method: string, body?: unknown) => ({
  method,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

function diskRunbook(over: Partial<RunbookInput> = {}): RunbookInput {
  return {
    id: 'disk',
    name: 'Free disk',
    mode: 'automatic',
    trigger: { ruleIds: ['disk_usage'] },
    steps: [
      { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp', host: '{{agent.hostname}}' } },
      {
        kind: 'verify',
        condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
        withinMs: 60_000,
      },
      { kind: 'escalate', text: 'disk still full after clean_tmp' },
    ],
    ...over,
  };
}

async function createRunbook(c: TestCore, input: RunbookInput): Promise<Runbook> {
  const res = await c.api<{ runbook: Runbook }>('/api/v1/runbooks?by=alice', json('POST', input));
  expect(res.status).toBe(200);
  return res.body.runbook;
}

type RunsResponse = RecoveryRoutes['GET /api/v1/recovery/runs']['response'];

async function runs(c: TestCore, q = ''): Promise<RunsResponse> {
  return (await c.api<RunsResponse>(`/api/v1/recovery/runs${q}`)).body;
}

/** The newest run of the agent once it is in one of these states. */
function runIn(c: TestCore, agentId: string, ...states: RecoveryRun['state'][]) {
  return waitFor(
    async () => (await runs(c, `?agent=${agentId}`)).runs.find((r) => states.includes(r.state)),
    undefined,
    `a run of ${agentId} ${states.join('|')}`,
  );
}

describe('recovery API', () => {
  it('runbooks: create (dry run by default), read, edit, change mode, delete; bad bodies are 400 naming the field, counted', async () => {
    const c = await core();
    const bad = async (body: unknown, field: string, path = '/api/v1/runbooks') => {
      const res = await c.api<ApiError>(path, json('POST', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_body', field });
    };
    const base = diskRunbook();
    await bad({ ...base, steps: [base.steps[1], base.steps[0]] }, 'steps/1');
    await bad({ ...base, steps: [{ kind: 'wait', ms: 5 }, base.steps[1]] }, 'steps');
    await bad(
      { ...base, steps: [{ kind: 'action', action: 'sh -c' }, base.steps[1]] },
      'steps/0/action',
    );
    await bad({ ...base, trigger: { ruleIds: ['no_such_rule'] } }, 'trigger/ruleIds/0');
    await bad({ ...base, mode: 'yolo' }, 'mode');
    expect(await c.metric('meridian_api_requests_rejected_total', { reason: 'invalid_body' })).toBe(
      5,
    );

    const input = diskRunbook();
    delete input.mode;
    const made = await createRunbook(c, input);
    expect(made).toMatchObject({ id: 'disk', mode: 'dry_run', updatedBy: 'alice' });
    const conflict = await c.api<ApiError>('/api/v1/runbooks', json('POST', input));
    expect(conflict.status).toBe(409);
    const one =
      await c.api<RecoveryRoutes['GET /api/v1/runbooks/:id']['response']>('/api/v1/runbooks/disk');
    expect(one.body).toMatchObject({ runbook: { id: 'disk' }, stats: { runs: 0 }, runs: [] });
    expect((await c.api('/api/v1/runbooks/nope')).status).toBe(404);
    const edited = await c.api<{ runbook: Runbook }>(
      '/api/v1/runbooks/disk?by=bob',
      json('PUT', { ...input, description: 'frees /tmp' }),
    );
    expect(edited.body.runbook).toMatchObject({ description: 'frees /tmp', updatedBy: 'bob' });
    const mode = await c.api<{ runbook: Runbook }>(
      '/api/v1/runbooks/disk/mode',
      json('POST', { mode: 'approval', by: 'carol' }),
    );
    expect(mode.body.runbook.mode).toBe('approval');
    await bad({ mode: 'sometimes' }, 'mode', '/api/v1/runbooks/disk/mode');
    const list =
      await c.api<RecoveryRoutes['GET /api/v1/runbooks']['response']>('/api/v1/runbooks');
    expect(list.body.runbooks.map((r) => r.id)).toEqual(['disk']);
    expect(list.body.stats).toEqual([expect.objectContaining({ runbookId: 'disk', runs: 0 })]);
    const audit = await c.api<{ entries: { action: string; by: string }[] }>(
      '/api/v1/audit?target=disk',
    );
    expect(audit.body.entries.map((e) => `${e.action}:${e.by}`)).toEqual([
      'runbook.mode:carol',
      'runbook.update:bob',
      'runbook.create:alice',
    ]);
    expect((await c.api('/api/v1/runbooks/disk?by=dave', json('DELETE'))).body).toEqual({
      deleted: 'disk',
    });
    expect((await c.api('/api/v1/runbooks/disk', json('DELETE'))).status).toBe(404);
    expect((await c.api('/api/v1/incidents/inc-404/approve', json('POST', {}))).status).toBe(404);
  });

  it('http steps over REST: a placeholder where a label could redirect or reshape the call is 400 naming the field; a redacted token stays only with the same call', async () => {
    const c = await core();
    const verify = diskRunbook().steps[1]!;
    const http = (over: Record<string, unknown> = {}) => ({
      kind: 'http',
      name: 'launch',
      method: 'POST',
      url: 'https://awx.example/api/v2/job_templates/7/launch/',
      headers: { Authorization: 'Bearer awx-token' },
      ...over,
    });
    const body = (step: unknown) => ({ ...diskRunbook(), id: 'awx', steps: [step, verify] });
    for (const [over, field] of [
      [{ url: 'https://{{labels.site}}/api/v2/launch/' }, 'steps/0/url'],
      [{ headers: { 'X-Host': '{{agent.hostname}}' } }, 'steps/0/headers/X-Host'],
      [{ body: '{"limit": {{labels.site}}}' }, 'steps/0/body'],
    ] as const) {
      const res = await c.api<ApiError>('/api/v1/runbooks', json('POST', body(http(over))));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_body', field });
    }
    const made = await createRunbook(c, body(http()) as RunbookInput);
    const shown = made.steps[0]!;
    expect(JSON.stringify(shown)).not.toContain('awx-token');
    const moved = await c.api<ApiError>(
      '/api/v1/runbooks/awx',
      json('PUT', body({ ...shown, url: 'https://attacker.example/collect' })),
    );
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({
      code: 'invalid_body',
      field: 'steps/0/headers/Authorization',
    });
    expect(moved.body.error.message).toMatch(/give the value again/);
  });

  it('disk fills: the action runs on the agent, its disk_usage falls, the run succeeds and the incident resolves with its figures', async () => {
    const c = await core();
    const viewer = new WebSocket(
      `${c.addr.apiUrl.replace('http', 'ws')}/api/v1/stream?token=${SESSION_TOKEN}`,
    );
    cleanup.push(async () => void viewer.terminate());
    const frames: StreamChanges[] = [];
    viewer.on('message', (d) => frames.push(JSON.parse(String(d)) as StreamChanges));
    await createRunbook(c, diskRunbook());
    const a = await agent(c, { hostname: 'db-7' });
    a.sample(98);
    const action = await a.nthAction(1);
    expect(action).toMatchObject({
      action: 'clean_tmp',
      params: { dir: '/tmp', host: 'db-7' },
      dryRun: false,
    });
    expect(action.deadline).toBeGreaterThan(Date.now());
    await waitFor(() => a.acks.includes(action.id), undefined, 'the action_ack');
    await runIn(c, a.agentId, 'verifying');
    a.sample(41);
    const done = await runIn(c, a.agentId, 'succeeded');
    expect(done.steps.map((s) => s.state)).toEqual(['done', 'done', 'skipped']);
    const incident = await waitFor(
      async () => {
        const i = (await c.api<{ incident: Incident }>(`/api/v1/incidents/${done.incidentId}`)).body
          .incident;
        return i.state === 'resolved' && i;
      },
      undefined,
      'the incident to resolve',
    );
    const fig = (await runs(c, `?incident=${done.incidentId}`))
      .figures[0] as IncidentRecoveryFigures;
    expect(fig).toMatchObject({ incidentId: incident.id, automatic: true });
    expect(fig.timeToRecoverMs).toBe(incident.resolvedAt! - incident.openedAt);
    expect(fig.timeToActMs).toBeGreaterThanOrEqual(0);
    expect(fig.timeToDetectMs).toBeGreaterThanOrEqual(0);
    expect(incident.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'recovery_proposed',
        'recovery_dispatched',
        'recovery_result',
        'recovery_verified',
      ]),
    );
    const actions = (await c.api<{ actions: ActionRecord[] }>(`/api/v1/actions?agent=${a.agentId}`))
      .body.actions;
    expect(actions).toEqual([
      expect.objectContaining({
        id: action.id,
        status: 'succeeded',
        exitCode: 0,
        output: 'removed 12 files (4.2 GiB) from /tmp',
      }),
    ]);
    const stats = (
      await c.api<RecoveryRoutes['GET /api/v1/recovery/stats']['response']>(
        '/api/v1/recovery/stats',
      )
    ).body;
    expect(stats.runbooks[0]).toMatchObject({
      runbookId: 'disk',
      runs: 1,
      succeeded: 1,
      successRate: 1,
    });
    expect(stats.overall).toMatchObject({ incidents: 1, automatic: 1 });
    expect(stats.bySeverity.critical).toMatchObject({ incidents: 1 });
    expect(await c.metric('meridian_recovery_runs_total', { outcome: 'succeeded' })).toBe(1);
    expect(await c.metric('meridian_recovery_mttr_seconds_count', { automatic: 'true' })).toBe(1);
    // The stream carried the run as it changed.
    await waitFor(
      () =>
        frames.some(
          (f) =>
            f.type === 'changes' &&
            f.runs?.some((r) => r.id === done.id && r.state === 'succeeded'),
        ),
      undefined,
      'the run on the stream',
    );
  });

  it("a verify step on another metric than the alert's, without labels, holds only when every series of it the agent reports does", async () => {
    const c = await core();
    await createRunbook(c, {
      id: 'cpu',
      name: 'Calm the CPU',
      mode: 'automatic',
      trigger: { ruleIds: ['cpu_usage'] },
      steps: [
        { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
        {
          kind: 'verify',
          condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
          withinMs: 60_000,
        },
      ],
    });
    const a = await agent(c, { hostname: 'db-9' });
    const batch = async (
      samples: { name: string; value: number; labels?: Record<string, string> }[],
    ) => {
      const frame = metricsFrame(samples);
      a.send(frame);
      for (;;) if ((await a.next<{ seq: number }>('ack')).seq === frame.seq) return;
    };
    const disk = (mount: string, value: number) => ({
      name: 'disk_usage',
      value,
      labels: { mount },
    });
    // Two volumes the console knows of, one of them full.
    await batch([disk('/a', 80), disk('/b', 88)]);
    await batch([{ name: 'cpu_usage', value: 99 }]);
    await a.nthAction(1);
    await runIn(c, a.agentId, 'verifying');
    // One volume fine is not the agent fine.
    await batch([disk('/a', 40)]);
    await batch([disk('/a', 41), disk('/b', 88)]);
    expect((await runs(c, `?agent=${a.agentId}`)).runs[0]!.state).toBe('verifying');
    await batch([disk('/b', 50)]);
    const done = await runIn(c, a.agentId, 'succeeded');
    expect(done.steps[1]!.text).toBe('disk_usage < 85 on all 2 series (41, 50)');
  });

  it('a verification that never clears escalates at once through the policy: the webhook gets the output', async () => {
    const c = await core();
    const hook: Receiver = await startReceiver();
    cleanup.push(() => hook.close());
    await c.api(
      '/api/v1/channels',
      json('POST', { kind: 'webhook', id: 'oncall', name: 'On call', url: hook.url }),
    );
    await c.api(
      '/api/v1/policies/default',
      json('PUT', {
        name: 'criticals',
        match: { severities: ['critical'] },
        steps: [
          { afterMs: 0, channelIds: ['desktop'] },
          { afterMs: 30 * 60_000, channelIds: ['oncall'] },
        ],
      }),
    );
    await createRunbook(
      c,
      diskRunbook({
        steps: [
          { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
          {
            kind: 'verify',
            condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
            withinMs: 1_000,
          },
        ],
      }),
    );
    const a = await agent(c);
    a.answer = () => ({ status: 'succeeded', exitCode: 0, output: 'nothing older than 7 days' });
    a.sample(98);
    const failed = await runIn(c, a.agentId, 'failed');
    expect(failed.reason).toMatch(/^step 2 \(verify\) failed: /);
    expect(failed.escalated).toBe(true);
    const [got] = await waitFor(
      () => hook.received.length > 0 && hook.received,
      undefined,
      'the escalation',
    );
    expect(got!.json).toMatchObject({
      kind: 'escalation',
      step: 1,
      note: { output: 'nothing older than 7 days' },
      incident: { id: failed.incidentId },
    });
    expect((got!.json as { note: { text: string } }).note.text).toMatch(
      /^recovery Free disk failed/,
    );
  });

  it('approval mode: the run waits; approved over REST it runs; approving again is 409; declined runs never act', async () => {
    const c = await core();
    await createRunbook(c, diskRunbook({ mode: 'approval' }));
    const a = await agent(c, { hostname: 'web-1' });
    const b = await agent(c, { hostname: 'web-2' });
    a.sample(98);
    b.sample(98);
    const held = await runIn(c, a.agentId, 'awaiting_approval');
    const other = await runIn(c, b.agentId, 'awaiting_approval');
    expect(a.actions).toHaveLength(0);
    const approved = await c.api<{ runs: RecoveryRun[] }>(
      `/api/v1/incidents/${held.incidentId}/approve`,
      json('POST', { by: 'alice', runId: held.id, comment: 'go ahead' }),
    );
    expect(approved.status).toBe(200);
    expect(approved.body.runs[0]).toMatchObject({ id: held.id, approvedBy: 'alice' });
    const action = await a.nthAction(1);
    expect(action.approvedBy).toBe('alice');
    const again = await c.api<ApiError>(
      `/api/v1/incidents/${held.incidentId}/approve`,
      json('POST', { by: 'alice', runId: held.id }),
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_awaiting_approval');
    const declined = await c.api<{ runs: RecoveryRun[] }>(
      `/api/v1/incidents/${other.incidentId}/decline`,
      json('POST', { by: 'bob' }),
    );
    expect(declined.body.runs[0]).toMatchObject({ state: 'declined' });
    a.sample(50);
    await runIn(c, a.agentId, 'succeeded');
    expect(b.actions).toHaveLength(0);
    const timeline = (await c.api<{ incident: Incident }>(`/api/v1/incidents/${held.incidentId}`))
      .body.incident.timeline;
    expect(timeline.find((e) => e.kind === 'recovery_approved')).toMatchObject({
      by: 'alice',
      text: 'Free disk approved: go ahead',
    });
  });

  it('refusals: an action the agent does not offer, over the rate limit, over the blast radius, a failed region', async () => {
    const c = await core();
    await createRunbook(
      c,
      diskRunbook({
        guardrails: {
          maxRunsPerAgentPerHour: 1,
          cooldownMs: 0,
          maxConcurrentAgents: 1,
          maxRegionPercent: 100,
        },
      }),
    );
    // Not offered: the agent's actions file has no clean_tmp.
    const logsOnly = await agent(c, { hostname: 'logs-1', region: 'us-west-2' }, ['rotate_logs']);
    logsOnly.sample(98);
    const notOffered = await runIn(c, logsOnly.agentId, 'refused');
    expect(notOffered).toMatchObject({ guardrail: 'action_not_offered' });
    expect(logsOnly.actions).toHaveLength(0);

    // Rate limit: the second run on one agent within the hour is refused.
    const a = await agent(c, { hostname: 'web-1' });
    a.sample(98);
    await runIn(c, a.agentId, 'verifying');
    a.sample(40);
    await runIn(c, a.agentId, 'succeeded');
    a.sample(98);
    const limited = await runIn(c, a.agentId, 'refused');
    expect(limited).toMatchObject({ guardrail: 'rate_agent' });
    expect(a.actions).toHaveLength(1);

    // Blast radius: one agent at a time; while one acts, the next is held for approval.
    const slow = await agent(c, { hostname: 'web-2' });
    slow.answer = () => null;
    const next = await agent(c, { hostname: 'web-3' });
    slow.sample(98);
    await slow.nthAction(1);
    next.sample(98);
    const held = await runIn(c, next.agentId, 'awaiting_approval');
    expect(held).toMatchObject({ guardrail: 'blast_radius' });
    expect(next.actions).toHaveLength(0);

    // A failed region: 3 of its 4 agents gone, the one left is not acted on.
    const tokyo = [];
    for (let i = 0; i < 4; i++)
      tokyo.push(await agent(c, { hostname: `tk-${i}`, region: 'ap-northeast-1' }));
    for (const t of tokyo.slice(1)) await t.close();
    await waitFor(
      async () =>
        (
          await c.api<{ regions: { id: string; status: string }[] }>('/api/v1/regions')
        ).body.regions.find((r) => r.id === 'ap-northeast-1' && r.status === 'failed'),
      undefined,
      'the region to fail',
    );
    tokyo[0]!.sample(98);
    const failedRegion = await runIn(c, tokyo[0]!.agentId, 'refused');
    expect(failedRegion).toMatchObject({ guardrail: 'region_failed' });
    for (const [guardrail, n] of [
      ['action_not_offered', 1],
      ['rate_agent', 1],
      ['blast_radius', 1],
      ['region_failed', 1],
    ] as const)
      expect(await c.metric('meridian_recovery_guardrail_total', { guardrail })).toBe(n);
  });
});

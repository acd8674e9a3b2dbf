// The runner: verification decides success; a verification that never clears, a refused or
// unanswered action, escalate at once through the incident's policy with the output attached;
// an http step against a REAL local HTTP server playing AWX (launch, then poll the job).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionRecord, RecoveryRun } from '../../shared/recovery.js';
import { decodeLine } from '../../electron/core/checked-line.js';
import { waitFor } from '../helpers/core.js';
import {
  diskRunbook,
  recoveryWorld,
  settle,
  type RecoveryWorld,
} from './support/recovery-fixture.js';

const REGION = 'eu-west-1';

/** A real HTTP server answering as AWX does: launch a job template, then report the job. */
async function fakeAwx(statuses: string[]) {
  const seen: { method: string; path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let polls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/v2/job_templates/7/launch/') {
        res.statusCode = 201;
        res.end(JSON.stringify({ job: 42, url: '/api/v2/jobs/42/', status: 'pending' }));
        return;
      }
      if (req.method === 'GET' && req.url === '/api/v2/jobs/42/') {
        const status = statuses[Math.min(polls++, statuses.length - 1)];
        res.end(JSON.stringify({ id: 42, status, result_stdout: `job is ${status}` }));
        return;
      }
      res.statusCode = 404;
      res.end('{"detail":"Not found."}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    polls: () => polls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A real HTTP server that answers 201 to any request and keeps what it got. */
async function captureServer() {
  const seen: { method: string; path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"id":1}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What a record log on disk holds now: each key's newest value (read as a restart would). */
function onDisk<T>(path: string): Map<string, T> {
  const out = new Map<string, T>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const payload = decodeLine(line);
    if (payload === null) continue;
    const [op, key, value] = JSON.parse(payload) as ['p' | 'd', string, T];
    if (op === 'p') out.set(key, value);
    else out.delete(key);
  }
  return out;
}

describe('recovery runner', () => {
  let w: RecoveryWorld | null = null;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
    await w?.closeAll();
    await w?.remove();
    w = null;
  });

  it('a verification that never clears fails at the end of its window and escalates at once, with the output', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    x.agents.answer = () => ({
      status: 'succeeded',
      exitCode: 0,
      output: 'removed 0 files; /tmp is empty',
    });
    await x.runbook(diskRunbook());
    x.disk(a, 98);
    await settle();
    const first = x.pages.length;
    expect(first).toBe(1); // the incident's own first page
    expect(x.runOf(a)!.state).toBe('verifying');
    x.clock.advance(60_000);
    x.disk(a, 96);
    await settle();
    x.clock.advance(60_000 - 1);
    await settle();
    expect(x.runOf(a)!.state).toBe('verifying');
    expect(x.pages).toHaveLength(first);
    x.clock.advance(1);
    await settle();
    const run = x.runOf(a)!;
    expect(run).toMatchObject({ state: 'failed', escalated: true, endedAt: x.clock.now() });
    expect(run.reason).toBe(
      'step 2 (verify) failed: disk_usage still 96 (wanted < 85) after 120 s',
    );
    // At once: the policy's next step (5 min after the first page) did not wait its turn.
    expect(x.pages).toHaveLength(first + 1);
    const page = x.pages.at(-1)!;
    expect(page).toMatchObject({ kind: 'escalation', step: 1, sentAt: x.clock.now() });
    expect(page.note!.text).toMatch(
      /^recovery Free disk failed: disk still full after clean_tmp — step 2/,
    );
    expect(page.note!.output).toBe('removed 0 files; /tmp is empty');
    const timeline = x.manager.get(run.incidentId)!.timeline;
    const escalated = timeline.filter((e) => e.kind === 'escalated').at(-1)!;
    expect(escalated.text).toMatch(/recovery Free disk failed.*step 2 of/);
    expect(escalated.output).toBe('removed 0 files; /tmp is empty');
    expect(timeline.find((e) => e.kind === 'recovery_failed')!.output).toBe(
      'removed 0 files; /tmp is empty',
    );
    expect(run.steps.map((s) => s.state)).toEqual(['done', 'failed', 'skipped']);
    expect(x.audit.list({ target: run.id, action: 'recovery.escalate' })[0]!.after).toMatchObject({
      paged: true,
    });
  });

  it('an action the agent refuses fails the run and escalates at once; the exit code is not what decides', async () => {
    const x = (w = await recoveryWorld());
    const [a, b] = x.fleetOf(REGION, 10) as [string, string];
    x.agents.answer = (agentId) =>
      agentId === a
        ? {
            status: 'refused',
            reason: 'bad_parameter: days must match ^[0-9]{1,3}$',
            exitCode: null,
          }
        : { status: 'failed', exitCode: 3, output: 'find: /tmp: permission denied' };
    await x.runbook(diskRunbook({ guardrails: { maxConcurrentAgents: 5, maxRegionPercent: 100 } }));
    x.disk(a, 98);
    x.disk(b, 98);
    await settle();
    const refused = x.runOf(a)!;
    expect(refused).toMatchObject({ state: 'failed', escalated: true });
    expect(refused.reason).toBe(
      'step 1 (action) failed: clean_tmp refused: bad_parameter: days must match ^[0-9]{1,3}$',
    );
    const failed = x.runOf(b)!;
    expect(failed).toMatchObject({ state: 'failed', escalated: true });
    expect(failed.reason).toMatch(/clean_tmp exited 3/);
    const notes = x.pages.filter((p) => p.note).map((p) => p.note!);
    expect(notes).toHaveLength(2);
    expect(notes.find((n) => n.output === 'find: /tmp: permission denied')).toBeDefined();
    const actions = x.recovery.views.actions({ agent: b });
    expect(actions[0]).toMatchObject({
      status: 'failed',
      exitCode: 3,
      kind: 'agent',
      dryRun: false,
    });
  });

  it('an action never answered times out at its deadline (plus the grace for a late result) and escalates', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    x.agents.answer = () => null;
    await x.runbook(
      diskRunbook({
        steps: [
          { kind: 'action', action: 'clean_tmp', timeoutMs: 10_000 },
          {
            kind: 'verify',
            condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
            withinMs: 60_000,
          },
        ],
      }),
    );
    x.disk(a, 98);
    await settle();
    x.clock.advance(15_000 - 1);
    await settle();
    expect(x.runOf(a)!.state).toBe('running');
    x.clock.advance(1);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'failed', escalated: true });
    const [action] = x.recovery.views.actions({ agent: a });
    expect(action).toMatchObject({ status: 'timeout', endedAt: x.clock.now() });
    // The agent answers after all: the result is kept on the record.
    await x.agents.reply(a, x.agents.sent[0]!.msg, {
      status: 'succeeded',
      exitCode: 0,
      output: 'late',
    });
    const [late] = x.recovery.views.actions({ agent: a });
    expect(late).toMatchObject({ status: 'succeeded', output: 'late' });
    expect(late!.reason).toMatch(/arrived after the console stopped waiting/);
  });

  it('an http step calls AWX (a real HTTP server): launches the job, polls its status until successful, then verifies', async () => {
    const awx = await fakeAwx(['pending', 'running', 'successful']);
    closers.push(awx.close);
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10, []) as [string];
    await x.runbook({
      id: 'awx',
      name: 'AWX cleanup',
      mode: 'automatic',
      trigger: { ruleIds: ['disk_usage'] },
      steps: [
        {
          kind: 'http',
          name: 'launch cleanup job',
          method: 'POST',
          url: `${awx.base}/api/v2/job_templates/7/launch/`,
          headers: { Authorization: 'Bearer awx-token' },
          body: '{"extra_vars":{"host":"{{agent.hostname}}","region":"{{region}}"}}',
          expectStatus: [201],
          statusUrl: '{{response.url}}',
          statusField: 'status',
          successValues: ['successful'],
          failureValues: ['failed', 'error', 'canceled'],
          pollEveryMs: 1_000,
          timeoutMs: 60_000,
        },
        {
          kind: 'verify',
          condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
          withinMs: 120_000,
        },
      ],
    });
    x.disk(a, 98);
    // Each poll waits on the clock: step it while the job runs.
    await waitFor(
      async () => {
        x.clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 5));
        return x.runOf(a)?.state === 'verifying';
      },
      undefined,
      'the AWX job to succeed',
    );
    expect(awx.seen[0]).toMatchObject({ method: 'POST', path: '/api/v2/job_templates/7/launch/' });
    expect(awx.seen[0]!.headers.authorization).toBe('Bearer awx-token');
    expect(JSON.parse(awx.seen[0]!.body)).toEqual({
      extra_vars: { host: 'eu-west-1-0', region: REGION },
    });
    expect(awx.polls()).toBe(3);
    expect(awx.seen[1]!.headers.authorization).toBe('Bearer awx-token');
    const [call] = x.recovery.views.actions({ incident: x.runOf(a)!.incidentId });
    expect(call).toMatchObject({
      kind: 'http',
      action: 'launch cleanup job',
      status: 'succeeded',
      httpStatus: 201,
      agentId: null,
    });
    expect(call!.output).toContain('job is successful');
    x.clock.advance(1_000);
    x.disk(a, 50);
    await settle();
    expect(x.runOf(a)!.state).toBe('succeeded');
    // GET shows the runbook without its token.
    expect(JSON.stringify(x.recovery.views.runbooks())).not.toContain('awx-token');
  });

  it('an AWX job that fails fails the step and escalates with the job output', async () => {
    const awx = await fakeAwx(['running', 'failed']);
    closers.push(awx.close);
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10, []) as [string];
    await x.runbook({
      id: 'awx',
      name: 'AWX cleanup',
      mode: 'automatic',
      trigger: { ruleIds: ['disk_usage'] },
      steps: [
        {
          kind: 'http',
          name: 'launch cleanup job',
          method: 'POST',
          url: `${awx.base}/api/v2/job_templates/7/launch/`,
          statusUrl: '{{response.url}}',
          statusField: 'status',
          successValues: ['successful'],
          failureValues: ['failed'],
          pollEveryMs: 1_000,
        },
        { kind: 'verify', condition: { type: 'alert_resolved' }, withinMs: 60_000 },
      ],
    });
    x.disk(a, 98);
    await waitFor(
      async () => {
        x.clock.advance(1_000);
        await new Promise((r) => setTimeout(r, 5));
        return x.runOf(a)?.state === 'failed';
      },
      undefined,
      'the AWX job to fail',
    );
    const run = x.runOf(a)!;
    expect(run.reason).toBe('step 1 (http) failed: launch cleanup job: status = "failed"');
    expect(x.pages.at(-1)!.note!.output).toContain('job is failed');
  });
  it('label values from an agent are encoded where they land: one path segment of the URL, one JSON string of the body', async () => {
    const hook = await captureServer();
    closers.push(hook.close);
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10, []) as [string];
    await x.runbook({
      id: 'awx',
      name: 'AWX cleanup',
      mode: 'automatic',
      trigger: { ruleIds: ['disk_usage'] },
      steps: [
        {
          kind: 'http',
          name: 'launch cleanup job',
          method: 'POST',
          url: `${hook.base}/api/v2/hosts/{{labels.site}}/launch/?region={{region}}`,
          headers: { Authorization: 'Bearer awx-token' },
          body: '{"extra_vars":{"host":"{{agent.hostname}}"},"limit":"{{labels.limit}}"}',
        },
        {
          kind: 'verify',
          condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
          withinMs: 60_000,
        },
      ],
    });
    // What a hostile or broken agent can put in its series' labels.
    const site = 'evil.example/steal?x=1#@attacker';
    const limit = 'x","extra_vars":{"rm":"all"},"a":"';
    x.sample(a, 'disk_usage', 98, { site, limit });
    const [got] = await waitFor(() => hook.seen.length > 0 && hook.seen, undefined, 'the call');
    expect(got!.path).toBe(`/api/v2/hosts/${encodeURIComponent(site)}/launch/?region=${REGION}`);
    expect(JSON.parse(got!.body)).toEqual({ extra_vars: { host: 'eu-west-1-0' }, limit });
    expect(got!.headers.authorization).toBe('Bearer awx-token');
  });

  it('an action parameter filled in with a value that is not plain text is never sent: the run fails and escalates', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(
      diskRunbook({
        steps: [
          { kind: 'action', action: 'clean_tmp', params: { dir: '{{labels.mount}}', days: '7' } },
          diskRunbook().steps[1]!,
        ],
      }),
    );
    x.sample(a, 'disk_usage', 98, { mount: '/tmp\n/etc' });
    await settle();
    const run = x.runOf(a)!;
    expect(run).toMatchObject({ state: 'failed', escalated: true });
    expect(run.reason).toMatch(/params\/dir: the value filled in is not plain text/);
    expect(x.agents.sent).toHaveLength(0);
  });
  it('an action goes out only once its action record and its run (dispatched) are durable on disk', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    const atSend: { action: ActionRecord | undefined; runs: RecoveryRun[] }[] = [];
    const send = x.agents.sendAction.bind(x.agents);
    x.agents.sendAction = (agentId, msg) => {
      atSend.push({
        action: onDisk<ActionRecord>(join(x.dir, 'actions.ndjson')).get(msg.id),
        runs: [...onDisk<RecoveryRun>(join(x.dir, 'recovery-runs.ndjson')).values()],
      });
      return send(agentId, msg);
    };
    await x.runbook(diskRunbook());
    x.disk(a, 98);
    await settle();
    expect(x.agents.sent).toHaveLength(1);
    const run = x.runOf(a)!;
    expect(atSend[0]!.action).toMatchObject({
      id: x.agents.sent[0]!.msg.id,
      runId: run.id,
      status: null,
      dryRun: false,
    });
    expect(atSend[0]!.runs.find((r) => r.id === run.id)).toMatchObject({
      state: 'running',
      dispatchedAt: run.dispatchedAt,
    });
  });
  it('an online verification after an agent action holds only when the agent comes back (a new hello), not because it is online', async () => {
    const x = (w = await recoveryWorld());
    const [a, b] = x.fleetOf(REGION, 10) as [string, string];
    await x.runbook(
      diskRunbook({
        steps: [
          { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
          { kind: 'verify', condition: { type: 'online' }, withinMs: 60_000 },
        ],
        guardrails: { maxRegionPercent: 100 },
      }),
    );
    x.disk(a, 98);
    x.disk(b, 98);
    await settle();
    // Both were online when acted on (they had to be): that proves nothing.
    expect(x.runOf(a)!.state).toBe('verifying');
    expect(x.runOf(b)!.state).toBe('verifying');
    x.clock.advance(30_000);
    // a restarts: its connection drops and it says hello again.
    x.down(a);
    x.up(a);
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'succeeded' });
    expect(x.runOf(a)!.steps[1]!.text).toBe('agent back online');
    // b stays connected throughout: the window ends without it coming back.
    x.clock.advance(30_000);
    await settle();
    expect(x.runOf(b)).toMatchObject({ state: 'failed', escalated: true });
    expect(x.runOf(b)!.reason).toMatch(
      /agent did not come back online \(a new hello\) within 60 s/,
    );
  });
  it('a resent result is acked only once the result is durable: a resend while the first write has not landed waits for it', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    x.agents.answer = () => null;
    await x.runbook(diskRunbook());
    x.disk(a, 98);
    await settle();
    const msg = x.agents.sent[0]!.msg;
    const stored = () => onDisk<ActionRecord>(join(x.dir, 'actions.ndjson')).get(msg.id)?.status;
    const first = x.agents.reply(a, msg, { status: 'succeeded', output: 'cleaned' });
    // The agent reconnected and sent it again before the first write landed.
    const resend = x.agents.reply(a, msg, { status: 'succeeded', output: 'cleaned' });
    // What the ack of the resend would rest on: the record on disk at that moment.
    expect(await resend.then(stored)).toBe('succeeded');
    await first;
    expect(await x.metric('meridian_action_results_rejected_total', { reason: 'duplicate' })).toBe(
      1,
    );
  });
  it('a result arriving after the console gave up on it, and after a console restart, is still recorded; a resend of it then is a duplicate', async () => {
    const first = (w = await recoveryWorld());
    const [a] = first.fleetOf(REGION, 10) as [string];
    first.agents.answer = () => null;
    await first.runbook(diskRunbook());
    first.disk(a, 98);
    await settle();
    first.clock.advance(65_000);
    await settle();
    const msg = first.agents.sent[0]!.msg;
    expect(first.recovery.views.actions({ agent: a })[0]).toMatchObject({ status: 'timeout' });
    await first.closeAll();
    // The console restarts; the agent reconnects and delivers the result it kept.
    const x = (w = await recoveryWorld({ dir: first.dir }));
    x.agents.offers.set(a, ['clean_tmp']);
    await x.agents.reply(a, msg, { status: 'succeeded', exitCode: 0, output: 'late' });
    const [late] = x.recovery.views.actions({ agent: a });
    expect(late).toMatchObject({ status: 'succeeded', output: 'late' });
    expect(late!.reason).toMatch(/arrived after the console stopped waiting/);
    await x.agents.reply(a, msg, { status: 'succeeded', exitCode: 0, output: 'late' });
    expect(await x.metric('meridian_action_results_rejected_total', { reason: 'duplicate' })).toBe(
      1,
    );
  });
  it("alert_resolved holds when the alert's condition clears, not when an operator resolves it by hand", async () => {
    const x = (w = await recoveryWorld());
    const [a, b] = x.fleetOf(REGION, 10) as [string, string];
    await x.runbook(
      diskRunbook({
        steps: [
          { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
          { kind: 'verify', condition: { type: 'alert_resolved' }, withinMs: 60_000 },
        ],
        guardrails: { maxRegionPercent: 100 },
      }),
    );
    x.disk(a, 98);
    x.disk(b, 98);
    await settle();
    expect([x.runOf(a)!.state, x.runOf(b)!.state]).toEqual(['verifying', 'verifying']);
    // An operator closes a's alert by hand: nothing says the disk is any emptier.
    x.alerts.resolve(x.runOf(a)!.alertId, 'alice');
    await settle();
    expect(x.runOf(a)).toMatchObject({ state: 'failed' });
    expect(x.runOf(a)!.reason).toBe(
      'step 2 (verify) failed: alert resolved by alice by hand, not by its condition clearing',
    );
    // b's disk empties: its alert clears by itself.
    x.clock.advance(1_000);
    x.disk(b, 40);
    await settle();
    expect(x.runOf(b)).toMatchObject({ state: 'succeeded' });
    expect(x.runOf(b)!.steps[1]!.text).toBe('alert resolved');
  });

  it('an incident that reopens and resolves again is counted once on the MTTR histogram', async () => {
    const x = (w = await recoveryWorld());
    const [a] = x.fleetOf(REGION, 10) as [string];
    await x.runbook(diskRunbook());
    const mttrCount = async () =>
      (await x.registry.getSingleMetric('meridian_recovery_mttr_seconds')!.get()).values
        .filter(
          (v) =>
            (v as { metricName?: string }).metricName === 'meridian_recovery_mttr_seconds_count',
        )
        .reduce((n, v) => n + v.value, 0);
    x.disk(a, 98);
    await settle();
    x.clock.advance(1_000);
    x.disk(a, 40);
    await settle();
    const run = x.runOf(a)!;
    expect(run.state).toBe('succeeded');
    expect(x.manager.get(run.incidentId)!.state).toBe('resolved');
    expect(await mttrCount()).toBe(1);
    // The disk fills again at once: the same incident reopens, then resolves again.
    x.clock.advance(1_000);
    x.disk(a, 98);
    await settle();
    expect(x.manager.get(run.incidentId)!.state).not.toBe('resolved');
    x.clock.advance(1_000);
    x.disk(a, 40);
    await settle();
    expect(x.manager.get(run.incidentId)!.state).toBe('resolved');
    expect(await mttrCount()).toBe(1);
  });
});

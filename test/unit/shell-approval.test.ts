// The desktop's "Approve clean_tmp on db-2?" notifications (issue 12): which runs notify and
// when they close, the notification per platform (an Approve button on macOS and Windows, a
// click to the incident elsewhere), who approves, and the approval over real HTTP.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionName,
  approvalFailedNotification,
  approvalNotification,
  ApprovalWatcher,
  approverFor,
  approveRun,
  fetchRunsView,
  runsToNotify,
  type RunsView,
} from '../../electron/shell/approval-notify.js';
import { ManualClock } from '../../shared/clock.js';
import type { RecoveryRun } from '../../shared/recovery.js';
import { run, runbook } from './support/recovery-views-fixture.js';

const waiting = (id: string) => run({ id, state: 'awaiting_approval', mode: 'approval' });

describe('runsToNotify', () => {
  it('notifies each run once, when it comes to await approval, and closes it when it stops', () => {
    const first = runsToNotify(new Set(), [waiting('r1'), run({ id: 'r0', state: 'succeeded' })]);
    expect(first.notify.map((r) => r.id)).toEqual(['r1']);
    expect(first.gone).toEqual([]);
    const again = runsToNotify(first.shown, [waiting('r1'), waiting('r2')]);
    expect(again.notify.map((r) => r.id)).toEqual(['r2']);
    const approved = runsToNotify(again.shown, [run({ id: 'r1', state: 'queued' }), waiting('r2')]);
    expect(approved.notify).toEqual([]);
    expect(approved.gone).toEqual(['r1']);
    expect([...approved.shown]).toEqual(['r2']);
  });
});

describe('approvalNotification', () => {
  const ctx = { action: 'clean_tmp', hostname: 'db-2', incidentTitle: 'Disk nearly full on db-2' };

  it('on macOS and Windows: an Approve button, the question as title', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const n = approvalNotification(waiting('r1'), ctx, platform);
      expect(n.options.title).toBe('Approve clean_tmp on db-2?');
      expect(n.options.body).toBe('runbook Free disk · Disk nearly full on db-2');
      expect(n.options.actions).toEqual([{ type: 'button', text: 'Approve' }]);
      expect(n.approveIndex).toBe(0);
      expect(n.incidentId).toBe('inc-1');
    }
  });

  it('elsewhere: no buttons, and the body says a click opens the incident', () => {
    const n = approvalNotification(waiting('r1'), { ...ctx, hostname: null }, 'linux');
    expect(n.options.title).toBe('Approve clean_tmp on agt-2?');
    expect(n.options.actions).toBeUndefined();
    expect(n.approveIndex).toBeNull();
    expect(n.options.body).toContain('click to open the incident');
  });

  it('names the action from the runbook’s first action or http step', () => {
    expect(actionName(waiting('r1'), [runbook()])).toBe('clean_tmp');
    const awx = runbook({
      steps: [
        { kind: 'http', name: 'AWX restart', method: 'POST', url: 'https://awx.example/launch' },
        { kind: 'verify', condition: { type: 'online' }, withinMs: 60_000 },
      ],
    });
    expect(actionName(waiting('r1'), [awx])).toBe('AWX restart');
    expect(actionName(waiting('r1'), [])).toBe('Free disk');
  });

  it('says a refused approval, and where to go', () => {
    const n = approvalNotification(waiting('r1'), ctx, 'darwin');
    const failed = approvalFailedNotification(n, {
      ok: false,
      status: 409,
      message: 'run r1 is no longer awaiting approval',
    });
    expect(failed.title).toBe('Not approved: clean_tmp on db-2');
    expect(failed.body).toBe('run r1 is no longer awaiting approval · click to open the incident');
  });
});

describe('approverFor', () => {
  it('the one operator; else the OS user when the console knows or names nobody; else nobody', () => {
    expect(approverFor(['alice'], 'bob')).toBe('alice');
    expect(approverFor([], 'bob')).toBe('bob');
    expect(approverFor(['alice', 'bob'], 'bob')).toBe('bob');
    expect(approverFor(['alice', 'carol'], 'bob')).toBeNull();
    expect(approverFor([], null)).toBeNull();
  });
});

/**
 * A stand-in for the console's recovery routes (the recovery service is another branch's
 * work): real HTTP on loopback, recording what the shell sends.
 */
async function standInConsole(
  answer: (req: IncomingMessage, body: string) => { status: number; json: unknown },
): Promise<{
  base: string;
  requests: { method: string; url: string; auth: string; body: string }[];
  server: Server;
}> {
  const requests: { method: string; url: string; auth: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        auth: req.headers.authorization ?? '',
        body,
      });
      const out = answer(req, body);
      res.writeHead(out.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(out.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/`, requests, server };
}

describe('approveRun and fetchRunsView over HTTP', () => {
  let server: Server | null = null;
  const close = (s: Server) =>
    new Promise((r) => {
      s.close(r);
      // fetch keeps its connection alive; close() alone would wait for it.
      s.closeAllConnections();
    });
  afterEach(async () => {
    if (server) await close(server);
    server = null;
  });

  it('POSTs the run and the approver to the incident’s approve route, with the session token', async () => {
    const c = await standInConsole(() => ({
      status: 200,
      json: { runs: [run({ id: 'r1', state: 'queued', approvedBy: 'alice' })] },
    }));
    server = c.server;
    const out = await approveRun(fetch, { base: c.base, token: 'tok' }, waiting('r1'), 'alice');
    expect(out).toMatchObject({ ok: true, runs: [{ id: 'r1', state: 'queued' }] });
    expect(c.requests).toEqual([
      {
        method: 'POST',
        url: '/api/v1/incidents/inc-1/approve',
        auth: 'Bearer tok',
        body: JSON.stringify({ runId: 'r1', by: 'alice' }),
      },
    ]);
  });

  it('brings back the core’s refusal, and an unreachable console, without throwing', async () => {
    const c = await standInConsole(() => ({
      status: 409,
      json: { error: { code: 'not_awaiting', message: 'run r1 is no longer awaiting approval' } },
    }));
    server = c.server;
    expect(await approveRun(fetch, { base: c.base, token: 't' }, waiting('r1'), null)).toEqual({
      ok: false,
      status: 409,
      message: 'run r1 is no longer awaiting approval',
    });
    expect(c.requests[0]!.body).toBe(JSON.stringify({ runId: 'r1' }));
    await close(c.server);
    server = null;
    const down = await approveRun(fetch, { base: c.base, token: 't' }, waiting('r1'), null);
    expect(down).toMatchObject({ ok: false, status: 0 });
    expect((down as { message: string }).message).toMatch(/^the console does not answer/);
  });

  it('reads the latest runs and the runbooks', async () => {
    const c = await standInConsole((req) =>
      req.url!.startsWith('/api/v1/recovery/runs')
        ? { status: 200, json: { runs: [waiting('r1')], figures: [] } }
        : { status: 200, json: { runbooks: [runbook()], stats: [] } },
    );
    server = c.server;
    const view = await fetchRunsView(fetch, { base: c.base, token: 'tok' }, 20);
    expect(view.runs.map((r) => r.id)).toEqual(['r1']);
    expect(view.runbooks.map((b) => b.id)).toEqual(['free-disk']);
    expect(c.requests.map((r) => r.url).sort()).toEqual([
      '/api/v1/recovery/runs?limit=20',
      '/api/v1/runbooks',
    ]);
    expect(new Set(c.requests.map((r) => r.auth))).toEqual(new Set(['Bearer tok']));
  });
});

describe('ApprovalWatcher', () => {
  function watcher(load: () => Promise<RunsView>) {
    const clock = new ManualClock(0);
    const shown: string[] = [];
    const closed: string[] = [];
    const w = new ApprovalWatcher({
      clock,
      load,
      pollMs: 10_000,
      show: (r: RecoveryRun) => {
        shown.push(r.id);
        return () => closed.push(r.id);
      },
    });
    return { w, clock, shown, closed };
  }

  it('shows what waits (at start too), closes what stopped waiting, and survives a failed load', async () => {
    let runs: RecoveryRun[] = [waiting('r1')];
    let fail = false;
    const { w, clock, shown, closed } = watcher(async () => {
      if (fail) throw new Error('down');
      return { runs, runbooks: [runbook()] };
    });
    w.start();
    await w.poke();
    expect(shown).toEqual(['r1']);
    runs = [waiting('r1'), waiting('r2')];
    fail = true;
    await w.poke();
    expect(shown).toEqual(['r1']);
    fail = false;
    runs = [run({ id: 'r1', state: 'queued' }), waiting('r2')];
    clock.advance(10_000);
    await w.poke();
    expect(shown).toEqual(['r1', 'r2']);
    expect(closed).toEqual(['r1']);
    expect(w.showing()).toEqual(['r2']);
    w.stop();
    runs = [waiting('r3')];
    await w.poke();
    expect(shown).toEqual(['r1', 'r2']);
  });

  it('coalesces pokes while a load is under way into one more load', async () => {
    let loads = 0;
    let release: () => void = () => {};
    const { w } = watcher(
      () =>
        new Promise<RunsView>((resolve) => {
          loads++;
          release = () => resolve({ runs: [], runbooks: [] });
        }),
    );
    const first = w.poke();
    void w.poke();
    void w.poke();
    expect(loads).toBe(1);
    release();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(loads).toBe(2);
    release();
    await first;
  });
});

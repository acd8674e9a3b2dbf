// The desktop's approval notifications against the real core (issue 12), wired as main.ts
// wires them: the watcher loads runs over REST and looks again on the core's recovery.changed;
// the notification's Approve posts to the real approve route. A raw-WebSocket agent answers
// the action; its disk sample settles the verification. Only Electron's Notification is absent:
// `show` records what main.ts would have shown.
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionName,
  approvalNotification,
  ApprovalWatcher,
  approveRun,
  fetchRunsView,
} from '../../electron/shell/approval-notify.js';
import { systemClock } from '../../shared/clock.js';
import type { RecoveryRun } from '../../shared/recovery.js';
import { actionAgent } from '../helpers/action-agent.js';
import { SESSION_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function runOf(c: TestCore, agentId: string): Promise<RecoveryRun | undefined> {
  const res = await c.api<{ runs: RecoveryRun[] }>(`/api/v1/recovery/runs?agent=${agentId}`);
  return res.body.runs[0];
}

describe('approval notifications against the real core', () => {
  it('a run awaiting approval notifies; Approve from the notification runs it; the notification closes', async () => {
    const c = await startTestCore({ recoveryGraceMs: 0, heartbeatIntervalMs: 60_000 });
    cleanup.push(() => c.stop());
    const made = await c.api('/api/v1/runbooks?by=alice', {
      method: 'POST',
      body: JSON.stringify({
        id: 'disk',
        name: 'Free disk',
        mode: 'approval',
        trigger: { ruleIds: ['disk_usage'] },
        steps: [
          { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
          {
            kind: 'verify',
            condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
            withinMs: 60_000,
          },
        ],
      }),
    });
    expect(made.status).toBe(200);
    const agent = await actionAgent(c.addr.ingestUrl, { hostname: 'db-2' });
    cleanup.push(() => agent.close());

    const api = { base: c.addr.apiUrl, token: SESSION_TOKEN };
    const shown: { runId: string; title: string }[] = [];
    const closed: string[] = [];
    const watcher = new ApprovalWatcher({
      clock: systemClock,
      load: () => fetchRunsView(fetch, api),
      show: (run, view) => {
        const n = approvalNotification(
          run,
          {
            action: actionName(run, view.runbooks),
            hostname: c.core.fleet.agent(run.agentId)?.hostname ?? null,
            incidentTitle: null,
          },
          'darwin',
        );
        shown.push({ runId: run.id, title: n.options.title ?? '' });
        return () => closed.push(run.id);
      },
    });
    cleanup.push(async () => watcher.stop());
    c.core.events.on('recovery.changed', () => void watcher.poke());
    watcher.start();

    agent.sample(98);
    const held = await waitFor(async () => {
      const r = await runOf(c, agent.agentId);
      return r?.state === 'awaiting_approval' ? r : undefined;
    });
    await waitFor(() => shown.length > 0 || undefined);
    expect(shown).toEqual([{ runId: held.id, title: 'Approve clean_tmp on db-2?' }]);
    expect(agent.actions).toHaveLength(0);

    // The notification's Approve button.
    const out = await approveRun(fetch, api, held, 'alice');
    expect(out).toMatchObject({ ok: true, runs: [{ id: held.id, approvedBy: 'alice' }] });
    const action = await agent.nthAction(1);
    expect(action).toMatchObject({ action: 'clean_tmp', dryRun: false, approvedBy: 'alice' });
    await waitFor(() => (closed.includes(held.id) ? true : undefined));

    // Approving twice (a second click, another viewer first) is refused, not an error thrown.
    const again = await approveRun(fetch, api, held, 'alice');
    expect(again).toMatchObject({ ok: false, status: 409 });

    agent.sample(50);
    await waitFor(async () =>
      (await runOf(c, agent.agentId))?.state === 'succeeded' ? true : undefined,
    );
    expect(shown).toHaveLength(1);
  });
});

// Browser notifications for runs awaiting approval (issue 12): one per run, when it comes to
// wait; runs already waiting when the viewer opened are not news; a run that stops waiting
// leaves the set so its notification can close.
import { describe, expect, it } from 'vitest';
import {
  approvalNotices,
  approvalTag,
  seedApprovals,
} from '../../renderer/src/lib/approval-notices.js';
import { run } from './support/recovery-views-fixture.js';

const ctx = {
  hostname: (id: string) => (id === 'agt-2' ? 'db-2' : null),
  incidentTitle: (id: string) => (id === 'inc-1' ? 'Disk nearly full on db-2' : null),
  actionOf: () => 'clean_tmp',
};
const waiting = (id: string, over = {}) =>
  run({ id, state: 'awaiting_approval', mode: 'approval', ...over });

describe('approvalNotices', () => {
  it('asks "Approve clean_tmp on db-2?" once per run, tagged by run', () => {
    const first = approvalNotices(new Set(), [waiting('r1')], ctx);
    expect(first.notices).toEqual([
      {
        runId: 'r1',
        incidentId: 'inc-1',
        title: 'Approve clean_tmp on db-2?',
        body: 'runbook Free disk · Disk nearly full on db-2',
        tag: approvalTag('r1'),
      },
    ]);
    const again = approvalNotices(first.shown, [waiting('r1')], ctx);
    expect(again.notices).toEqual([]);
  });

  it('says why an automatic runbook asks (over the blast radius)', () => {
    const out = approvalNotices(
      new Set(),
      [waiting('r1', { mode: 'automatic', reason: 'over the blast radius: 4 agents at once' })],
      ctx,
    );
    expect(out.notices[0]!.body).toBe(
      'runbook Free disk · Disk nearly full on db-2 · over the blast radius: 4 agents at once',
    );
  });

  it('lets go of runs that stopped waiting, and never notifies other states', () => {
    const seeded = seedApprovals([waiting('r1'), run({ id: 'r0', state: 'dry_run' })]);
    expect([...seeded]).toEqual(['r1']);
    const out = approvalNotices(
      seeded,
      [run({ id: 'r1', state: 'queued' }), run({ id: 'r3', state: 'running' })],
      ctx,
    );
    expect(out.notices).toEqual([]);
    expect(out.gone).toEqual(['r1']);
    expect(out.shown.size).toBe(0);
  });
});

// Measured recovery: time to detect, act and recover per incident, whether it was automatic;
// per runbook success rate and median MTTR; overall and per severity.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import type { RecoveryRun } from '../../shared/recovery.js';
import {
  incidentFigures,
  overallStats,
  runbookStats,
} from '../../electron/core/recovery/recovery-figures.js';
import { incident } from '../helpers/notify.js';

const T = 1_700_000_000_000;

function run(over: Partial<RecoveryRun>): RecoveryRun {
  return {
    id: 'run-1',
    runbookId: 'disk',
    runbookName: 'Free disk',
    mode: 'automatic',
    incidentId: 'inc-1',
    alertId: 'alr-1',
    agentId: 'agt-1',
    regionId: 'eu-west-1',
    state: 'succeeded',
    guardrail: null,
    reason: null,
    createdAt: T,
    approvedBy: null,
    approvedAt: null,
    dispatchedAt: T + 50,
    endedAt: T + 60_000,
    steps: [],
    escalated: false,
    ...over,
  };
}

function resolved(
  id: string,
  openedAt: number,
  afterMs: number,
  by: string,
  over: Partial<Incident> = {},
): Incident {
  return incident({
    id,
    openedAt,
    state: 'resolved',
    resolvedAt: openedAt + afterMs,
    timeline: [{ at: openedAt + afterMs, kind: 'resolved', by, text: '' }],
    ...over,
  });
}

describe('recovery figures', () => {
  it('per incident: detect, act, recover; automatic only when a run succeeded and nobody resolved it by hand', () => {
    const auto = resolved('inc-1', T, 90_000, 'auto');
    expect(incidentFigures(auto, [run({ dispatchedAt: T + 1_500 })], T - 4_000)).toEqual({
      incidentId: 'inc-1',
      timeToDetectMs: 4_000,
      timeToActMs: 1_500,
      timeToRecoverMs: 90_000,
      automatic: true,
    });
    const byHand = resolved('inc-2', T, 600_000, 'alice');
    expect(incidentFigures(byHand, [run({ incidentId: 'inc-2' })], null)).toMatchObject({
      timeToDetectMs: null,
      automatic: false,
    });
    // A dry run acted on nothing: no time to act, not automatic.
    const dry = resolved('inc-3', T, 60_000, 'auto');
    expect(
      incidentFigures(dry, [run({ incidentId: 'inc-3', mode: 'dry_run', state: 'dry_run' })], T),
    ).toMatchObject({ timeToActMs: null, automatic: false, timeToRecoverMs: 60_000 });
    const open = incident({ id: 'inc-4', openedAt: T });
    expect(incidentFigures(open, [], T)).toMatchObject({ timeToRecoverMs: null, automatic: false });
  });

  it('per runbook: success rate over concluded runs and the median time to recover of the incidents it ended', () => {
    const incidents = new Map([
      ['inc-1', resolved('inc-1', T, 60_000, 'auto')],
      ['inc-2', resolved('inc-2', T, 120_000, 'auto')],
      ['inc-3', resolved('inc-3', T, 300_000, 'auto')],
    ]);
    const runs = [
      run({ id: 'r1', incidentId: 'inc-1' }),
      run({ id: 'r2', incidentId: 'inc-2' }),
      run({ id: 'r3', incidentId: 'inc-3' }),
      run({ id: 'r4', incidentId: 'inc-4', state: 'failed', createdAt: T + 9 }),
      run({ id: 'r5', incidentId: 'inc-5', state: 'refused' }),
      run({ id: 'r6', incidentId: 'inc-6', runbookId: 'other' }),
    ];
    expect(runbookStats('disk', runs, (id) => incidents.get(id))).toEqual({
      runbookId: 'disk',
      runs: 5,
      succeeded: 3,
      failed: 1,
      successRate: 0.75,
      medianMttrMs: 120_000,
      lastRunAt: T + 9,
    });
    expect(runbookStats('none', runs, () => undefined)).toMatchObject({
      runs: 0,
      successRate: null,
      medianMttrMs: null,
      lastRunAt: null,
    });
  });

  it('overall and per severity', () => {
    const list = [
      resolved('a', T, 60_000, 'auto', { severity: 'critical' }),
      resolved('b', T, 180_000, 'alice', { severity: 'critical' }),
      resolved('c', T, 30_000, 'auto', { severity: 'warning' }),
      incident({ id: 'd', openedAt: T, severity: 'warning' }),
    ];
    const runs = new Map([['a', [run({ incidentId: 'a', dispatchedAt: T + 2_000 })]]]);
    const out = overallStats(list, (i) => incidentFigures(i, runs.get(i.id) ?? [], null), []);
    expect(out.overall).toEqual({
      incidents: 4,
      automatic: 1,
      medianMttrMs: 60_000,
      medianTimeToActMs: 2_000,
    });
    expect(out.bySeverity).toEqual({
      critical: { incidents: 2, medianMttrMs: 120_000 },
      warning: { incidents: 2, medianMttrMs: 30_000 },
    });
  });
});

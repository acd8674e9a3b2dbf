// Runbooks, runs and action records as the recovery service returns them, for the renderer's
// and the shell's recovery tests.
import {
  RUNBOOK_GUARDRAIL_DEFAULTS,
  type ActionRecord,
  type RecoveryRun,
  type Runbook,
} from '../../../shared/recovery.js';

export const T0 = Date.UTC(2025, 4, 6, 12, 0, 0);

export function runbook(over: Partial<Runbook> = {}): Runbook {
  return {
    id: 'free-disk',
    name: 'Free disk',
    description: 'Delete old temp files when a disk is nearly full',
    enabled: true,
    mode: 'dry_run',
    trigger: { ruleIds: ['disk_usage'], severities: ['critical'] },
    steps: [
      { kind: 'action', action: 'clean_tmp', params: { days: '7' } },
      {
        kind: 'verify',
        condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
        withinMs: 120_000,
      },
      { kind: 'escalate' },
    ],
    guardrails: { ...RUNBOOK_GUARDRAIL_DEFAULTS },
    createdAt: T0,
    updatedAt: T0,
    updatedBy: 'alice',
    ...over,
  };
}

export function run(over: Partial<RecoveryRun> = {}): RecoveryRun {
  return {
    id: 'run-1',
    runbookId: 'free-disk',
    runbookName: 'Free disk',
    mode: 'dry_run',
    incidentId: 'inc-1',
    alertId: 'alr-1',
    agentId: 'agt-2',
    regionId: 'eu-west-1',
    state: 'dry_run',
    guardrail: null,
    reason: null,
    createdAt: T0,
    approvedBy: null,
    approvedAt: null,
    dispatchedAt: null,
    endedAt: null,
    steps: [
      { index: 0, kind: 'action', state: 'pending', startedAt: null, endedAt: null, text: '' },
      { index: 1, kind: 'verify', state: 'pending', startedAt: null, endedAt: null, text: '' },
      { index: 2, kind: 'escalate', state: 'pending', startedAt: null, endedAt: null, text: '' },
    ],
    escalated: false,
    ...over,
  };
}

export function action(over: Partial<ActionRecord> = {}): ActionRecord {
  return {
    id: 'act-1',
    runId: 'run-1',
    incidentId: 'inc-1',
    agentId: 'agt-2',
    kind: 'agent',
    action: 'clean_tmp',
    params: { days: '7' },
    dryRun: false,
    approvedBy: null,
    dispatchedAt: T0 + 1_000,
    endedAt: T0 + 2_200,
    status: 'succeeded',
    reason: null,
    exitCode: 0,
    durationMs: 1_200,
    output: 'removed 12 files (1.4 GiB)\n',
    outputTruncated: false,
    argv: ['/usr/bin/find', '/tmp', '-mtime', '+7', '-delete'],
    ...over,
  };
}

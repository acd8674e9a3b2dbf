// The alert queue's filters, the silenced/in-maintenance marks, and when a hand resolve needs
// the operator's confirmation (the condition still holds).
import { describe, expect, it } from 'vitest';
import type { Agent, Alert, Region } from '../../shared/model.js';
import {
  applyFilter,
  filterOptions,
  NO_FILTER,
  stillHoldsReason,
  suppressionText,
} from '../../renderer/src/lib/alert-filters.js';

function alert(over: Partial<Alert> & { id: string }): Alert {
  return {
    ruleId: 'cpu-high',
    subjectKey: over.id,
    subject: { kind: 'agent', regionId: 'eu-west-1', agentId: 'agt-1' },
    severity: 'warning',
    state: 'firing',
    message: 'cpu above 90 %',
    metric: 'cpu_usage',
    value: 95,
    threshold: 90,
    lastValue: 95,
    sampleArrivedAt: null,
    createdAt: 1,
    updatedAt: 1,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    resolvedAt: null,
    resolvedBy: null,
    history: [],
    ...over,
  };
}

const agents = new Map<string, Agent>([
  ['agt-1', { id: 'agt-1', hostname: 'web-0042', status: 'offline' } as Agent],
  ['agt-2', { id: 'agt-2', hostname: 'db-0007', status: 'online' } as Agent],
]);
const regions = new Map<string, Region>([
  ['eu-west-1', { id: 'eu-west-1', name: 'Europe (Ireland)', status: 'failed' } as Region],
  ['us-east-1', { id: 'us-east-1', name: 'US East', status: 'maintenance' } as Region],
]);

const list = [
  alert({ id: 'a', severity: 'critical' }),
  alert({ id: 'b', subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-2' } }),
  alert({ id: 'c', ruleId: 'agent-offline', message: 'stopped reporting', suppressedBy: 'sil-9' }),
  alert({ id: 'd', inhibitedBy: 'alt-region', message: 'stopped reporting' }),
  alert({ id: 'e', suppressedBy: 'mnt-2' }),
];
const ids = (xs: Alert[]) => xs.map((x) => x.id);

describe('applyFilter', () => {
  it('keeps everything with no filter', () => {
    expect(ids(applyFilter(list, NO_FILTER, agents))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by severity, region, rule', () => {
    expect(ids(applyFilter(list, { ...NO_FILTER, severity: 'critical' }, agents))).toEqual(['a']);
    expect(ids(applyFilter(list, { ...NO_FILTER, region: 'us-east-1' }, agents))).toEqual(['b']);
    expect(ids(applyFilter(list, { ...NO_FILTER, rule: 'agent-offline' }, agents))).toEqual(['c']);
  });

  it('searches the message and the hostname, case-insensitively', () => {
    expect(ids(applyFilter(list, { ...NO_FILTER, text: 'STOPPED' }, agents))).toEqual(['c', 'd']);
    expect(ids(applyFilter(list, { ...NO_FILTER, text: 'db-0007' }, agents))).toEqual(['b']);
  });

  it('puts silenced, in-maintenance and inhibited alerts under their own filter', () => {
    expect(ids(applyFilter(list, { ...NO_FILTER, suppression: 'suppressed' }, agents))).toEqual([
      'c',
      'd',
      'e',
    ]);
    expect(ids(applyFilter(list, { ...NO_FILTER, suppression: 'paging' }, agents))).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('suppressionText', () => {
  it('tells a silence from a maintenance window from an effect', () => {
    expect(suppressionText(list[2]!)).toBe('silenced · sil-9');
    expect(suppressionText(list[4]!)).toBe('in maintenance · mnt-2');
    expect(suppressionText(list[3]!)).toBe('effect of alt-region');
    expect(suppressionText(list[0]!)).toBeNull();
  });
});

describe('filterOptions', () => {
  it('lists the distinct regions and rules, sorted', () => {
    expect(filterOptions(list)).toEqual({
      regions: ['eu-west-1', 'us-east-1'],
      rules: ['agent-offline', 'cpu-high'],
    });
  });
});

describe('stillHoldsReason', () => {
  it('asks before resolving an offline alert whose agent is still offline', () => {
    const off = alert({ id: 'o', ruleId: 'agent-offline' });
    expect(stillHoldsReason(off, 'agent_offline', agents, regions)).toBe(
      'web-0042 is still offline',
    );
    const back = alert({
      id: 'p',
      subject: { kind: 'agent', regionId: 'us-east-1', agentId: 'agt-2' },
    });
    expect(stillHoldsReason(back, 'agent_offline', agents, regions)).toBeNull();
  });

  it('asks for a region still unhealthy, not for one in maintenance or a threshold alert', () => {
    const r = (regionId: string) =>
      alert({ id: regionId, subject: { kind: 'region', regionId, agentId: null } });
    expect(stillHoldsReason(r('eu-west-1'), 'region_status', agents, regions)).toBe(
      'Europe (Ireland) is still failed',
    );
    expect(stillHoldsReason(r('us-east-1'), 'region_status', agents, regions)).toBeNull();
    expect(stillHoldsReason(list[0]!, 'threshold', agents, regions)).toBeNull();
    expect(
      stillHoldsReason({ ...list[0]!, state: 'resolved' }, 'agent_offline', agents, regions),
    ).toBeNull();
  });
});

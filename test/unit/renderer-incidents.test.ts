// The incidents page's logic: triage order, the escalation countdown, the cause sentence, the
// timeline lines (notifications with channel, result and latency) and the nav badge.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import {
  causeText,
  compareIncidents,
  countdown,
  escalationText,
  incidentsIn,
  openIncidentBadge,
  timelineKindLabel,
  timelineText,
} from '../../renderer/src/lib/incidents.js';

const T0 = 1_700_000_000_000;

function incident(over: Partial<Incident> & { id: string }): Incident {
  return {
    title: over.id,
    severity: 'warning',
    state: 'open',
    grouping: 'single',
    regionId: null,
    agentId: null,
    causeAlertId: null,
    alerts: [],
    owner: null,
    openedAt: T0,
    updatedAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationStep: null,
    nextEscalationAt: null,
    flapping: false,
    suppressedBy: null,
    timeline: [],
    ...over,
  };
}

const ref = (alertId: string, effect: boolean) => ({
  alertId,
  ruleId: effect ? 'agent-offline' : 'region-status',
  severity: 'critical' as const,
  effect,
  joinedAt: T0,
});

describe('countdown', () => {
  it('says m:ss, rounding up to the next second, and h:mm:ss past an hour', () => {
    expect(countdown(192_000)).toBe('3:12');
    expect(countdown(191_001)).toBe('3:12');
    expect(countdown(59_000)).toBe('0:59');
    expect(countdown(3_725_000)).toBe('1:02:05');
    expect(countdown(-5_000)).toBe('0:00');
  });
});

describe('escalationText', () => {
  it('counts down to the next step while open', () => {
    const i = incident({ id: 'a', escalationStep: 0, nextEscalationAt: T0 + 300_000 });
    expect(escalationText(i, T0 + 107_500)).toBe('step 1 · escalates in 3:13');
    expect(escalationText(i, T0 + 299_999)).toBe('step 1 · escalates in 0:01');
    expect(escalationText(i, T0 + 300_000)).toBe('step 1 · escalating now');
    const named = { ...i, nextEscalationTo: ['oncall-mail', 'lead'] };
    expect(escalationText(named, T0 + 107_500)).toBe(
      'step 1 · escalates to oncall-mail, lead in 3:13',
    );
  });

  it('says escalation stopped once acknowledged, and says what holds it back otherwise', () => {
    expect(
      escalationText(incident({ id: 'a', state: 'acknowledged', escalationStep: 1 }), T0),
    ).toBe('step 2 · stopped (acknowledged)');
    expect(escalationText(incident({ id: 'a', suppressedBy: 'sil-1' }), T0)).toBe(
      'suppressed by sil-1',
    );
    expect(escalationText(incident({ id: 'a', escalationStep: 2 }), T0)).toBe('step 3 · last step');
    expect(escalationText(incident({ id: 'a', state: 'resolved' }), T0)).toBe('resolved');
    // Held in its group wait: the first page is due, no step reached yet.
    const held = incident({ id: 'a', escalationStep: null, nextEscalationAt: T0 + 8_000 });
    expect(escalationText(held, T0)).toBe('first page in 0:08');
    expect(escalationText(held, T0 + 8_000)).toBe('paging now');
  });
});

describe('compareIncidents / incidentsIn', () => {
  it('puts the worst first, then the one escalating soonest, then the newest', () => {
    const all = new Map(
      [
        incident({ id: 'warn-new', openedAt: T0 + 10 }),
        incident({ id: 'crit-late', severity: 'critical', nextEscalationAt: T0 + 900 }),
        incident({ id: 'crit-soon', severity: 'critical', nextEscalationAt: T0 + 100 }),
        incident({ id: 'warn-old', openedAt: T0 }),
        incident({ id: 'acked', state: 'acknowledged', severity: 'critical' }),
      ].map((i) => [i.id, i]),
    );
    expect(incidentsIn(all, 'open').map((i) => i.id)).toEqual([
      'crit-soon',
      'crit-late',
      'warn-new',
      'warn-old',
    ]);
    expect(incidentsIn(all, 'acknowledged').map((i) => i.id)).toEqual(['acked']);
  });

  it('ranks open before acknowledged before resolved, resolved newest first', () => {
    const a = incident({ id: 'r1', state: 'resolved', resolvedAt: T0 + 1 });
    const b = incident({ id: 'r2', state: 'resolved', resolvedAt: T0 + 2 });
    const o = incident({ id: 'o', severity: 'info' });
    expect([a, b, o].sort(compareIncidents).map((i) => i.id)).toEqual(['o', 'r2', 'r1']);
  });
});

describe('causeText', () => {
  it('names the region cause and counts its effects', () => {
    const i = incident({
      id: 'x',
      grouping: 'region_cause',
      regionId: 'ap-northeast-1',
      alerts: [ref('r', false), ref('a1', true), ref('a2', true)],
    });
    expect(causeText(i)).toBe('region ap-northeast-1 is the cause · 2 effects');
    expect(causeText(incident({ id: 'y', grouping: 'same_agent', agentId: 'agt-7' }))).toBe(
      'agent agt-7',
    );
  });
});

describe('timelineText', () => {
  it('gives a notification its channel, result and latency', () => {
    expect(
      timelineText({
        at: T0,
        kind: 'notified',
        by: 'console',
        text: 'paged',
        channelId: 'ops-hook',
        ok: true,
        latencyMs: 12.4,
      }),
    ).toBe('paged · via ops-hook · delivered in 12 ms');
    expect(
      timelineText({
        at: T0,
        kind: 'notify_failed',
        by: 'console',
        text: 'page',
        channelId: 'm',
        ok: false,
      }),
    ).toBe('page · via m · failed');
  });

  it('names the operator of an ack or comment, not the console', () => {
    expect(timelineText({ at: T0, kind: 'acknowledged', by: 'alice', text: 'acknowledged' })).toBe(
      'acknowledged · by alice',
    );
    expect(timelineText({ at: T0, kind: 'opened', by: 'rule', text: 'opened' })).toBe('opened');
  });
});

describe('timelineKindLabel', () => {
  it('reads every underscore as a space, kinds a newer core adds (recovery_*) included', () => {
    expect(timelineKindLabel('notify_failed')).toBe('notify failed');
    expect(timelineKindLabel('recovery_approval_requested')).toBe('recovery approval requested');
    expect(timelineKindLabel('opened')).toBe('opened');
  });
});

describe('openIncidentBadge', () => {
  it('counts open incidents, critical when any is', () => {
    const all = new Map(
      [
        incident({ id: 'a' }),
        incident({ id: 'b', severity: 'critical' }),
        incident({ id: 'c', state: 'acknowledged' }),
        incident({ id: 'd', state: 'resolved' }),
      ].map((i) => [i.id, i]),
    );
    expect(openIncidentBadge(all)).toEqual({
      count: 2,
      critical: true,
      label: '2 open incidents, 1 acknowledged',
    });
  });
});

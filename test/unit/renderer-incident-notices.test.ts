// Browser notifications go per incident, not per alert (issue 11): the first names the
// incident, later alerts in it update that notification (same tag, renotify false, silent),
// suppressed incidents never notify.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/incidents.js';
import {
  incidentNotices,
  seedShown,
  type ShownIncidents,
} from '../../renderer/src/lib/incident-notices.js';

const ctx = {
  hostname: (id: string) => (id === 'agt-1' ? 'tokyo-db-1' : null),
  regionName: (id: string) => (id === 'ap-northeast-1' ? 'Asia Pacific (Tokyo)' : null),
};

function inc(n: number, over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    title: 'Region Asia Pacific (Tokyo) failed: 18/75 agents online (24%)',
    severity: 'critical',
    state: 'open',
    regionId: 'ap-northeast-1',
    agentId: null,
    suppressedBy: null,
    alerts: Array.from({ length: n }, (_, k) => ({
      alertId: `alr-${k}`,
      ruleId: k === 0 ? 'region_status' : 'agent_offline',
      severity: 'critical' as const,
      effect: k > 0,
      joinedAt: 0,
    })),
    ...over,
  } as Incident;
}

/** Feeds updates one stream message at a time, as WebNotifier does. */
function feed(messages: Incident[][], shown: ShownIncidents = new Map()) {
  const all = [];
  for (const m of messages) {
    const out = incidentNotices(shown, m, ctx);
    shown = out.shown;
    all.push(...out.notices);
  }
  return all;
}

describe('incident notices', () => {
  it('a region outage: one notification naming the incident, then quiet updates on the same tag', () => {
    const notices = feed([[inc(1)], [inc(5)], [inc(5)], [inc(58)]]);
    expect(notices.map((n) => [n.kind, n.silent, n.body])).toEqual([
      ['new', false, 'Asia Pacific (Tokyo) · 1 alert'],
      ['update', true, 'Asia Pacific (Tokyo) · 5 alerts'],
      ['update', true, 'Asia Pacific (Tokyo) · 58 alerts'],
    ]);
    expect(notices[0]!.title).toBe(
      'CRITICAL · Region Asia Pacific (Tokyo) failed: 18/75 agents online (24%)',
    );
    expect(new Set(notices.map((n) => n.tag))).toEqual(new Set(['incident-inc-1']));
    expect(notices.every((n) => n.renotify === false)).toBe(true);
  });

  it('two incidents are two notifications; one agent names its host', () => {
    const host = inc(1, { id: 'inc-2', agentId: 'agt-1', title: 'CPU busy: 99 %' });
    const notices = feed([[inc(1), host]]);
    expect(notices.map((n) => [n.tag, n.body])).toEqual([
      ['incident-inc-1', 'Asia Pacific (Tokyo) · 1 alert'],
      ['incident-inc-2', 'tokyo-db-1 · Asia Pacific (Tokyo) · 1 alert'],
    ]);
  });

  it('suppressed, acknowledged and non-critical incidents never notify', () => {
    expect(
      feed([
        [inc(1, { suppressedBy: 'sil-1' })],
        [inc(3, { suppressedBy: 'mnt-1' })],
        [inc(1, { id: 'inc-2', state: 'acknowledged' })],
        [inc(1, { id: 'inc-3', severity: 'warning' })],
      ]),
    ).toEqual([]);
    // Suppressed after its first notification: no update either.
    const later = feed([[inc(1)], [inc(4, { suppressedBy: 'sil-1' })]]);
    expect(later.map((n) => n.kind)).toEqual(['new']);
  });

  it('what the first snapshot holds is not news; a resolved incident reopening is', () => {
    const shown = seedShown([inc(3), inc(1, { id: 'inc-9', state: 'resolved' })]);
    expect(feed([[inc(3)]], shown)).toEqual([]);
    expect(feed([[inc(4)]], shown).map((n) => n.kind)).toEqual(['update']);
    const notices = feed([[inc(3, { state: 'resolved' })], [inc(4)]], shown);
    expect(notices.map((n) => n.kind)).toEqual(['new']);
  });
});

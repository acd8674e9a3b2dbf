// Silences and maintenance in the console: the matcher editor's parsing, grouping and the
// remaining-time words, the expiry reminder, schedules in words, the calendar of windows,
// and the escalation policy sentence.
import { describe, expect, it } from 'vitest';
import type { EscalationPolicy } from '../../shared/notify.js';
import type { MaintenanceView, SilenceView } from '../../shared/silences.js';
import { parseDelay, policyScope, policyText } from '../../renderer/src/lib/policy-text.js';
import {
  calendar,
  endsSoon,
  groupSilences,
  matchersText,
  parseMatchers,
  scheduleText,
  silenceWhen,
} from '../../renderer/src/lib/silence-text.js';

describe('parseMatchers', () => {
  it('reads Alertmanager-style matchers separated by commas or lines', () => {
    expect(parseMatchers('region=eu-west-1, rule=~cpu.*\nseverity!=info')).toEqual({
      ok: true,
      matchers: [
        { name: 'region', op: '=', value: 'eu-west-1' },
        { name: 'rule', op: '=~', value: 'cpu.*' },
        { name: 'severity', op: '!=', value: 'info' },
      ],
    });
    expect(parseMatchers('agent!~"a,b"'.replace(',', '|'))).toEqual({
      ok: true,
      matchers: [{ name: 'agent', op: '!~', value: 'a|b' }],
    });
  });

  it('names the bad matcher', () => {
    expect(parseMatchers('')).toMatchObject({ ok: false });
    expect(parseMatchers('region eu-west-1')).toEqual({
      ok: false,
      error: '"region eu-west-1": say name=value (or !=, =~, !~)',
    });
    expect(parseMatchers('9x=1')).toMatchObject({
      ok: false,
      error: expect.stringContaining('label name'),
    });
    expect(parseMatchers('rule=~(')).toMatchObject({
      ok: false,
      error: expect.stringContaining('regular'),
    });
  });

  it('writes them back the way they are typed', () => {
    expect(
      matchersText([
        { name: 'region', op: '=', value: 'eu-west-1' },
        { name: 'comment', op: '=', value: 'two words' },
      ]),
    ).toBe('region=eu-west-1, comment="two words"');
  });
});

const NOW = 1_700_000_000_000;
const silence = (id: string, state: SilenceView['state'], startsAt: number, endsAt: number) =>
  ({ id, state, startsAt, endsAt, matchers: [] }) as unknown as SilenceView;

describe('groupSilences / silenceWhen / endsSoon', () => {
  const list = [
    silence('s-late', 'active', NOW - 1, NOW + 7_200_000),
    silence('s-soon', 'active', NOW - 1, NOW + 600_000),
    silence('s-next', 'pending', NOW + 3_600_000, NOW + 7_200_000),
    silence('s-old', 'expired', NOW - 9e6, NOW - 3_600_000),
    silence('s-older', 'expired', NOW - 9e6, NOW - 7_200_000),
  ];

  it('groups active (ending first), upcoming, expired (latest first)', () => {
    const g = groupSilences(list);
    expect(g.active.map((s) => s.id)).toEqual(['s-soon', 's-late']);
    expect(g.upcoming.map((s) => s.id)).toEqual(['s-next']);
    expect(g.expired.map((s) => s.id)).toEqual(['s-old', 's-older']);
  });

  it('says how long is left, and reminds in the last 15 minutes', () => {
    expect(silenceWhen(list[1]!, NOW)).toBe('ends in 10 min');
    expect(silenceWhen(list[2]!, NOW)).toBe('starts in 1 h');
    expect(silenceWhen(list[4]!, NOW)).toBe('ended 2 h ago');
    expect(endsSoon(list[1]!, NOW)).toBe(true);
    expect(endsSoon(list[0]!, NOW)).toBe(false);
  });
});

const win = (over: Partial<MaintenanceView> & { id: string }): MaintenanceView => ({
  name: over.id,
  comment: '',
  regions: ['eu-west-1'],
  agents: [],
  schedule: { kind: 'once', startsAt: NOW, endsAt: NOW + 7_200_000 },
  createdBy: 'alice',
  createdAt: NOW,
  updatedAt: NOW,
  active: false,
  nextStart: null,
  nextEnd: null,
  ...over,
});

describe('maintenance', () => {
  it('puts a weekly schedule in words, days in week order', () => {
    const w = win({
      id: 'w',
      schedule: {
        kind: 'weekly',
        days: ['thu', 'mon'],
        time: '02:00',
        durationMinutes: 90,
        timeZone: 'Europe/Berlin',
      },
    });
    expect(scheduleText(w)).toBe('every Mon, Thu at 02:00 Europe/Berlin for 1 h 30 min');
    expect(scheduleText(win({ id: 'o' }))).toBe('once, for 2 h');
  });

  it('lists windows to come by day, soonest first, leaving out those with none left', () => {
    const day = 86_400_000;
    const days = calendar([
      win({ id: 'later', nextStart: NOW + 2 * day, nextEnd: NOW + 2 * day + 60_000 }),
      win({ id: 'past' }),
      win({ id: 'now', active: true, nextStart: NOW - 60_000, nextEnd: NOW + 60_000 }),
      win({ id: 'soon', nextStart: NOW + 120_000, nextEnd: NOW + 180_000 }),
    ]);
    expect(days.flatMap((d) => d.entries.map((e) => e.window.id))).toEqual([
      'now',
      'soon',
      'later',
    ]);
    expect(days.at(-1)!.entries.map((e) => e.window.id)).toEqual(['later']);
  });
});

describe('escalation policies', () => {
  const policy: EscalationPolicy = {
    id: 'p',
    name: 'default',
    match: { severities: ['critical'] },
    steps: [
      { afterMs: 0, channelIds: ['hook'] },
      { afterMs: 300_000, channelIds: ['pager', 'mail'] },
    ],
    repeatAfterMs: 300_000,
  };
  it('says the steps in order', () => {
    const names = new Map([['hook', 'Ops webhook']]);
    expect(policyText(policy, names)).toBe(
      'notify Ops webhook; after 5 min unacknowledged, notify pager + mail; repeats after 5 min until acknowledged',
    );
    expect(policyScope(policy)).toBe('critical');
    expect(policyText({ ...policy, repeatAfterMs: null }, names)).toMatch(/then stops$/);
  });

  it('reads step delays in minutes by default', () => {
    expect(parseDelay('5')).toBe(300_000);
    expect(parseDelay('90s')).toBe(90_000);
    expect(parseDelay('1h')).toBe(3_600_000);
    expect(parseDelay('soon')).toBeNull();
  });
});

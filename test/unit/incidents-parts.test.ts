// The incident side's pure parts: matchers, weekly windows in a time zone, the incident log's
// retention and size bound, operator names.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock.js';
import { IncidentLog } from '../../electron/core/incidents/incident-log.js';
import {
  currentOrNext,
  isActive,
  nextBoundary,
} from '../../electron/core/incidents/maintenance-schedule.js';
import {
  checkSelective,
  compileMatchers,
  matchesAll,
} from '../../electron/core/incidents/matchers.js';
import { Operators } from '../../electron/core/incidents/operators.js';
import { isTimeZone, zonedToEpoch } from '../../shared/zoned-time.js';
import { silentLogger } from '../../electron/core/logger.js';
import type { Incident } from '../../shared/incidents.js';
import type { MaintenanceSchedule } from '../../shared/silences.js';

describe('matchers', () => {
  const labels = { region: 'eu-west-1', agent: 'agt-7', rule: 'cpu_usage', severity: 'warning' };
  it('=, !=, =~ (anchored), !~, and a missing label as empty', () => {
    const m = (op: '=' | '!=' | '=~' | '!~', name: string, value: string) =>
      matchesAll(compileMatchers([{ name, op, value }]), labels);
    expect(m('=', 'region', 'eu-west-1')).toBe(true);
    expect(m('!=', 'region', 'eu-west-1')).toBe(false);
    expect(m('=~', 'region', 'eu-.*')).toBe(true);
    expect(m('=~', 'region', 'eu')).toBe(false); // anchored
    expect(m('!~', 'rule', 'disk.*')).toBe(true);
    expect(m('=', 'team', '')).toBe(true);
  });
  it('refuses a bad regex naming the field, and a set that matches everything', () => {
    expect(() =>
      compileMatchers([
        { name: 'a', op: '=', value: 'x' },
        { name: 'b', op: '=~', value: '(' },
      ]),
    ).toThrow(expect.objectContaining({ field: 'matchers/1/value' }));
    expect(() =>
      checkSelective(compileMatchers([{ name: 'agent', op: '=~', value: '.*' }])),
    ).toThrow(expect.objectContaining({ field: 'matchers' }));
    expect(() =>
      checkSelective(compileMatchers([{ name: 'agent', op: '!=', value: 'x' }])),
    ).toThrow();
    expect(() =>
      checkSelective(compileMatchers([{ name: 'agent', op: '=', value: 'x' }])),
    ).not.toThrow();
  });
});

describe('maintenance schedules', () => {
  const berlin = (y: number, mo: number, d: number, h: number, mi = 0) =>
    zonedToEpoch({ year: y, month: mo, day: d, hour: h, minute: mi }, 'Europe/Berlin');

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('local time in a zone, across daylight saving', () => {
    expect(new Date(berlin(2024, 1, 15, 2)).toISOString()).toBe('2024-01-15T01:00:00.000Z');
    expect(new Date(berlin(2024, 7, 15, 2)).toISOString()).toBe('2024-07-15T00:00:00.000Z');
    // 02:30 does not exist on 31 March 2024 in Berlin: shifted forward, as a wall clock shows it.
    expect(new Date(berlin(2024, 3, 31, 2, 30)).toISOString()).toBe('2024-03-31T01:30:00.000Z');
  });

  it('a weekly window: Sundays 02:00 Berlin for 2 h, on either side of the spring change', () => {
    const s: MaintenanceSchedule = {
      kind: 'weekly',
      days: ['sun'],
      time: '02:00',
      durationMinutes: 120,
      timeZone: 'Europe/Berlin',
    };
    // Sunday 24 March 2024 (CET, +1): 01:00Z to 03:00Z.
    const sat = Date.parse('2024-03-23T12:00:00Z');
    expect(currentOrNext(s, sat)).toEqual({
      start: Date.parse('2024-03-24T01:00:00Z'),
      end: Date.parse('2024-03-24T03:00:00Z'),
    });
    expect(isActive(s, Date.parse('2024-03-24T02:59:00Z'))).toBe(true);
    expect(isActive(s, Date.parse('2024-03-24T03:00:00Z'))).toBe(false);
    expect(nextBoundary(s, Date.parse('2024-03-24T02:00:00Z'))).toBe(
      Date.parse('2024-03-24T03:00:00Z'),
    );
    // Sunday 7 April 2024 (CEST, +2): 00:00Z.
    expect(currentOrNext(s, Date.parse('2024-04-06T12:00:00Z'))!.start).toBe(
      Date.parse('2024-04-07T00:00:00Z'),
    );
  });

  it('a one-off window has no occurrence once over', () => {
    const s: MaintenanceSchedule = { kind: 'once', startsAt: 1_000, endsAt: 2_000 };
    expect(isActive(s, 1_500)).toBe(true);
    expect(nextBoundary(s, 500)).toBe(1_000);
    expect(currentOrNext(s, 2_000)).toBeNull();
  });
});

describe('incident log', () => {
  const incident = (id: string, resolvedAt: number | null, text = ''): Incident => ({
    id,
    title: `incident ${id} ${text}`,
    severity: 'warning',
    state: resolvedAt === null ? 'open' : 'resolved',
    grouping: 'single',
    regionId: 'eu-west-1',
    agentId: null,
    causeAlertId: null,
    alerts: [],
    owner: null,
    openedAt: 0,
    updatedAt: 0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt,
    escalationStep: null,
    nextEscalationAt: null,
    flapping: false,
    suppressedBy: null,
    timeline: [],
  });

  it('drops resolved incidents past retention, then the oldest resolved past the size bound; never open ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-inclog-'));
    const clock = new ManualClock(10 * 86_400_000);
    const all = new Map<string, Incident>();
    const log = new IncidentLog(
      { clock, logger: silentLogger, dataDir: dir, lookup: (id) => all.get(id) },
      { retentionMs: 86_400_000, maxBytes: 3_000, debounceMs: 10 },
    );
    await log.open();
    const now = clock.now();
    all.set('old', incident('old', now - 2 * 86_400_000));
    for (let i = 0; i < 10; i++)
      all.set(`r${i}`, incident(`r${i}`, now - 1000 + i, 'x'.repeat(200)));
    all.set('open', incident('open', null, 'y'.repeat(2_000)));
    for (const id of all.keys()) log.changed(id);
    await log.flush();
    const dropped = log.prune(all.values());
    expect(dropped[0]).toBe('old');
    expect(dropped.length).toBeGreaterThan(1);
    expect(dropped).not.toContain('open');
    expect(dropped.slice(1)).toEqual(dropped.slice(1).sort()); // oldest first
    await log.close();
    const reopened = new IncidentLog(
      { clock, logger: silentLogger, dataDir: dir, lookup: () => undefined },
      { retentionMs: 86_400_000, maxBytes: 3_000, debounceMs: 10 },
    );
    const { incidents } = await reopened.open();
    const ids = incidents.map((i) => i.id);
    expect(ids).toContain('open');
    for (const id of dropped) expect(ids).not.toContain(id);
    await reopened.close();
    expect(await readFile(join(dir, 'incidents.ndjson'), 'utf8')).toContain('"open"');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('operators', () => {
  it('the default `by`: none configured → operator, one → that name, several → required', () => {
    expect(new Operators([]).resolve(undefined)).toBe('operator');
    expect(new Operators(['alice']).resolve(undefined)).toBe('alice');
    expect(new Operators(['alice']).resolve('bob')).toBe('bob');
    expect(() => new Operators(['alice', 'bob']).resolve(undefined)).toThrow(
      expect.objectContaining({ field: 'by' }),
    );
  });
});

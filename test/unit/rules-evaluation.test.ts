// absence, rate_of_change, keep_firing_for and matchers through the real RuleEvaluator and
// AlertBook, on a ManualClock.
import { describe, it, expect } from 'vitest';
import { RuleEvaluator } from '../../electron/core/incidents/evaluator.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { ABSENCE_CHECK_MS, type KnownSeries } from '../../electron/core/rules/absence-watch.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import type { AbsenceRule, RateOfChangeRule, Rule, ThresholdRule } from '../../shared/rules.js';
import type { Agent } from '../../shared/model.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function setup(rules: Rule[], known: KnownSeries[] = []) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const ids = counterIds();
  const book = new AlertBook({ clock, ids, events, maxResolved: 1000 });
  const fleet = new Fleet(
    { clock, ids, events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 100,
    },
    DEFAULT_REGIONS,
  );
  const evaluator = new RuleEvaluator(book, events, {
    clock,
    agent: (id) => fleet.agent(id),
    seriesOf: (m) => known.filter((k) => k.name === m),
  });
  const connect = (hostname: string, region = 'us-east-1', agentType: Agent['type'] = 'system') => {
    const r = fleet.connect(
      { type: 'hello', protocol: 1, hostname, region, agentType, version: '1' },
      '10.0.0.1',
    );
    if (!r.ok) throw new Error(r.message);
    return r.agent;
  };
  const feed = (agent: Agent, name: string, value: number, labels?: Record<string, string>) =>
    evaluator.onSample(
      agent,
      { name, value, ts: clock.now(), ...(labels ? { labels } : {}) },
      clock.now(),
      clock.monotonic(),
    );
  /** Move on, keeping agents alive (heartbeats) so that only what a test stops stops. */
  const pass = (ms: number, alive: Agent[], step = 1000) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      for (const a of alive) fleet.heartbeat(a.id);
    }
  };
  evaluator.setRules(rules);
  fleet.start();
  const open = (ruleId: string) => book.openAlerts().filter((a) => a.ruleId === ruleId);
  return { clock, book, fleet, evaluator, connect, feed, pass, open };
}

const absence: AbsenceRule = {
  id: 'mem_absent',
  kind: 'absence',
  enabled: true,
  description: 'Memory metric missing',
  metric: 'memory_usage',
  absentForMs: 5 * MIN,
  severity: 'warning',
};

const growth: RateOfChangeRule = {
  id: 'disk_growth',
  kind: 'rate_of_change',
  enabled: true,
  description: 'Disk filling fast',
  metric: 'disk_usage',
  unit: '%',
  comparator: 'gt',
  windowMs: 30 * MIN,
  warning: 5,
  critical: 20,
  hysteresis: 1,
  forMs: 0,
};

describe('absence rules', () => {
  it('fire when a series stops while its agent is online, and resolve when it reports again', () => {
    const s = setup([absence]);
    const a = s.connect('db-1');
    s.feed(a, 'memory_usage', 40);
    s.pass(4 * MIN, [a]);
    expect(s.open('mem_absent')).toHaveLength(0);
    s.pass(MIN + ABSENCE_CHECK_MS, [a]);
    const [alert] = s.open('mem_absent');
    expect(alert?.state).toBe('firing');
    expect(alert?.message).toMatch(/memory_usage on db-1 has not reported for 5 min/);
    s.feed(a, 'memory_usage', 41);
    expect(s.open('mem_absent')).toHaveLength(0);
    expect(s.book.get(alert!.id)!.state).toBe('resolved');
  });

  it('stay quiet when the agent itself goes offline (agent_offline speaks then)', () => {
    const s = setup([absence]);
    const a = s.connect('db-1');
    s.feed(a, 'memory_usage', 40);
    s.pass(10 * MIN, []); // no heartbeats: the agent goes offline
    expect(s.fleet.agent(a.id)!.status).toBe('offline');
    expect(s.open('mem_absent')).toHaveLength(0);
  });

  it('watch series the store knew before the rule (or a restart) and respect matchers', () => {
    const known: KnownSeries[] = [];
    const s = setup([], known);
    const a = s.connect('db-1', 'us-east-1');
    const b = s.connect('db-2', 'eu-west-1');
    known.push(
      { agentId: a.id, name: 'memory_usage', labels: {}, lastTs: T0 },
      { agentId: b.id, name: 'memory_usage', labels: {}, lastTs: T0 },
    );
    s.evaluator.setRules([{ ...absence, matchers: { regions: ['eu-west-1'] } }]);
    s.pass(6 * MIN, [a, b]);
    const open = s.open('mem_absent');
    expect(open.map((x) => x.subject.agentId)).toEqual([b.id]);
  });
});

describe('rate_of_change rules', () => {
  it('fire on a slope over the window and resolve once it flattens past the hysteresis', () => {
    const s = setup([growth]);
    const a = s.connect('db-1');
    let v = 50;
    // +0.2 % a minute = 12 %/h: above warning 5, below critical 20.
    for (let i = 0; i < 20; i++) {
      s.feed(a, 'disk_usage', (v += 0.2));
      s.pass(MIN, [a], MIN);
    }
    const [alert] = s.open('disk_growth');
    expect(alert?.severity).toBe('warning');
    expect(alert?.value).toBeCloseTo(12, 5);
    expect(alert?.message).toMatch(/disk_usage changing \+12\.0 %\/h over 30 min > 5\.0 %\/h/);
    // Flat for a whole window: the slope falls to 0, under 5 - 1.
    for (let i = 0; i < 31; i++) {
      s.feed(a, 'disk_usage', v);
      s.pass(MIN, [a], MIN);
    }
    expect(s.open('disk_growth')).toHaveLength(0);
    expect(s.book.get(alert!.id)!.state).toBe('resolved');
  });

  it('say nothing until the window is half covered', () => {
    const s = setup([growth]);
    const a = s.connect('db-1');
    // 15 points a minute apart span 14 min: under half of the 30 min window.
    for (let i = 0; i < 15; i++) {
      s.feed(a, 'disk_usage', 50 + i * 5);
      s.pass(MIN, [a], MIN);
    }
    expect(s.open('disk_growth')).toHaveLength(0);
    s.feed(a, 'disk_usage', 50 + 15 * 5);
    expect(s.open('disk_growth')[0]?.severity).toBe('critical');
  });
});

describe('keep_firing_for and matchers on threshold rules', () => {
  const hot: ThresholdRule = {
    id: 'cpu_hot',
    kind: 'threshold',
    enabled: true,
    description: 'CPU hot',
    metric: 'cpu_usage',
    comparator: 'gt',
    unit: '%',
    warning: 80,
    critical: null,
    hysteresis: 5,
    forMs: 0,
    keepFiringForMs: 2 * MIN,
    matchers: { agentTypes: ['database'], labels: { core: 'all' } },
  };

  it('hold the alert open through a dip shorter than keep_firing_for, then resolve', () => {
    const s = setup([hot]);
    const db = s.connect('db-1', 'us-east-1', 'database');
    s.feed(db, 'cpu_usage', 90, { core: 'all' });
    const [alert] = s.open('cpu_hot');
    expect(alert?.state).toBe('firing');
    s.feed(db, 'cpu_usage', 10, { core: 'all' });
    s.pass(MIN, [db]);
    expect(s.open('cpu_hot')).toHaveLength(1);
    s.feed(db, 'cpu_usage', 95, { core: 'all' }); // back before the 2 min: same alert
    s.pass(3 * MIN, [db]);
    expect(s.open('cpu_hot').map((x) => x.id)).toEqual([alert!.id]);
    s.feed(db, 'cpu_usage', 10, { core: 'all' });
    s.pass(2 * MIN, [db]);
    expect(s.open('cpu_hot')).toHaveLength(0);
    expect(s.book.get(alert!.id)!.history.filter((h) => h.to === 'firing')).toHaveLength(1);
  });

  it('apply only to the series the matchers select', () => {
    const s = setup([hot]);
    const web = s.connect('web-1', 'us-east-1', 'application');
    const db = s.connect('db-1', 'us-east-1', 'database');
    s.feed(web, 'cpu_usage', 99, { core: 'all' });
    s.feed(db, 'cpu_usage', 99, { core: '0' });
    s.feed(db, 'cpu_usage', 99);
    expect(s.open('cpu_hot')).toHaveLength(0);
    s.feed(db, 'cpu_usage', 99, { core: 'all' });
    expect(s.open('cpu_hot')).toHaveLength(1);
  });
});

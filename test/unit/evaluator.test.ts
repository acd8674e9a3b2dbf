import { describe, it, expect } from 'vitest';
import { RuleEvaluator } from '../../electron/core/incidents/evaluator.js';
import { seriesKey } from '../../electron/core/store/series-key.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { Fleet } from '../../electron/core/fleet/fleet.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';
import { DEFAULT_RULES, type Rule } from '../../shared/rules.js';
import type { HelloMessage, Sample } from '../../shared/protocol.js';

const T0 = 1_700_000_000_000;

function setup(rules: readonly Rule[] = DEFAULT_RULES) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const ids = counterIds();
  const fired: { id: string; latency: number | null }[] = [];
  const book = new AlertBook({
    clock,
    ids,
    events,
    maxResolved: 1000,
    onFired: (a, latency) => fired.push({ id: a.id, latency }),
  });
  const fleet = new Fleet(
    { clock, ids, events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 10_000,
    },
    DEFAULT_REGIONS,
  );
  const evaluator = new RuleEvaluator(book, events, {
    clock,
    agent: (id) => fleet.agent(id),
    seriesOf: () => [],
  });
  evaluator.setRules(rules);
  return { clock, events, book, fleet, evaluator, fired };
}

function hello(hostname: string, region = 'us-east-1'): HelloMessage {
  return { type: 'hello', protocol: 1, hostname, region, agentType: 'system', version: '1.0.0' };
}

function connect(fleet: Fleet, hostname: string, region = 'us-east-1') {
  const r = fleet.connect(hello(hostname, region), '10.0.0.1');
  if (!r.ok) throw new Error(r.message);
  return r;
}

describe('seriesKey', () => {
  it('is the name alone without labels', () => {
    expect(seriesKey('cpu_usage', undefined)).toBe('cpu_usage');
    expect(seriesKey('cpu_usage', {})).toBe('cpu_usage');
  });

  it('does not depend on label order', () => {
    expect(seriesKey('disk_usage', { mount: '/data', dev: 'sdb' })).toBe(
      seriesKey('disk_usage', { dev: 'sdb', mount: '/data' }),
    );
  });

  it('differs for different names, label names or label values', () => {
    const keys = [
      seriesKey('disk_usage', undefined),
      seriesKey('disk_usage', { mount: '/' }),
      seriesKey('disk_usage', { mount: '/data' }),
      seriesKey('disk_usage', { path: '/data' }),
      seriesKey('disk_usage', { mount: '/data', dev: 'sdb' }),
      seriesKey('disk_free', { mount: '/data' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is unambiguous when label values hold separators such as , and =', () => {
    expect(seriesKey('m', { a: 'b,c=d' })).not.toBe(seriesKey('m', { a: 'b', c: 'd' }));
    expect(seriesKey('m', { a: 'x=y' })).not.toBe(seriesKey('m', { a: 'x', y: '' }));
  });
});

describe('RuleEvaluator', () => {
  describe('threshold rules (DEFAULT_RULES cpu_usage: warning 80, critical 95, hysteresis 5)', () => {
    function feeder() {
      const s = setup();
      const { agent } = connect(s.fleet, 'web-1');
      let ts = T0;
      const feed = (value: number, name = 'cpu_usage', labels?: Record<string, string>) => {
        const sample: Sample = { name, value, ts: ++ts, ...(labels ? { labels } : {}) };
        s.evaluator.onSample(agent, sample, s.clock.now(), s.clock.monotonic());
      };
      return { ...s, agent, feed };
    }

    it('watches only metrics with a rule', () => {
      const { evaluator } = setup();
      expect(evaluator.watches('cpu_usage')).toBe(true);
      expect(evaluator.watches('disk_usage')).toBe(true);
      expect(evaluator.watches('network_in')).toBe(false);
    });

    it('follows one series through warning, escalation, hysteresis and resolution', () => {
      const { book, agent, feed } = feeder();

      feed(50);
      expect(book.all()).toHaveLength(0);

      feed(85);
      const open = book.list({ state: 'open' });
      expect(open).toHaveLength(1);
      const alert = open[0]!;
      expect(alert).toMatchObject({
        ruleId: 'cpu_usage',
        subjectKey: `${agent.id}/cpu_usage`,
        subject: { kind: 'agent', regionId: 'us-east-1', agentId: agent.id },
        severity: 'warning',
        state: 'firing',
        metric: 'cpu_usage',
        value: 85,
        threshold: 80,
        sampleArrivedAt: T0,
      });
      expect(alert.message).toBe('CPU busy: cpu_usage 85.0% > 80.0% on web-1');

      feed(85);
      feed(85);
      expect(book.all()).toHaveLength(1);

      feed(97);
      expect(book.all()).toHaveLength(1);
      expect(alert.severity).toBe('critical');
      expect(alert.state).toBe('firing');
      expect(alert.value).toBe(97);
      expect(alert.threshold).toBe(95);
      expect(alert.message).toBe('CPU busy: cpu_usage 97.0% > 95.0% on web-1');

      feed(77); // below 80 but above 80 - 5: stays open
      expect(alert.state).toBe('firing');
      expect(alert.severity).toBe('critical');
      expect(alert.lastValue).toBe(77);

      feed(75.5);
      expect(alert.state).toBe('firing');

      feed(70);
      expect(alert.state).toBe('resolved');
      expect(alert.resolvedBy).toBe('auto');
      expect(alert.lastValue).toBe(70);
      expect(book.list({ state: 'open' })).toHaveLength(0);
      expect(book.all()).toHaveLength(1);
    });

    it('clears exactly at threshold - hysteresis', () => {
      const { book, feed } = feeder();
      feed(85);
      feed(75);
      expect(book.list({ state: 'resolved' })).toHaveLength(1);
    });

    it('a critical value that falls to warning level keeps critical', () => {
      const { book, feed } = feeder();
      feed(99);
      feed(85);
      const [a] = book.list();
      expect(a!.severity).toBe('critical');
      expect(a!.lastValue).toBe(85);
      expect(a!.state).toBe('firing');
    });

    it('a new breach after resolution opens a new alert', () => {
      const { book, feed } = feeder();
      feed(85);
      feed(60);
      feed(90);
      expect(book.all()).toHaveLength(2);
      expect(book.list({ state: 'open' })).toHaveLength(1);
      expect(book.list({ state: 'resolved' })).toHaveLength(1);
    });

    it('labels make separate series: disk_usage on / and /data are separate alerts', () => {
      const { book, agent, feed } = feeder();
      feed(95, 'disk_usage', { mount: '/' });
      feed(98, 'disk_usage', { mount: '/data' });
      const open = book.list({ state: 'open' });
      expect(open).toHaveLength(2);
      const root = book.openFor(
        'disk_usage',
        `${agent.id}/${seriesKey('disk_usage', { mount: '/' })}`,
      )!;
      const data = book.openFor(
        'disk_usage',
        `${agent.id}/${seriesKey('disk_usage', { mount: '/data' })}`,
      )!;
      expect(root.severity).toBe('warning');
      expect(data.severity).toBe('critical');
      expect(root.id).not.toBe(data.id);
      expect(root.message).toBe('Disk nearly full: disk_usage {mount=/} 95.0% > 90.0% on web-1');

      feed(50, 'disk_usage', { mount: '/' });
      expect(root.state).toBe('resolved');
      expect(data.state).toBe('firing');
    });

    it('the same metric on two agents makes two alerts', () => {
      const s = setup();
      const a = connect(s.fleet, 'web-1').agent;
      const b = connect(s.fleet, 'web-2').agent;
      const sample: Sample = { name: 'cpu_usage', value: 90, ts: T0 };
      s.evaluator.onSample(a, sample, T0, T0);
      s.evaluator.onSample(b, sample, T0, T0);
      const agents = s.book.list({ state: 'open' }).map((x) => x.subject.agentId);
      expect(agents.sort()).toEqual([a.id, b.id].sort());
    });

    it('rules with only a warning level (response_time) never escalate', () => {
      const { book, feed } = feeder();
      feed(5000, 'response_time');
      const [a] = book.list();
      expect(a!.severity).toBe('warning');
      expect(a!.message).toBe('Responses slow: response_time 5000 ms > 1000 ms on web-1');
    });

    it('passes the sample → alert latency to onFired', () => {
      const s = setup();
      const { agent } = connect(s.fleet, 'web-1');
      const arrivedMono = s.clock.monotonic();
      s.clock.advance(4);
      s.evaluator.onSample(agent, { name: 'cpu_usage', value: 90, ts: T0 }, T0, arrivedMono);
      expect(s.fired.at(-1)!.latency).toBe(4);
    });

    it('disabled rules are ignored; setRules replaces the rule set', () => {
      const s = setup(
        DEFAULT_RULES.map((r) => (r.id === 'cpu_usage' ? { ...r, enabled: false } : r)),
      );
      const { agent } = connect(s.fleet, 'web-1');
      expect(s.evaluator.watches('cpu_usage')).toBe(false);
      s.evaluator.onSample(agent, { name: 'cpu_usage', value: 99, ts: T0 }, T0, T0);
      expect(s.book.all()).toHaveLength(0);
      s.evaluator.setRules([]);
      expect(s.evaluator.watches('memory_usage')).toBe(false);
    });

    it('lt rules alert when the value falls', () => {
      const s = setup([
        {
          id: 'free_disk',
          kind: 'threshold',
          enabled: true,
          description: 'Free disk low',
          metric: 'disk_free',
          comparator: 'lt',
          unit: 'GB',
          warning: 20,
          critical: 5,
          hysteresis: 2,
          forMs: 0,
        },
      ]);
      const { agent } = connect(s.fleet, 'web-1');
      const feed = (value: number) =>
        s.evaluator.onSample(agent, { name: 'disk_free', value, ts: T0 }, T0, T0);
      feed(10);
      const [a] = s.book.list();
      expect(a!.severity).toBe('warning');
      expect(a!.message).toBe('Free disk low: disk_free 10.0 GB < 20.0 GB on web-1');
      feed(3);
      expect(a!.severity).toBe('critical');
      feed(21);
      expect(a!.state).toBe('firing'); // 21 < 20 + 2: inside the hysteresis band
      feed(22);
      expect(a!.state).toBe('resolved');
    });
  });

  describe('agent_offline', () => {
    it('an agent going offline raises a critical alert; coming back resolves it', () => {
      const { fleet, book } = setup();
      const c = connect(fleet, 'web-1');
      expect(book.all()).toHaveLength(0);
      fleet.disconnect(c.agent.id, c.connectionId, 'offline');
      const alert = book.openFor('agent_offline', c.agent.id)!;
      expect(alert).toMatchObject({
        ruleId: 'agent_offline',
        severity: 'critical',
        state: 'firing',
        subject: { kind: 'agent', regionId: 'us-east-1', agentId: c.agent.id },
        metric: null,
        value: null,
      });
      expect(alert.message).toBe('Agent web-1 (us-east-1) stopped reporting');

      connect(fleet, 'web-1');
      expect(alert.state).toBe('resolved');
      expect(alert.resolvedBy).toBe('auto');
      expect(book.openFor('agent_offline', c.agent.id)).toBeUndefined();
    });

    it('a protocol-error disconnect says so', () => {
      const { fleet, book } = setup();
      const c = connect(fleet, 'web-1');
      fleet.disconnect(c.agent.id, c.connectionId, 'error');
      expect(book.openFor('agent_offline', c.agent.id)!.message).toBe(
        'Agent web-1 (us-east-1) was disconnected for a protocol error',
      );
    });

    it('the watchdog taking an agent offline raises it; a heartbeat resolves it', () => {
      const { fleet, book, clock } = setup();
      fleet.start();
      const c = connect(fleet, 'web-1');
      clock.advance(3300);
      const alert = book.openFor('agent_offline', c.agent.id)!;
      expect(alert.state).toBe('firing');
      fleet.heartbeat(c.agent.id);
      expect(alert.state).toBe('resolved');
      fleet.stop();
    });

    it('heartbeats and metrics from an online agent raise nothing', () => {
      const { fleet, book } = setup();
      const c = connect(fleet, 'web-1');
      fleet.heartbeat(c.agent.id);
      fleet.recordMetrics(c.agent.id, 3, { cpu_usage: 1 });
      expect(book.all()).toHaveLength(0);
    });
  });

  describe('region_status', () => {
    it('degraded raises a warning, failed escalates to critical, active resolves', () => {
      const { fleet, book } = setup();
      const conns = Array.from({ length: 10 }, (_, i) => connect(fleet, `h${i}`));
      const drop = (i: number) =>
        fleet.disconnect(conns[i]!.agent.id, conns[i]!.connectionId, 'offline');

      drop(0);
      drop(1);
      expect(book.openFor('region_status', 'us-east-1')).toBeUndefined(); // 8/10 active

      drop(2); // 7/10
      const alert = book.openFor('region_status', 'us-east-1')!;
      expect(alert).toMatchObject({
        severity: 'warning',
        state: 'firing',
        subject: { kind: 'region', regionId: 'us-east-1', agentId: null },
        metric: 'region_health',
        value: 0.7,
        threshold: 0.8,
      });
      expect(alert.message).toBe('Region US East (N. Virginia) degraded: 7/10 agents online (70%)');

      drop(3);
      drop(4); // 5/10 still degraded
      expect(alert.severity).toBe('warning');

      drop(5); // 4/10 failed
      expect(book.openFor('region_status', 'us-east-1')).toBe(alert);
      expect(alert.severity).toBe('critical');
      expect(alert.state).toBe('firing');
      expect(alert.value).toBe(0.4);
      expect(alert.threshold).toBe(0.5);
      expect(alert.message).toBe('Region US East (N. Virginia) failed: 4/10 agents online (40%)');

      for (let i = 0; i < 6; i++) connect(fleet, `h${i}`);
      expect(fleet.region('us-east-1')!.status).toBe('active');
      expect(alert.state).toBe('resolved');
      expect(alert.resolvedBy).toBe('auto');
      expect(book.list({ state: 'open' })).toHaveLength(0);
      // one region alert and six agent_offline alerts, all resolved
      expect(book.list({ state: 'resolved' })).toHaveLength(7);
    });

    it('the open alert always says the current counts, without a new transition or notification', () => {
      const { fleet, book, events, fired } = setup();
      const conns = Array.from({ length: 75 }, (_, i) => connect(fleet, `h${i}`));
      const drop = (i: number) =>
        fleet.disconnect(conns[i]!.agent.id, conns[i]!.connectionId, 'offline');
      for (let i = 37; i < 75; i++) drop(i); // 37/75 online: failed
      const alert = book.openFor('region_status', 'us-east-1')!;
      expect(alert.message).toBe('Region US East (N. Virginia) failed: 37/75 agents online (49%)');
      const firedForRegion = () => fired.filter((f) => f.id === alert.id).length;
      const firedBefore = firedForRegion();
      const transitions: string[] = [];
      const revisions: string[] = [];
      events.on('alert.changed', ({ alert: a }) => transitions.push(a.id));
      events.on('alert.revised', ({ alert: a }) => revisions.push(a.message));

      for (let i = 0; i < 37; i++) drop(i); // down to 0/75
      expect(book.openFor('region_status', 'us-east-1')).toBe(alert);
      expect(alert.message).toBe('Region US East (N. Virginia) failed: 0/75 agents online (0%)');
      expect(alert.value).toBe(0);
      expect(alert.lastValue).toBe(0);
      expect(alert.severity).toBe('critical');
      expect(alert.state).toBe('firing');
      expect(revisions).toHaveLength(37);
      // Only the agents' own offline alerts changed state; the region alert did not fire again.
      expect(transitions.filter((id) => id === alert.id)).toEqual([]);
      expect(firedForRegion()).toBe(firedBefore);

      // Coming back to degraded: severity stays (never falls while open), the text follows.
      for (let i = 0; i < 40; i++) connect(fleet, `h${i}`);
      expect(alert.severity).toBe('critical');
      expect(alert.message).toBe(
        'Region US East (N. Virginia) degraded: 40/75 agents online (53%)',
      );
    });

    it('an acknowledged degraded alert fires again when the region fails', () => {
      const { fleet, book } = setup();
      const conns = Array.from({ length: 4 }, (_, i) => connect(fleet, `h${i}`));
      fleet.disconnect(conns[0]!.agent.id, conns[0]!.connectionId, 'offline'); // 3/4 degraded
      const alert = book.openFor('region_status', 'us-east-1')!;
      book.acknowledge(alert.id, 'alice');
      fleet.disconnect(conns[1]!.agent.id, conns[1]!.connectionId, 'offline'); // 2/4 degraded
      expect(alert.state).toBe('acknowledged');
      fleet.disconnect(conns[2]!.agent.id, conns[2]!.connectionId, 'offline'); // 1/4 failed
      expect(alert.state).toBe('firing');
      expect(alert.severity).toBe('critical');
    });

    it('a rule with degraded: null only alerts on failure', () => {
      const rules = DEFAULT_RULES.map((r) =>
        r.kind === 'region_status' ? { ...r, degraded: null } : r,
      );
      const { fleet, book } = setup(rules);
      const conns = Array.from({ length: 4 }, (_, i) => connect(fleet, `h${i}`));
      fleet.disconnect(conns[0]!.agent.id, conns[0]!.connectionId, 'offline');
      expect(book.openFor('region_status', 'us-east-1')).toBeUndefined();
      fleet.disconnect(conns[1]!.agent.id, conns[1]!.connectionId, 'offline');
      fleet.disconnect(conns[2]!.agent.id, conns[2]!.connectionId, 'offline');
      expect(book.openFor('region_status', 'us-east-1')!.severity).toBe('critical');
    });
  });
});

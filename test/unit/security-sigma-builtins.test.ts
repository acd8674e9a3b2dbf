// The built-in rules, read from their YAML files as the console will, on scripted timelines:
// each fires exactly when it should, once per episode, and not on a seeded background of
// normal logins with occasional typos.
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { loadRules } from '../../electron/core/security/detect/rule-files.js';
import { DEFAULT_PLACEHOLDERS } from '../../electron/core/security/detect/rule-set.js';
import type {
  CompiledRule,
  Detection,
  SecurityEvent,
} from '../../electron/core/security/detect/types.js';
import {
  T0,
  auth,
  failure,
  fim,
  portOpen,
  seeded,
  success,
} from './support/security-events-fixture.js';

let rules: CompiledRule[];
beforeAll(async () => {
  const set = await loadRules();
  expect(set.errors).toEqual([]);
  rules = set.rules;
});

const newEngine = () => new DetectionEngine({ rules, clock: new ManualClock(T0) });
const titleOf = (id: string) => rules.find((r) => r.name === id || r.title === id)!.title;
const run = (engine: DetectionEngine, events: SecurityEvent[]): Detection[] =>
  events.flatMap((e) => engine.process(e));
const byRule = (ds: Detection[], name: string) => ds.filter((d) => d.title === titleOf(name));

describe('built-in rules', () => {
  it('all load, with MITRE ids', () => {
    const mitre = Object.fromEntries(
      rules.filter((r) => r.mitre.length > 0).map((r) => [r.title, r.mitre]),
    );
    expect(mitre).toMatchObject({
      'SSH brute force': ['T1110', 'T1110.001'],
      'Password spraying': ['T1110', 'T1110.003'],
      'Distributed brute force': ['T1110', 'T1110.001'],
      'Login success after a run of failures': ['T1110', 'T1078'],
      'Root login': ['T1078', 'T1078.003'],
      'sudo by a user outside the allow-list': ['T1548', 'T1548.003'],
      'SSH authorized_keys changed': ['T1098.004'],
      'New listening port': ['T1571'],
    });
    expect(rules.find((r) => r.title === 'SSH brute force')!.tags).toContain('pci_dss.8.3.4');
  });

  describe('SSH brute force (≥ 10 failures, one source, one host, 1 min)', () => {
    const burst = (n: number, spanMs: number, o: { srcIp?: string; agentId?: string } = {}) =>
      Array.from({ length: n }, (_, i) =>
        failure({
          ts: T0 + Math.round((i * spanMs) / Math.max(1, n - 1)),
          srcIp: '203.0.113.9',
          ...o,
        }),
      );

    it('the 10th failure within 60 s fires, once, as a critical with the window facts', () => {
      const engine = newEngine();
      const events = burst(10, 54_000);
      expect(run(engine, events.slice(0, 9))).toEqual([]);
      const ds = engine.process(events[9]!);
      expect(ds).toHaveLength(1);
      expect(ds[0]).toMatchObject({
        title: 'SSH brute force',
        severity: 'critical',
        count: 10,
        firstTs: T0,
        lastTs: T0 + 54_000,
        group: { agentId: 'web-1', src_ip: '203.0.113.9' },
      });
    });

    it('9 failures do not fire', () => {
      expect(byRule(run(newEngine(), burst(9, 10_000)), 'meridian_ssh_brute_force')).toEqual([]);
    });

    it('10 failures spread over 61 s do not fire', () => {
      expect(byRule(run(newEngine(), burst(10, 61_000)), 'meridian_ssh_brute_force')).toEqual([]);
    });

    it('an attack that goes on (600 failures in 10 min) is one detection', () => {
      expect(
        byRule(run(newEngine(), burst(600, 600_000)), 'meridian_ssh_brute_force'),
      ).toHaveLength(1);
    });

    it('10 failures from one source spread over two hosts do not fire', () => {
      const events = burst(10, 10_000).map((e, i) => ({
        ...e,
        agentId: i % 2 ? 'web-1' : 'web-2',
      }));
      expect(byRule(run(newEngine(), events), 'meridian_ssh_brute_force')).toEqual([]);
    });

    it('failures from su or login are not SSH brute force', () => {
      const events = burst(12, 10_000).map((e) => ({
        ...e,
        attributes: { ...e.attributes, service: 'su' },
      }));
      expect(byRule(run(newEngine(), events), 'meridian_ssh_brute_force')).toEqual([]);
    });
  });

  it('password spraying: one source failing as 5 users (on any hosts) fires on the 5th user', () => {
    const engine = newEngine();
    const users = ['admin', 'oracle', 'admin', 'postgres', 'ubuntu', 'test', 'git'];
    const ds = users.map((user, i) =>
      byRule(
        engine.process(
          failure({ ts: T0 + i * 30_000, user, srcIp: '198.51.100.7', agentId: `h${i}` }),
        ),
        'meridian_password_spraying',
      ),
    );
    expect(ds.map((d) => d.length)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect(new Set(ds[5]![0]!.distinctValues)).toEqual(
      new Set(['admin', 'oracle', 'postgres', 'ubuntu', 'test']),
    );
  });

  it('password spraying: 4 users do not fire', () => {
    const events = ['a', 'b', 'c', 'd', 'a', 'b'].map((user, i) =>
      failure({ ts: T0 + i * 1000, user, srcIp: 'x' }),
    );
    expect(byRule(run(newEngine(), events), 'meridian_password_spraying')).toEqual([]);
  });

  it('distributed brute force: one user failing from 5 sources in several regions fires once', () => {
    const regions = ['eu-west', 'us-east', 'ap-south', 'eu-west', 'us-west', 'sa-east', 'us-east'];
    const events = regions.map((regionId, i) =>
      failure({
        ts: T0 + i * 60_000,
        user: 'root',
        srcIp: `192.0.2.${i + 1}`,
        regionId,
        agentId: `${regionId}-1`,
      }),
    );
    const ds = byRule(run(newEngine(), events), 'meridian_distributed_brute_force');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ group: { user: 'root' }, lastTs: T0 + 4 * 60_000 });
    expect(ds[0]!.distinctValues).toHaveLength(5);
  });

  it('success after a run of 5 failures fires; after 4 it does not', () => {
    const script = (fails: number) => [
      ...Array.from({ length: fails }, (_, i) =>
        failure({ ts: T0 + i * 20_000, user: 'bob', srcIp: '203.0.113.50' }),
      ),
      success({ ts: T0 + fails * 20_000 + 5_000, user: 'bob', srcIp: '203.0.113.50' }),
    ];
    const five = byRule(run(newEngine(), script(5)), 'meridian_success_after_failures');
    expect(five).toHaveLength(1);
    expect(five[0]).toMatchObject({
      severity: 'critical',
      group: { agentId: 'web-1', src_ip: '203.0.113.50', user: 'bob' },
    });
    expect(byRule(run(newEngine(), script(4)), 'meridian_success_after_failures')).toEqual([]);
  });

  it('root login: a root success over sshd or login fires; su to root and root failures do not', () => {
    const engine = newEngine();
    expect(
      engine.process(success({ ts: T0, user: 'root', srcIp: 'x' })).map((d) => d.title),
    ).toEqual(['Root login']);
    expect(
      byRule(engine.process(success({ ts: T0, user: 'root', service: 'login' })), 'Root login'),
    ).toHaveLength(1);
    expect(
      byRule(engine.process(success({ ts: T0, user: 'root', service: 'su' })), 'Root login'),
    ).toEqual([]);
    expect(
      byRule(engine.process(failure({ ts: T0, user: 'root', srcIp: 'x' })), 'Root login'),
    ).toEqual([]);
    expect(
      byRule(engine.process(success({ ts: T0, user: 'alice', srcIp: 'x' })), 'Root login'),
    ).toEqual([]);
  });

  it('sudo outside the allow-list fires; inside it does not; the list is a placeholder', async () => {
    const sudo = (user: string) => auth('sudo', { ts: T0, user, service: 'sudo' });
    const engine = newEngine();
    expect(engine.process(sudo('mallory')).map((d) => d.title)).toEqual([
      'sudo by a user outside the allow-list',
    ]);
    expect(engine.process(sudo('root'))).toEqual([]);
    const custom = await loadRules([], {
      placeholders: { ...DEFAULT_PLACEHOLDERS, sudo_allowed_users: ['ops', 'mallory'] },
    });
    const allowing = new DetectionEngine({ rules: custom.rules, clock: new ManualClock(T0) });
    expect(allowing.process(sudo('Mallory'))).toEqual([]);
    expect(allowing.process(sudo('eve'))).toHaveLength(1);
  });

  it('FIM: critical files and directories fire; authorized_keys has its own rule; others do not', () => {
    const engine = newEngine();
    const titles = (p: string) => engine.process(fim(p, T0)).map((d) => d.title);
    expect(titles('/etc/shadow')).toEqual(['Critical file changed']);
    expect(titles('/etc/sudoers.d/90-cloud-init-users')).toEqual(['Critical file changed']);
    expect(titles('/home/bob/.ssh/authorized_keys')).toEqual(['SSH authorized_keys changed']);
    expect(titles('/etc/hosts')).toEqual([]);
    expect(titles('/etc/shadow-')).toEqual([]);
  });

  it('new listening port: reachable listeners fire, loopback ones do not', () => {
    const engine = newEngine();
    expect(engine.process(portOpen(4444, '0.0.0.0', T0)).map((d) => d.title)).toEqual([
      'New listening port',
    ]);
    expect(engine.process(portOpen(8080, '::', T0))).toHaveLength(1);
    expect(engine.process(portOpen(631, '127.0.0.1', T0))).toEqual([]);
    expect(engine.process(portOpen(5432, '::1', T0))).toEqual([]);
  });

  it('six hours of normal noise (logins, typos, sessions, allowed sudo) raise nothing; an attack in it does', () => {
    const rand = seeded(42);
    const users = Array.from({ length: 40 }, (_, i) => `user${i}`);
    const events: SecurityEvent[] = [];
    for (let ts = T0; ts < T0 + 6 * 3_600_000; ts += 2_000 + Math.floor(rand() * 16_000)) {
      const u = Math.floor(rand() * users.length);
      const user = users[u]!;
      // home addresses, plus an office NAT shared by everyone
      const srcIp = rand() < 0.3 ? '198.51.100.1' : `10.0.${u}.${10 + (u % 7)}`;
      const agentId = `web-${Math.floor(rand() * 20)}`;
      const o = { ts, user, srcIp, agentId, regionId: `r${Math.floor(rand() * 4)}` };
      const r = rand();
      if (r < 0.03) {
        events.push(failure(o), success({ ...o, ts: ts + 4_000 })); // a typo, then in
      } else if (r < 0.1) {
        events.push(auth('sudo', { ts, user: 'root', service: 'sudo', agentId }));
      } else {
        events.push(success(o), auth('session_open', o));
      }
    }
    expect(events.length).toBeGreaterThan(2_000);
    const engine = newEngine();
    expect(run(engine, events)).toEqual([]);
    // the same engine still sees a brute force burst dropped into it
    const burst = Array.from({ length: 10 }, (_, i) =>
      failure({ ts: T0 + 6 * 3_600_000 + i * 1000, srcIp: '203.0.113.9' }),
    );
    expect(run(engine, burst).map((d) => d.title)).toEqual(['SSH brute force']);
  });
});

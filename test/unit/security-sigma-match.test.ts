// Every modifier and condition form against events shaped like the agent's, through the
// same path the console uses (YAML text → rule set → engine).
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../electron/core/security/detect/types.js';
import { buildRuleSet } from '../../electron/core/security/detect/rule-set.js';
import { T0, auth, engineFor, fim, portOpen } from './support/security-events-fixture.js';

/** Does a one-rule file with this detection block (and logsource) match the event? */
function matcher(detection: string, logsource = '{ category: security }') {
  const text = `title: t\nid: t-1\nlogsource: ${logsource}\ndetection:\n${detection
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
  const { engine } = engineFor({ 'm.yml': text });
  return (e: SecurityEvent) => engine.process(e).length === 1;
}

const ev = (
  attributes: SecurityEvent['attributes'],
  extra: Partial<SecurityEvent> = {},
): SecurityEvent => ({
  ts: T0,
  category: 'security',
  severity: 'info',
  source: 'auth',
  message: 'Failed password for invalid user Admin from 203.0.113.9 port 52000 ssh2',
  attributes,
  agentId: 'web-1',
  hostname: 'web-1.example',
  regionId: 'eu-west',
  ...extra,
});

describe('sigma field matching', () => {
  it('plain values compare case-insensitively and in full', () => {
    const m = matcher('sel: { user: Admin }\ncondition: sel');
    expect(m(ev({ user: 'admin' }))).toBe(true);
    expect(m(ev({ user: 'ADMIN' }))).toBe(true);
    expect(m(ev({ user: 'admin2' }))).toBe(false);
    expect(m(ev({}))).toBe(false);
  });

  it('a list is OR; a map is AND', () => {
    const m = matcher('sel:\n  user: [alice, bob]\n  service: sshd\ncondition: sel');
    expect(m(ev({ user: 'bob', service: 'sshd' }))).toBe(true);
    expect(m(ev({ user: 'bob', service: 'su' }))).toBe(false);
    expect(m(ev({ user: 'carol', service: 'sshd' }))).toBe(false);
  });

  it('a list of maps is OR of ANDs', () => {
    const m = matcher('sel:\n  - { user: alice, service: su }\n  - { user: bob }\ncondition: sel');
    expect(m(ev({ user: 'alice', service: 'su' }))).toBe(true);
    expect(m(ev({ user: 'alice', service: 'sshd' }))).toBe(false);
    expect(m(ev({ user: 'bob', service: 'sshd' }))).toBe(true);
  });

  it('|contains, |startswith, |endswith', () => {
    const c = matcher("sel: { path|contains: '/SSH/' }\ncondition: sel");
    expect(c(ev({ path: '/etc/ssh/sshd_config' }))).toBe(true);
    expect(c(ev({ path: '/etc/passwd' }))).toBe(false);
    const s = matcher("sel: { path|startswith: '/etc/sudoers' }\ncondition: sel");
    expect(s(ev({ path: '/etc/sudoers.d/90-cloud' }))).toBe(true);
    expect(s(ev({ path: '/tmp/etc/sudoers' }))).toBe(false);
    const e = matcher("sel: { path|endswith: 'authorized_keys' }\ncondition: sel");
    expect(e(ev({ path: '/home/bob/.ssh/AUTHORIZED_KEYS' }))).toBe(true);
    expect(e(ev({ path: '/home/bob/.ssh/authorized_keys2' }))).toBe(false);
  });

  it('|contains|all needs every value; without |all any value', () => {
    const all = matcher('sel: { command|contains|all: [curl, "| sh"] }\ncondition: sel');
    expect(all(ev({ command: 'curl http://x | sh' }))).toBe(true);
    expect(all(ev({ command: 'curl http://x -o f' }))).toBe(false);
    const any = matcher('sel: { command|contains: [curl, wget] }\ncondition: sel');
    expect(any(ev({ command: 'wget http://x' }))).toBe(true);
  });

  it('|re is a case-sensitive regular expression; |re|i ignores case', () => {
    const re = matcher("sel: { src_ip|re: '^203\\.0\\.113\\.\\d+$' }\ncondition: sel");
    expect(re(ev({ src_ip: '203.0.113.9' }))).toBe(true);
    expect(re(ev({ src_ip: '198.51.100.1' }))).toBe(false);
    const cased = matcher("sel: { user|re: '^adm' }\ncondition: sel");
    expect(cased(ev({ user: 'Admin' }))).toBe(false);
    const i = matcher("sel: { user|re|i: '^adm' }\ncondition: sel");
    expect(i(ev({ user: 'Admin' }))).toBe(true);
  });

  it('wildcards * and ? in plain values, and \\* as a literal star', () => {
    const w = matcher("sel: { user: 'adm?n*' }\ncondition: sel");
    expect(w(ev({ user: 'admin' }))).toBe(true);
    expect(w(ev({ user: 'ADMINISTRATOR' }))).toBe(true);
    expect(w(ev({ user: 'adm' }))).toBe(false);
    const lit = matcher("sel: { command: 'rm \\*' }\ncondition: sel");
    expect(lit(ev({ command: 'rm *' }))).toBe(true);
    expect(lit(ev({ command: 'rm x' }))).toBe(false);
  });

  it('numbers match numbers and their text; null matches an absent field', () => {
    const n = matcher('sel: { port: 22 }\ncondition: sel');
    expect(n(ev({ port: 22 }))).toBe(true);
    expect(n(ev({ port: '22' }))).toBe(true);
    expect(n(ev({ port: 2222 }))).toBe(false);
    const none = matcher('sel: { user: alice }\nno_ip: { src_ip: null }\ncondition: sel and no_ip');
    expect(none(ev({ user: 'alice' }))).toBe(true);
    expect(none(ev({ user: 'alice', src_ip: '203.0.113.9' }))).toBe(false);
  });

  it('|expand takes the list from a placeholder', () => {
    const text =
      "title: t\nid: t\nlogsource: { category: security }\ndetection:\n  sel: { user|expand: '%admins%' }\n  condition: sel\n";
    const set = buildRuleSet([{ file: 'x.yml', text }], {
      placeholders: { admins: ['ops', 'root'] },
    });
    expect(set.errors).toEqual([]);
    const r = set.rules[0]!;
    if (r.kind !== 'detection') throw new Error('expected a detection rule');
    expect(r.matches(ev({ user: 'OPS' }))).toBe(true);
    expect(r.matches(ev({ user: 'bob' }))).toBe(false);
  });

  it('keyword lists search the message', () => {
    const k = matcher("keywords: ['invalid user', 'authentication failure']\ncondition: keywords");
    expect(k(ev({}))).toBe(true);
    expect(k(ev({}, { message: 'Accepted publickey for bob' }))).toBe(false);
  });

  it('fields resolve from attributes first, then the event and its agent context', () => {
    const m = matcher(
      "sel: { regionId: eu-west, hostname|endswith: '.example', source: auth }\ncondition: sel",
    );
    expect(m(ev({}))).toBe(true);
    expect(m(ev({}, { regionId: 'us-east' }))).toBe(false);
    const shadow = matcher('sel: { source: custom }\ncondition: sel');
    expect(shadow(ev({ source: 'custom' }))).toBe(true); // the attribute wins
  });
});

describe('sigma conditions', () => {
  const sels =
    'a: { user: alice }\nb: { service: sshd }\nc: { src_ip: 203.0.113.9 }\n_x: { method: password }';
  const cases: [string, [Record<string, string>, boolean][]][] = [
    [
      'a and b',
      [
        [{ user: 'alice', service: 'sshd' }, true],
        [{ user: 'alice' }, false],
      ],
    ],
    [
      'a or b',
      [
        [{ service: 'sshd' }, true],
        [{ user: 'bob' }, false],
      ],
    ],
    [
      'a and not b',
      [
        [{ user: 'alice', service: 'su' }, true],
        [{ user: 'alice', service: 'sshd' }, false],
      ],
    ],
    [
      'not not a',
      [
        [{ user: 'alice' }, true],
        [{}, false],
      ],
    ],
    // and binds tighter than or
    [
      'a or b and c',
      [
        [{ user: 'alice' }, true],
        [{ service: 'sshd' }, false],
        [{ service: 'sshd', src_ip: '203.0.113.9' }, true],
      ],
    ],
    [
      '(a or b) and c',
      [
        [{ user: 'alice' }, false],
        [{ user: 'alice', src_ip: '203.0.113.9' }, true],
      ],
    ],
    [
      '1 of them',
      [
        [{ src_ip: '203.0.113.9' }, true],
        [{ method: 'password' }, false],
      ],
    ],
    [
      'all of them',
      [
        [{ user: 'alice', service: 'sshd', src_ip: '203.0.113.9' }, true],
        [{ user: 'alice', service: 'sshd' }, false],
      ],
    ],
    [
      '1 of _*',
      [
        [{ method: 'password' }, true],
        [{ user: 'alice' }, false],
      ],
    ],
    [
      'all of a* and not 1 of _*',
      [
        [{ user: 'alice' }, true],
        [{ user: 'alice', method: 'password' }, false],
      ],
    ],
  ];
  for (const [condition, expectations] of cases) {
    it(`condition: ${condition}`, () => {
      const m = matcher(`${sels}\ncondition: ${condition}`);
      for (const [attrs, want] of expectations)
        expect({ attrs, got: m(ev(attrs)) }).toEqual({ attrs, got: want });
    });
  }

  it('operators are case-insensitive; selection names are not', () => {
    const m = matcher(`${sels}\ncondition: a AND NOT b`);
    expect(m(ev({ user: 'alice', service: 'su' }))).toBe(true);
    const set = buildRuleSet([
      {
        file: 'x.yml',
        text: `title: t\nid: t\nlogsource: { category: security }\ndetection:\n  a: { user: x }\n  condition: A\n`,
      },
    ]);
    expect(set.errors[0]?.message).toMatch(/unknown selection 'A'/);
  });
});

describe('logsource', () => {
  it('category is the event category; service is the event source or its service attribute', () => {
    const bySource = matcher('sel: { event.type: fim_change }\ncondition: sel', '{ service: fim }');
    expect(bySource(fim('/etc/passwd', T0))).toBe(true);
    expect(bySource(portOpen(22, '0.0.0.0', T0))).toBe(false);
    const byService = matcher(
      'sel: { event.type: auth_failure }\ncondition: sel',
      '{ category: security, service: sshd }',
    );
    expect(byService(auth('auth_failure', { ts: T0, service: 'sshd' }))).toBe(true);
    expect(byService(auth('auth_failure', { ts: T0, service: 'su' }))).toBe(false);
    const byCategory = matcher(
      'sel: { event.type: fim_change }\ncondition: sel',
      '{ category: security }',
    );
    expect(byCategory(fim('/etc/passwd', T0))).toBe(false); // fim events are category change
  });

  it('product narrows only when the agent sends host.os', () => {
    const m = matcher(
      'sel: { user: alice }\ncondition: sel',
      '{ product: linux, category: security }',
    );
    expect(m(ev({ user: 'alice' }))).toBe(true);
    expect(m(ev({ user: 'alice', 'host.os': 'Linux' }))).toBe(true);
    expect(m(ev({ user: 'alice', 'host.os': 'windows' }))).toBe(false);
  });
});

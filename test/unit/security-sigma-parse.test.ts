// Rule files that do not parse or validate are refused with the file and the line, and never
// load half-valid; good files keep loading beside them.
import { describe, expect, it } from 'vitest';
import { buildRuleSet } from '../../electron/core/security/detect/rule-set.js';

const load = (text: string, file = 'r.yml') => buildRuleSet([{ file, text }]);

function errorOf(text: string): string {
  const set = load(text);
  expect(set.rules).toEqual([]);
  expect(set.errors).toHaveLength(1);
  return set.errors[0]!.message;
}

const GOOD = `title: ok
id: good-1
level: medium
tags: [attack.credential_access, attack.t1110.001, attack.T1078, pci_dss.8.3.4]
logsource: { category: security }
detection:
  sel: { user: bob }
  condition: sel
`;

describe('sigma rule files: errors name the file and line', () => {
  it('loads a valid rule with its metadata: level → severity, attack tags → MITRE ids', () => {
    const set = load(GOOD);
    expect(set.errors).toEqual([]);
    const [r] = set.rules;
    expect(r).toMatchObject({
      id: 'good-1',
      title: 'ok',
      level: 'medium',
      severity: 'warning',
      status: 'experimental',
      mitre: ['T1110.001', 'T1078'],
      file: 'r.yml',
    });
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'critical'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['informational', 'info'],
  ])('level %s is severity %s', (level, severity) => {
    expect(load(GOOD.replace('level: medium', `level: ${level}`)).rules[0]?.severity).toBe(
      severity,
    );
  });

  it('a YAML syntax error names its line', () => {
    const msg = errorOf(`title: x
id: y
logsource: { category: security }
detection:
  sel: { user: [bob, }
  condition: sel
`);
    expect(msg).toMatch(/^r\.yml:5: YAML: /);
  });

  it('a duplicate key is a YAML error on its line', () => {
    expect(errorOf(`title: x\nid: y\ntitle: z\n`)).toMatch(/^r\.yml:3: YAML: .*[Uu]nique/);
  });

  it('an unknown modifier is an error on the line of its key', () => {
    const msg = errorOf(`title: x
id: y
logsource: { category: security }
detection:
  sel:
    user: bob
    path|wildcardish: /etc
  condition: sel
`);
    expect(msg).toBe(
      "r.yml:7: unsupported modifier 'wildcardish' in 'path|wildcardish' (supported: contains, startswith, endswith, re, all, expand, i, m, s)",
    );
  });

  it.each([
    [
      'an unknown selection in the condition',
      'condition: sel and other',
      8,
      /unknown selection 'other'/,
    ],
    ['an unbalanced parenthesis', 'condition: (sel or sel2', 8, /expected '\)' but found the end/],
    ['a dangling operator', 'condition: sel and', 8, /ends too early/],
    ['a count() aggregation', 'condition: sel | count() > 5', 8, /write a correlation rule/],
    ['a wildcard name without "of"', 'condition: sel*', 8, /needs '1 of' or 'all of'/],
    ['a pattern matching nothing', 'condition: 1 of nope*', 8, /'nope\*' matches no selection/],
  ])('%s is an error on the condition line', (_name, condition, line, reason) => {
    const msg = errorOf(`title: x
id: y
logsource: { category: security }
detection:
  sel: { user: bob }
  sel2:
    user: eve
  ${condition}
`);
    expect(msg.startsWith(`r.yml:${line}: condition: `)).toBe(true);
    expect(msg).toMatch(reason);
  });

  it.each([
    ['a bad regular expression', "path|re: '(unclosed'", /bad regular expression/],
    ['contains and endswith together', 'path|contains|endswith: x', /cannot be combined/],
    ['|all on one value', 'path|contains|all: x', /\|all needs a list/],
    [
      'an unknown placeholder',
      "user|expand: '%nobody_set_this%'",
      /unknown placeholder %nobody_set_this%/,
    ],
    ['|i without |re', 'path|contains|i: x', /apply only to \|re/],
  ])('%s is an error on its line', (_name, entry, reason) => {
    const msg = errorOf(`title: x
id: y
logsource: { category: security }
detection:
  sel:
    ${entry}
  condition: sel
`);
    expect(msg).toMatch(/^r\.yml:6: /);
    expect(msg).toMatch(reason);
  });

  it.each([
    [
      'title missing',
      'id: y\nlogsource: {category: security}\ndetection: {s: {a: 1}, condition: s}\n',
      1,
      /'title' is required/,
    ],
    [
      'a bad level',
      'title: x\nid: y\nlevel: severe\nlogsource: {category: security}\ndetection: {s: {a: 1}, condition: s}\n',
      3,
      /level 'severe'/,
    ],
    [
      'a bad status',
      'title: x\nid: y\nstatus: done\nlogsource: {category: security}\ndetection: {s: {a: 1}, condition: s}\n',
      3,
      /status 'done'/,
    ],
    [
      'no logsource',
      'title: x\nid: y\ndetection: {s: {a: 1}, condition: s}\n',
      1,
      /'logsource' is required/,
    ],
    [
      'an unknown logsource key',
      'title: x\nid: y\nlogsource:\n  category: security\n  vendor: acme\ndetection: {s: {a: 1}, condition: s}\n',
      5,
      /logsource 'vendor'/,
    ],
    [
      'no condition',
      'title: x\nid: y\nlogsource: {category: security}\ndetection:\n  s: {a: 1}\n',
      4,
      /condition' is required/,
    ],
    [
      'a timeframe',
      'title: x\nid: y\nlogsource: {category: security}\ndetection:\n  s: {a: 1}\n  timeframe: 5m\n  condition: s\n',
      6,
      /'timeframe' is not supported/,
    ],
    [
      'tags not a list',
      'title: x\nid: y\ntags: attack.t1110\nlogsource: {category: security}\ndetection: {s: {a: 1}, condition: s}\n',
      3,
      /'tags' must be a list/,
    ],
    [
      'a selection that is a string',
      'title: x\nid: y\nlogsource: {category: security}\ndetection:\n  s: bob\n  condition: s\n',
      5,
      /must be a map of fields/,
    ],
  ])('%s: an error on its line', (_name, text, line, reason) => {
    const msg = errorOf(text);
    expect(msg.startsWith(`r.yml:${line}: `)).toBe(true);
    expect(msg).toMatch(reason);
  });

  it.each([
    ['an unknown type', 'type: temporal', 4, /type must be one of/],
    ['a bad timespan', 'timespan: 1 minute', 6, /'timespan' must be/],
    ['lte', 'condition: { lte: 3 }', 7, /'lte' is not supported/],
    ['no threshold', 'condition: { field: user }', 7, /needs gte or gt/],
    ['an unknown key', 'window: 5m', 8, /correlation 'window'/],
  ])(
    'a correlation with %s is an error on its line, and its whole file is left out',
    (_n, entry, line, reason) => {
      const lines = [
        'type: event_count',
        'rules: [good-1]',
        'timespan: 1m',
        'condition: { gte: 3 }',
      ];
      const key = entry.split(':')[0]!;
      const at = lines.findIndex((l) => l.startsWith(`${key}:`));
      if (at >= 0) lines[at] = entry;
      else lines.push(entry);
      const set = load(`${GOOD}---\ntitle: c\nid: c-1\ncorrelation:\n  ${lines.join('\n  ')}\n`);
      expect(set.rules).toEqual([]); // the good rule in the same file is not loaded either
      const msg = set.errors[0]!.message;
      expect(msg.startsWith(`r.yml:${line + 9}: `)).toBe(true);
      expect(msg).toMatch(reason);
    },
  );

  it('value_count without condition.field is an error', () => {
    const set = load(`${GOOD}---
title: c
id: c-1
correlation: { type: value_count, rules: [good-1], timespan: 1m, condition: { gte: 3 } }
`);
    expect(set.errors[0]!.message).toMatch(/^r\.yml:12: .*value_count needs 'condition.field'/);
  });

  it('a reference to an unknown rule rejects the file, naming the rules line', () => {
    const set = load(`title: c
id: c-1
correlation:
  type: event_count
  rules:
    - does-not-exist
  timespan: 1m
  condition: { gte: 2 }
`);
    expect(set.errors.map((e) => e.message)).toEqual([
      "r.yml:6: correlation refers to unknown rule 'does-not-exist'",
    ]);
  });

  it('a rejected file strands the correlations that used its rules; other files still load', () => {
    const set = buildRuleSet([
      { file: 'base.yml', text: GOOD.replace('sel: { user: bob }', 'sel: { user|nope: bob }') },
      {
        file: 'corr.yml',
        text: 'title: c\nid: c-1\ncorrelation: { type: event_count, rules: [good-1], timespan: 1m, condition: { gte: 2 } }\n',
      },
      { file: 'other.yml', text: GOOD.replace('id: good-1', 'id: good-2') },
    ]);
    expect(set.rules.map((r) => r.id)).toEqual(['good-2']);
    expect(set.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^base\.yml:7: unsupported modifier 'nope'/),
      "corr.yml:3: correlation refers to unknown rule 'good-1'",
    ]);
  });

  it('a duplicate id in another file rejects that file', () => {
    const set = buildRuleSet([
      { file: 'a.yml', text: GOOD },
      { file: 'b.yml', text: GOOD },
    ]);
    expect(set.rules).toHaveLength(1);
    expect(set.errors[0]!.message).toBe("b.yml:1: rule id 'good-1' is already loaded");
  });

  it('a correlation cycle is refused', () => {
    const set = load(`title: a
id: a
correlation: { type: event_count, rules: [b], timespan: 1m, condition: { gte: 2 } }
---
title: b
id: b
correlation: { type: event_count, rules: [a], timespan: 1m, condition: { gte: 2 } }
`);
    expect(set.rules).toEqual([]);
    expect(set.errors[0]!.message).toMatch(/refers to itself/);
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    const msg = errorOf(`title: x
id: y
a: &a [1, 1, 1, 1, 1, 1, 1, 1]
b: [*a, *a, *a, *a, *a, *a, *a, *a]
logsource: {category: security}
detection: {s: {a: 1}, condition: s}
`);
    expect(msg).toMatch(/^r\.yml:\d+: /);
  });
});

// The agent's actions file: what it may declare, and that a file with any fault is refused
// whole, naming the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ActionsFileError,
  parseActionsFile,
  type ActionsFile,
} from '../../agent/actions/actions-file.js';

const opts = {
  source: 'actions.json',
  nodePath: '/usr/bin/node',
  scriptsDir: '/opt/agent/scripts',
};

const restart = {
  name: 'restart_service',
  description: 'Restart an allow-listed unit',
  argv: ['systemctl', 'restart', '{unit}'],
  params: { unit: { pattern: '^(nginx|postgresql)\\.service$' } },
  timeoutMs: 30_000,
};

function parse(doc: unknown): ActionsFile {
  return parseActionsFile(JSON.stringify(doc), opts);
}

function refusal(doc: unknown): ActionsFileError {
  try {
    parseActionsFile(typeof doc === 'string' ? doc : JSON.stringify(doc), opts);
  } catch (err) {
    if (err instanceof ActionsFileError) return err;
    throw err;
  }
  throw new Error('the file was accepted');
}

const withAction = (over: Record<string, unknown>) => ({ actions: [{ ...restart, ...over }] });

describe('actions file', () => {
  it('loads a valid file: names, argv parts, params, defaults', () => {
    const file = parse({
      actions: [
        { ...restart, user: 'root', requiresApproval: true },
        {
          name: 'clean_tmp',
          description: 'Clean a temp dir',
          argv: ['@node', '@scripts/clean-tmp.js', '--older-than-days', '{days}', '{dir}'],
          params: {
            dir: { pattern: '^/tmp(/[a-z]+)*$' },
            days: { pattern: '^[0-9]{1,3}$', default: '7', description: 'age' },
          },
          timeoutMs: 1_000,
        },
      ],
    });
    expect([...file.actions.keys()]).toEqual(['restart_service', 'clean_tmp']);
    const r = file.actions.get('restart_service')!;
    expect(r).toMatchObject({ user: 'root', requiresApproval: true, timeoutMs: 30_000 });
    expect(r.argv).toEqual([[{ text: 'systemctl' }], [{ text: 'restart' }], [{ param: 'unit' }]]);
    const c = file.actions.get('clean_tmp')!;
    expect(c.argv[0]).toEqual([{ text: '/usr/bin/node' }]);
    expect(c.argv[1]).toEqual([{ text: '/opt/agent/scripts/clean-tmp.js' }]);
    expect(c.params.get('days')).toMatchObject({ default: '7', description: 'age' });
    expect(c.requiresApproval).toBe(false);
  });

  it('the shipped example file is valid and holds the four example actions', () => {
    const text = readFileSync(
      new URL('../../agent/actions/examples/actions.json', import.meta.url),
      'utf8',
    );
    const file = parseActionsFile(text, opts);
    expect([...file.actions.keys()]).toEqual([
      'restart_service',
      'clean_tmp',
      'run_script',
      'rotate_logs',
    ]);
  });

  it.each([
    ['not JSON', '{ "actions": [', '', /is not JSON/],
    ['not an object', '[]', '', /must be a JSON object/],
    ['an unknown top-level field', { actions: [], extra: 1 }, 'extra', /unknown field/],
    ['actions not an array', { actions: {} }, 'actions', /must be an array/],
    ['a misspelt field', withAction({ comand: ['x'] }), 'actions[0].comand', /unknown field/],
    ['a bad name', withAction({ name: 'restart service' }), 'actions[0].name', /must match/],
    ['no description', withAction({ description: '' }), 'actions[0].description', /1 to 512/],
    ['a timeout of 0', withAction({ timeoutMs: 0 }), 'actions[0].timeoutMs', /integer from 1/],
    ['a fractional timeout', withAction({ timeoutMs: 1.5 }), 'actions[0].timeoutMs', /integer/],
    ['a bad user', withAction({ user: 'root;id' }), 'actions[0].user', /user name/],
    [
      'requiresApproval not a boolean',
      withAction({ requiresApproval: 'yes' }),
      'actions[0].requiresApproval',
      /true or false/,
    ],
    ['an empty argv', withAction({ argv: [] }), 'actions[0].argv', /1 to 64/],
    [
      'an argv too long in all for a result frame',
      withAction({ argv: ['x', ...Array(9).fill('a'.repeat(4000)), '{unit}'] }),
      'actions[0].argv',
      /longer than 32768 characters in all/,
    ],
    ['argv a string', withAction({ argv: 'systemctl restart x' }), 'actions[0].argv', /array/],
    ['an empty argv element', withAction({ argv: ['x', ''] }), 'actions[0].argv[1]', /non-empty/],
    [
      'a newline in argv',
      withAction({ argv: ['x', 'a\nb', '{unit}'] }),
      'actions[0].argv[1]',
      /control/,
    ],
    [
      'an undeclared placeholder',
      withAction({ argv: ['systemctl', 'restart', '{unit}', '{mode}'] }),
      'actions[0].argv[3]',
      /placeholder \{mode\} is not declared/,
    ],
    [
      'a declared parameter argv does not use',
      withAction({ argv: ['systemctl', 'restart', 'nginx.service'] }),
      'actions[0].params.unit',
      /not used in argv/,
    ],
    [
      'a brace that is not a placeholder',
      withAction({ argv: ['x', '{unit', '{unit}'] }),
      'actions[0].argv[1]',
      /does not begin a \{name\} placeholder/,
    ],
    [
      'an unknown built-in',
      withAction({ argv: ['@python', '{unit}'] }),
      'actions[0].argv[0]',
      /unknown built-in/,
    ],
    [
      '@scripts/ with a path',
      withAction({ argv: ['@node', '@scripts/../x.js', '{unit}'] }),
      'actions[0].argv[1]',
      /bare file name/,
    ],
    [
      'a program named by a parameter, not in a fixed directory',
      withAction({ argv: ['{unit}'] }),
      'actions[0].argv[0]',
      /absolute\/dir/,
    ],
    [
      'a pattern with no ^',
      withAction({ params: { unit: { pattern: 'nginx\\.service$' } } }),
      'actions[0].params.unit.pattern',
      /not anchored/,
    ],
    [
      'a pattern with no $',
      withAction({ params: { unit: { pattern: '^nginx' } } }),
      'actions[0].params.unit.pattern',
      /not anchored/,
    ],
    [
      'a pattern ending in an escaped $ (a literal dollar, no anchor)',
      withAction({ params: { unit: { pattern: '^nginx\\$' } } }),
      'actions[0].params.unit.pattern',
      /not anchored/,
    ],
    [
      'a pattern that does not compile',
      withAction({ params: { unit: { pattern: '^(nginx$' } } }),
      'actions[0].params.unit.pattern',
      /not a valid regular expression/,
    ],
    [
      'a parameter with no pattern',
      withAction({ params: { unit: { description: 'x' } } }),
      'actions[0].params.unit.pattern',
      /is required/,
    ],
    [
      'a misspelt parameter field',
      withAction({ params: { unit: { pattern: '^a$', patern: '^b$' } } }),
      'actions[0].params.unit.patern',
      /unknown field/,
    ],
    [
      'a default outside its own pattern',
      withAction({ params: { unit: { pattern: '^a$', default: 'b' } } }),
      'actions[0].params.unit.default',
      /does not match its own pattern/,
    ],
    [
      'a parameter named __proto__',
      { actions: [{ ...restart, params: JSON.parse('{"__proto__": {"pattern": "^a$"}}') }] },
      'actions[0].params.__proto__',
      /parameter names must match/,
    ],
  ])('refuses %s, naming the field', (_what, doc, field, detail) => {
    const err = refusal(doc);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(detail);
    expect(err.message).toContain('actions.json');
  });

  it('refuses a name declared twice', () => {
    const err = refusal({ actions: [restart, restart] });
    expect(err.field).toBe('actions[1].name');
    expect(err.message).toMatch(/declared twice/);
  });

  it('refuses the whole file for one bad action: nothing half-loaded', () => {
    const good = { ...restart, name: 'good' };
    const bad = { ...restart, name: 'bad', params: { unit: { pattern: 'nginx' } } };
    expect(refusal({ actions: [good, bad] }).field).toBe('actions[1].params.unit.pattern');
  });
});

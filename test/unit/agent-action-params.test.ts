// Parameter values from the console into argv: only whole matches of anchored patterns, no
// option-looking values, no control characters, nothing undeclared.
import { describe, expect, it } from 'vitest';
import { parseActionsFile, type ActionDefinition } from '../../agent/actions/actions-file.js';
import { renderArgv } from '../../agent/actions/argv.js';

function action(def: Record<string, unknown>): ActionDefinition {
  const file = parseActionsFile(
    JSON.stringify({
      actions: [{ name: 'a', description: 'test action', timeoutMs: 1_000, ...def }],
    }),
    { source: 'test', nodePath: '/usr/bin/node', scriptsDir: '/s' },
  );
  return file.actions.get('a')!;
}

const restart = action({
  argv: ['systemctl', 'restart', '{unit}'],
  params: { unit: { pattern: '^(nginx|postgresql)\\.service$' } },
});

const refusedWith = (def: ActionDefinition, params: Record<string, unknown>) => {
  const r = renderArgv(def, params);
  if (!('error' in r)) throw new Error(`accepted: ${JSON.stringify(r.argv)}`);
  return r.error;
};

describe('action parameters', () => {
  it('a value matching its pattern fills its placeholder as one argv element', () => {
    expect(renderArgv(restart, { unit: 'nginx.service' })).toEqual({
      argv: ['systemctl', 'restart', 'nginx.service'],
    });
  });

  it.each([
    ['outside the allow-list', 'sshd.service'],
    ['a command smuggled after a ;', 'nginx.service; rm -rf /'],
    ['a command substitution', '$(rm -rf /)'],
    ['backticks', '`id`'],
    ['a pipe', 'nginx.service | sh'],
    ['a prefix of an allowed value', 'nginx.service.bak'],
    ['an allowed value inside a longer one', 'xnginx.service'],
    ['an empty value', ''],
  ])('refuses %s', (_what, unit) => {
    expect(refusedWith(restart, { unit })).toMatch(/does not match/);
  });

  it('a top-level alternation cannot escape its anchors (^a|b$ matches only a or b)', () => {
    const loose = action({
      argv: ['systemctl', 'restart', '{unit}'],
      params: { unit: { pattern: '^nginx\\.service|postgresql\\.service$' } },
    });
    expect(renderArgv(loose, { unit: 'postgresql.service' })).toEqual({
      argv: ['systemctl', 'restart', 'postgresql.service'],
    });
    // Unwrapped, /^nginx\.service|postgresql\.service$/ would accept both of these.
    expect(refusedWith(loose, { unit: 'nginx.service; rm -rf /' })).toMatch(/does not match/);
    expect(refusedWith(loose, { unit: 'rm -rf / postgresql.service' })).toMatch(/does not match/);
  });

  it('refuses a value beginning with - unless the file allows it', () => {
    const any = action({ argv: ['echo', '{v}'], params: { v: { pattern: '^.*$' } } });
    expect(refusedWith(any, { v: '--help' })).toMatch(/begins with '-'/);
    const dashOk = action({
      argv: ['echo', '{v}'],
      params: { v: { pattern: '^.*$', allowLeadingDash: true } },
    });
    expect(renderArgv(dashOk, { v: '-5' })).toEqual({ argv: ['echo', '-5'] });
    // A pattern that itself demands the dash says so explicitly.
    const flag = action({ argv: ['x', '{f}'], params: { f: { pattern: '^--(fast|slow)$' } } });
    expect(renderArgv(flag, { f: '--fast' })).toEqual({ argv: ['x', '--fast'] });
  });

  it.each([
    ['a newline', 'nginx.service\nrm -rf /'],
    ['a NUL', 'nginx.service\u0000x'],
    ['a carriage return', 'a\rb'],
    ['DEL', 'a\u007fb'],
  ])('refuses %s even where the pattern would allow it', (_what, v) => {
    const any = action({ argv: ['echo', '{v}'], params: { v: { pattern: '^[\\s\\S]*$' } } });
    expect(refusedWith(any, { v })).toMatch(/control character/);
  });

  it('refuses an unknown parameter, a missing one, and a value that is not a string', () => {
    expect(refusedWith(restart, { unit: 'nginx.service', extra: 'x' })).toMatch(
      /unknown parameter 'extra'/,
    );
    expect(refusedWith(restart, {})).toMatch(/'unit' is missing/);
    expect(refusedWith(restart, { unit: ['nginx.service'] })).toMatch(/must be a string/);
    expect(refusedWith(restart, { unit: 'x'.repeat(300) })).toMatch(/longer than 256/);
  });

  it('a missing parameter takes its default; a placeholder inside an element keeps its text', () => {
    const def = action({
      argv: ['logrotate', '--force', '/etc/logrotate.d/{name}', '--days={days}'],
      params: {
        name: { pattern: '^[a-z0-9][a-z0-9_-]*$' },
        days: { pattern: '^[0-9]+$', default: '7' },
      },
    });
    expect(renderArgv(def, { name: 'nginx' })).toEqual({
      argv: ['logrotate', '--force', '/etc/logrotate.d/nginx', '--days=7'],
    });
  });

  it('refuses values that would make argv too long in all for a result frame', () => {
    const many = action({
      argv: ['echo', ...Array.from({ length: 16 }, (_, i) => `${'x'.repeat(1900)}{p${i}}`)],
      params: Object.fromEntries(
        Array.from({ length: 16 }, (_, i) => [`p${i}`, { pattern: '^[a-z]*$' }]),
      ),
    });
    const short = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`p${i}`, 'a']));
    expect(renderArgv(many, short)).toHaveProperty('argv');
    const long = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`p${i}`, 'a'.repeat(200)]),
    );
    expect(refusedWith(many, long)).toMatch(/longer than 32768 characters in all/);
  });

  it('a parameter naming the program is a bare file name in its directory', () => {
    const run = action({
      argv: ['/etc/agent/scripts/{script}'],
      params: { script: { pattern: '^.+$' } },
    });
    expect(renderArgv(run, { script: 'flush.sh' })).toEqual({
      argv: ['/etc/agent/scripts/flush.sh'],
    });
    // Even a pattern that allows it cannot walk out of the directory.
    expect(refusedWith(run, { script: '../../../bin/sh' })).toMatch(/bare file name/);
    expect(refusedWith(run, { script: '..' })).toMatch(/bare file name/);
  });
});

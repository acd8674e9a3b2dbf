// The console's V8 flags are given in four places that cannot share code: the launcher
// (scripts/start.mjs imports them), the bench script in package.json, the Linux desktop
// entry (electron-builder.yml) and the bench's own children (they inherit execArgv). This keeps
// the copies equal, so the memory figures are measured as the console runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../electron/core/version.js';
import { CONSOLE_V8_FLAGS, ELECTRON_JS_FLAGS } from '../../scripts/console-flags.mjs';

const read = (file: string) => readFileSync(join(packageRoot(), file), 'utf8');

describe('the console V8 flags', () => {
  it('bound the young generation', () => {
    expect(CONSOLE_V8_FLAGS).toContain('--max-semi-space-size=4');
    expect(ELECTRON_JS_FLAGS).toBe(`--js-flags=${CONSOLE_V8_FLAGS.join(' ')}`);
  });

  it('are what npm run bench and the desktop package start with', () => {
    const bench = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts[
      'bench'
    ]!;
    for (const flag of CONSOLE_V8_FLAGS) expect(bench).toContain(`node ${flag}`);
    expect(read('electron-builder.yml')).toContain(`- ${ELECTRON_JS_FLAGS}`);
  });

  it('are passed by the launcher to Electron and to meridian serve', () => {
    const start = read('scripts/start.mjs');
    expect(start).toContain('[ELECTRON_JS_FLAGS, MAIN');
    expect(start).toContain('[...CONSOLE_V8_FLAGS, CLI');
  });
});

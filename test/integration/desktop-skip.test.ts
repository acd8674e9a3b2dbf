// `npm test`'s runner on the real desktop suite: without an Electron binary the desktop test is
// reported as skipped (never as passed) with a line saying why; asked for a binary that is not
// there, it fails.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findElectron } from '../../scripts/electron-binary.mjs';

const ROOT = join(import.meta.dirname, '../..');
/** The runner starts a vitest of its own: 7 s idle, 14 s seen loaded; a bound, not a figure. */
const RUNNER_TIMEOUT_MS = 120_000;

/** `node scripts/test-all.mjs electron`, outside this vitest run (no VITEST* variables). */
function runner(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')),
  );
  const child = spawn(process.execPath, ['scripts/test-all.mjs', 'electron'], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('the desktop suite under npm test', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'meridian-runner-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  // Where a developer has downloaded Electron, the suite runs for real instead.
  it.skipIf(findElectron().path !== null)(
    'is reported as skipped, with the reason, when there is no Electron binary',
    async () => {
      const { code, out } = await runner({ MERIDIAN_TEST_REPORTS: await tempDir() });
      expect(code, out).toBe(0);
      expect(out).toMatch(/SKIPPED: Electron desktop test — .+/);
      expect(out).toMatch(/^electron\s+skipped\s+0\s+0\s+1\s/m);
      expect(out).toMatch(/^tests: 0 passed, 0 failed, 1 skipped$/m);
    },
    RUNNER_TIMEOUT_MS,
  );

  it(
    'fails when ELECTRON_OVERRIDE_DIST_PATH names a directory without Electron',
    async () => {
      const { code, out } = await runner({
        MERIDIAN_TEST_REPORTS: await tempDir(),
        ELECTRON_OVERRIDE_DIST_PATH: await tempDir(),
      });
      expect(code, out).toBe(1);
      expect(out).toContain('ELECTRON_OVERRIDE_DIST_PATH has no executable');
      expect(out).toMatch(/^electron\s+FAILED\s/m);
      expect(out).toContain('failed steps: electron');
    },
    RUNNER_TIMEOUT_MS,
  );
});

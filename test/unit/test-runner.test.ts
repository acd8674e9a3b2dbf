// scripts/test-all.mjs (`npm test`): every step runs even after one fails, a suite that only
// skipped says so, and the table's counts come from this run's vitest reports. Steps here are
// small real processes (node -e …) standing in for the npm scripts.
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSteps, summary, failedSteps, type Step } from '../../scripts/test-all.mjs';

// `--`: the vitest arguments the runner appends are the script's, not node's options.
const node = (code: string): string[] => [process.execPath, '-e', code, '--'];
/** A step that writes `name` into the run's directory, so the test can see it ran. */
const touch = (name: string, exit = 0) =>
  node(`require('fs').writeFileSync(${JSON.stringify(name)}, ''); process.exit(${exit})`);
/** A vitest-like step: writes a JSON report with these counts where --outputFile.json= says. */
const suite = (counts: { passed: number; failed: number; pending: number }, exit = 0) =>
  node(
    `const out = process.argv.find((a) => a.startsWith('--outputFile.json=')).split('=')[1];
     require('fs').writeFileSync(out, JSON.stringify({ numPassedTests: ${counts.passed},
       numFailedTests: ${counts.failed}, numPendingTests: ${counts.pending}, numTodoTests: 0 }));
     process.exit(${exit})`,
  );

describe('the npm test runner', () => {
  let dir: string;
  const quiet = () => {};
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-runner-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every step after a failing one and reports which failed', () => {
    const steps: Step[] = [
      { id: 'lint', command: touch('lint-ran', 1) },
      { id: 'unit', command: suite({ passed: 5, failed: 0, pending: 0 }), vitest: true },
      { id: 'e2e', command: suite({ passed: 3, failed: 2, pending: 0 }, 1), vitest: true },
      { id: 'electron', command: suite({ passed: 0, failed: 0, pending: 1 }), vitest: true },
    ];
    const rows = runSteps(steps, { root: dir, reportsDir: join(dir, 'reports'), log: quiet });
    expect(existsSync(join(dir, 'lint-ran'))).toBe(true);
    expect(rows.map((r) => [r.id, r.result, r.counts])).toEqual([
      ['lint', 'FAILED', null],
      ['unit', 'passed', { passed: 5, failed: 0, skipped: 0 }],
      ['e2e', 'FAILED', { passed: 3, failed: 2, skipped: 0 }],
      ['electron', 'skipped', { passed: 0, failed: 0, skipped: 1 }],
    ]);
    expect(rows.every((r) => r.ms !== null && r.ms >= 0)).toBe(true);
    expect(failedSteps(rows)).toEqual(['lint', 'e2e']);
    const table = summary(rows);
    expect(table).toMatch(/^electron\s+skipped\s+0\s+0\s+1\s+\d+\.\d s$/m);
    expect(table).toContain('failed steps: lint, e2e');
    expect(table.split('\n').at(-1)).toBe('tests: 8 passed, 2 failed, 1 skipped');
  });

  it('does not take counts from a report an earlier run left behind', () => {
    const reportsDir = join(dir, 'reports');
    const step: Step = { id: 'unit', command: node('process.exit(1)'), vitest: true };
    runSteps([{ ...step, command: suite({ passed: 9, failed: 0, pending: 0 }) }], {
      root: dir,
      reportsDir,
      log: quiet,
    });
    // This run dies before writing its report: no counts, not the last run's 9 passed.
    const [row] = runSteps([step], { root: dir, reportsDir, log: quiet });
    expect(row).toMatchObject({ result: 'FAILED', counts: null });
  });

  it('after a failed build, runs what reads the sources and not what needs dist/', () => {
    writeFileSync(join(dir, 'stale'), '');
    const steps: Step[] = [
      { id: 'build', command: node('process.exit(2)'), cleans: 'stale' },
      { id: 'typecheck', command: touch('typecheck-ran') },
      { id: 'e2e', command: touch('e2e-ran'), vitest: true, needsBuild: true },
    ];
    const rows = runSteps(steps, { root: dir, reportsDir: join(dir, 'reports'), log: quiet });
    expect(existsSync(join(dir, 'stale'))).toBe(false);
    expect(existsSync(join(dir, 'typecheck-ran'))).toBe(true);
    expect(existsSync(join(dir, 'e2e-ran'))).toBe(false);
    expect(rows.map((r) => [r.id, r.result])).toEqual([
      ['build', 'FAILED'],
      ['typecheck', 'passed'],
      ['e2e', 'not run (build failed)'],
    ]);
    expect(failedSteps(rows)).toEqual(['build', 'e2e']);
  });
});

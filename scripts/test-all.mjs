// `npm test`: runs every step even when an earlier one fails (a lint error must not hide whether
// the browser or desktop tests pass), then prints one table: each step's result, its test counts
// where vitest reports them, and its duration. Exits 1 if any step failed.
//
// The build comes first and starts from an empty dist/, so no step can run against stale output.
// If the build fails, typecheck, lint, format and the unit + integration tests still run (they
// read the sources; the few integration tests that need dist/ fail loudly, naming it), while the
// e2e and desktop suites are not run: they drive the compiled console and would only repeat the
// build's error at length. They show as "not run" in the table, and the exit code is 1 anyway.
//
// `node scripts/test-all.mjs e2e electron` runs only the named steps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The npm scripts `npm test` runs, in order (package.json holds the commands). */
export const STEPS = [
  { id: 'build', script: 'build', cleans: 'dist' },
  { id: 'typecheck', script: 'typecheck' },
  { id: 'lint', script: 'lint' },
  { id: 'format', script: 'format:check' },
  { id: 'unit+integration', script: 'test:unit', vitest: true },
  { id: 'e2e', script: 'test:e2e', vitest: true, needsBuild: true },
  { id: 'electron', script: 'test:electron', vitest: true, needsBuild: true },
];

/** Test counts from vitest's JSON report, or null when there is none (vitest died first). */
export function countsFrom(reportPath) {
  if (!existsSync(reportPath)) return null;
  const r = JSON.parse(readFileSync(reportPath, 'utf8'));
  return {
    passed: r.numPassedTests ?? 0,
    failed: r.numFailedTests ?? 0,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
}

/** A step's result: 'skipped' when it succeeded having run nothing but skipped tests. */
export function resultOf(exitCode, counts) {
  if (exitCode !== 0) return 'FAILED';
  if (counts && counts.passed === 0 && counts.failed === 0 && counts.skipped > 0) return 'skipped';
  return 'passed';
}

/** argv of `npm run <script> [-- args]`, with the npm that runs us when there is one. */
function npmRun(script, args) {
  const npm = process.env.npm_execpath
    ? [process.execPath, process.env.npm_execpath]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm'];
  return [...npm, 'run', script, ...(args.length ? ['--', ...args] : [])];
}

/**
 * Run `steps` in order, every one of them, and return a row per step. A step is an npm script
 * (`script`) or an argv (`command`, for tests of this runner); `vitest` steps get a JSON report
 * in `reportsDir` for their counts.
 */
export function runSteps(steps, { root = ROOT, reportsDir, log = (s) => process.stdout.write(s) }) {
  mkdirSync(reportsDir, { recursive: true });
  const rows = [];
  let buildFailed = false;
  for (const step of steps) {
    if (step.needsBuild && buildFailed) {
      rows.push({ id: step.id, result: 'not run (build failed)', counts: null, ms: null });
      continue;
    }
    log(`\n━━ ${step.id} ━━\n`);
    if (step.cleans) rmSync(join(root, step.cleans), { recursive: true, force: true });
    const report = join(reportsDir, `${step.id.replace(/\W+/g, '-')}.json`);
    // A report left by an earlier run must never stand in for this one.
    rmSync(report, { force: true });
    const args = step.vitest
      ? ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
      : [];
    const [command, ...argv] = step.command
      ? [...step.command, ...args]
      : npmRun(step.script, args);
    const started = performance.now();
    const { status } = spawnSync(command, argv, { cwd: root, stdio: 'inherit' });
    const ms = performance.now() - started;
    // Killed by a signal (status null) is a failure too.
    const exitCode = status ?? 1;
    const counts = step.vitest ? countsFrom(report) : null;
    if (step.id === 'build' && exitCode !== 0) buildFailed = true;
    rows.push({ id: step.id, result: resultOf(exitCode, counts), counts, ms });
  }
  return rows;
}

export const failedSteps = (rows) =>
  rows.filter((r) => r.result !== 'passed' && r.result !== 'skipped').map((r) => r.id);

/** The table printed at the end, and the plain closing line with the test counts. */
export function summary(rows) {
  const head = ['step', 'result', 'passed', 'failed', 'skipped', 'time'];
  const cells = rows.map((r) => [
    r.id,
    r.result,
    r.counts ? String(r.counts.passed) : '–',
    r.counts ? String(r.counts.failed) : '–',
    r.counts ? String(r.counts.skipped) : '–',
    r.ms === null ? '–' : `${(r.ms / 1000).toFixed(1)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) =>
    c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const r of rows) {
    for (const k of Object.keys(total)) total[k] += r.counts?.[k] ?? 0;
  }
  const failed = failedSteps(rows);
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    '',
    ...(failed.length ? [`failed steps: ${failed.join(', ')}`] : []),
    // The plain closing line CI looks for: tests over every vitest suite.
    `tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`,
  ].join('\n');
}

function main(only) {
  const unknown = only.filter((id) => !STEPS.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(
      `test-all: unknown step '${unknown.join("', '")}' (steps: ${STEPS.map((s) => s.id).join(', ')})\n`,
    );
    process.exit(2);
  }
  const steps = only.length ? STEPS.filter((s) => only.includes(s.id)) : STEPS;
  const reportsDir = process.env.MERIDIAN_TEST_REPORTS ?? join(ROOT, 'test-results', 'vitest');
  const rows = runSteps(steps, { reportsDir });
  process.stdout.write(`\n━━ summary ━━\n${summary(rows)}\n`);
  process.exit(failedSteps(rows).length ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

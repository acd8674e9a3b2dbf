// `npm run screenshots`: refresh the README's images in docs/screenshots on purpose. It runs the
// screenshot scenarios of the browser tests (test/e2e/screenshots.e2e.ts, capacity.e2e.ts) against a fresh build,
// with its output pointed at docs/ instead of the ignored test-results/ that `npm test` uses.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs', 'screenshots');

const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const npm = process.env.npm_execpath
  ? [process.execPath, [process.env.npm_execpath]]
  : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
run(npm[0], [...npm[1], 'run', 'build']);
run(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '-c',
    'vitest.e2e.config.ts',
    'test/e2e/screenshots.e2e.ts',
    'test/e2e/capacity.e2e.ts',
  ],
  { MERIDIAN_SCREENSHOT_DIR: OUT },
);
process.stdout.write(`screenshots: wrote ${OUT}\n`);

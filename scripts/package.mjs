// `npm run package [-- <electron-builder options>]`: the desktop installers, built by
// electron-builder from electron-builder.yml (e.g. `npm run package -- --linux`).
// electron-builder and its helpers (@electron/rebuild, node-abi) need Node >= 22.12, while the
// console and its tests run on Node 20: so they are not among the project's devDependencies,
// where `npm ci` on Node 20 would warn about them, but in packaging/ with their own lockfile and
// install-script policy, installed here on first use.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = join(ROOT, 'packaging');
const NEEDS = [22, 12];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < NEEDS[0] || (major === NEEDS[0] && minor < NEEDS[1])) {
  process.stderr.write(
    `npm run package needs Node >= ${NEEDS.join('.')} (electron-builder does); this is Node ` +
      `${process.versions.node}. The console, \`npm start\` and \`npm test\` run on Node 20.\n`,
  );
  process.exit(1);
}

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
const run = (command, args, cwd = ROOT) => {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const npm = process.env.npm_execpath
  ? [process.execPath, [process.env.npm_execpath]]
  : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];

const installed = mtime(join(TOOLS, 'node_modules', '.package-lock.json'));
if (installed < 0 || installed < mtime(join(TOOLS, 'package-lock.json'))) {
  process.stdout.write('meridian: installing the packaging tools (packaging/, npm ci) …\n');
  run(npm[0], [...npm[1], 'ci', '--no-audit', '--no-fund'], TOOLS);
}
run(npm[0], [...npm[1], 'run', 'build']);
// Its CLI under this Node (no .bin shim: a .cmd on Windows would need a shell).
run(process.execPath, [
  join(TOOLS, 'node_modules', 'electron-builder', 'cli.js'),
  '--projectDir',
  ROOT,
  '--config',
  'electron-builder.yml',
  ...process.argv.slice(2),
]);

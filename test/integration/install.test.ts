// A clean install: on this Node, `npm ci` warns EBADENGINE only for the packages the project's
// postinstall explains (electron and its downloader, on Node 20), and no dependency runs an
// install script that its package.json's allowScripts has not decided on. Runs npm itself, in
// dry-run against a copy of package.json and the lockfile (nothing is fetched or installed).
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const dirs: string[] = [];

/** name@version of every package `npm ci` warns EBADENGINE about for this project. */
async function engineWarnings(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-install-'));
  dirs.push(dir);
  for (const f of ['package.json', 'package-lock.json'])
    await copyFile(join(ROOT, f), join(dir, f));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stderr } = await run(
    npm,
    ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'],
    { cwd: dir, shell: process.platform === 'win32' },
  );
  return [...stderr.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1]!).sort();
}

/** name@version of every package the postinstall's note explains. */
async function explained(): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['scripts/install-notes.mjs'], { cwd: ROOT });
  const list = /EBADENGINE warnings above \(([^)]+)\)/.exec(stdout)?.[1];
  return list ? list.split(', ').sort() : [];
}

interface Lock {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; optional?: boolean }>;
}

/** Dependencies in a lockfile that run an install script, and those allowScripts does not cover. */
async function installScripts(dir: string) {
  const lock = JSON.parse(await readFile(join(ROOT, dir, 'package-lock.json'), 'utf8')) as Lock;
  const pkg = JSON.parse(await readFile(join(ROOT, dir, 'package.json'), 'utf8')) as {
    allowScripts?: Record<string, boolean>;
  };
  const policy = pkg.allowScripts ?? {};
  const withScripts = Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && p.hasInstallScript)
    .map(([path, p]) => ({ name: path.replace(/^.*node_modules\//, ''), version: p.version }));
  const uncovered = withScripts.filter(
    ({ name, version }) => !(name in policy) && !(`${name}@${version}` in policy),
  );
  return { withScripts: withScripts.map((p) => p.name), uncovered, policy };
}

describe('npm ci on a fresh machine', () => {
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('warns about engines only where the postinstall says why', async () => {
    const [warned, notes] = await Promise.all([engineWarnings(), explained()]);
    expect(warned).toEqual(notes);
  });

  it('has no dependency install script outside an allowScripts decision', async () => {
    // The project itself: none at all (npm 11 would print 'not yet covered by allowScripts').
    expect((await installScripts('.')).withScripts).toEqual([]);
    // The packaging tools: electron-winstaller's 7-Zip picker (Squirrel.Windows only) is denied.
    const packaging = await installScripts('packaging');
    expect(packaging.uncovered).toEqual([]);
    expect(packaging.policy['electron-winstaller']).toBe(false);
  });
});

// Where the Electron executable is, without downloading it. electron@42+ fetches its binary on
// the first `require('electron')` (npm 11 no longer runs its install script), which an offline
// machine cannot do; this looks where that require would look (ELECTRON_OVERRIDE_DIST_PATH, else
// node_modules/electron/dist as named by path.txt) and only checks that the file is there.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const PLATFORM_EXECUTABLE = {
  darwin: 'Electron.app/Contents/MacOS/Electron',
  win32: 'electron.exe',
};

/** @returns {{ path: string | null, source: string | null, reason: string | null }} */
export function findElectron(env = process.env, root = ROOT) {
  const pkg = join(root, 'node_modules', 'electron');
  let relative = null;
  try {
    relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim() || null;
  } catch {
    // the package never downloaded its binary (or is not installed)
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, relative ?? PLATFORM_EXECUTABLE[process.platform] ?? 'electron');
    return existsSync(path)
      ? { path, source: 'ELECTRON_OVERRIDE_DIST_PATH', reason: null }
      : {
          path: null,
          source: null,
          reason: `ELECTRON_OVERRIDE_DIST_PATH has no executable at ${path}`,
        };
  }
  if (!existsSync(join(pkg, 'package.json'))) {
    return { path: null, source: null, reason: 'the electron package is not installed' };
  }
  if (!relative) {
    return {
      path: null,
      source: null,
      reason: 'the electron package has not downloaded its binary (offline install)',
    };
  }
  const path = join(pkg, 'dist', relative);
  return existsSync(path)
    ? { path, source: 'node_modules/electron', reason: null }
    : { path: null, source: null, reason: `node_modules/electron/dist has no ${relative}` };
}

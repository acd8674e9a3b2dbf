// Runs after `npm ci` / `npm install` (the project's postinstall). On Node 20, npm warns
// EBADENGINE for electron and its two downloader packages, which declare Node >= 22.12. That is
// expected, and this says so right under the warnings instead of hiding them (a blanket
// loglevel or node-version setting would hide real ones too): on Node 20 the project uses the
// electron package only for its TypeScript types and to find a binary set by
// ELECTRON_OVERRIDE_DIST_PATH; downloading Electron and packaging run on Node >= 22.12.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The version in a '>= X.Y.Z' range, or null for any other form. */
export function floorOf(range) {
  const m = /^\s*>=\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(range ?? '');
  return m ? m.slice(1, 4).map(Number) : null;
}

export function below(version, floor) {
  const v = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if (v[i] !== floor[i]) return v[i] < floor[i];
  return false;
}

const manifest = (...path) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', ...path, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
};

function main() {
  const electron = manifest('electron');
  if (!electron) return; // not installed: nothing was warned about
  // electron and those of its dependencies whose declared Node floor this Node is below.
  const unmet = [['electron', electron]]
    .concat(
      Object.keys(electron.dependencies ?? {}).map((name) => [
        name,
        manifest('electron', 'node_modules', name) ?? manifest(name),
      ]),
    )
    .filter(([, m]) => {
      const floor = floorOf(m?.engines?.node);
      return floor && below(process.version, floor);
    });
  if (unmet.length === 0) return;
  const floor = floorOf(electron.engines?.node) ?? floorOf(unmet[0][1].engines.node);
  process.stdout.write(
    `meridian: the EBADENGINE warnings above (${unmet.map(([n, m]) => `${n}@${m.version}`).join(', ')}) ` +
      `are expected on Node ${process.versions.node}: Electron's package and its downloader ` +
      `declare Node >= ${floor.join('.')}. The console and its tests run on this Node and use the ` +
      `electron package only for its TypeScript types and to find a binary already there; downloading Electron and packaging the ` +
      `app (npm run package) need Node >= ${floor.join('.')}. See README, "Node versions".\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();

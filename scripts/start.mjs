// `npm start` and `npm run demo` (with --demo): build when needed, then launch the desktop
// console with an agent for this machine; with no Electron binary (an offline install) say so in
// one line and run `meridian serve --with-agent` instead, which prints the URL to open.
// --demo adds `meridian simulate --agents 300 --seed 1` against whichever console started.
// Other arguments go to the console: `npm start -- --port 4790`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONSOLE_V8_FLAGS, ELECTRON_JS_FLAGS } from './console-flags.mjs';
import { findElectron } from './electron-binary.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'electron', 'main.js');
const CLI = join(ROOT, 'bin', 'meridian.js');
const DEMO_AGENTS = '300';

const args = process.argv.slice(2);
const demo = args.includes('--demo');
const passThrough = args.filter((a) => a !== '--demo');
const say = (line) => process.stdout.write(`${line}\n`);

// ── build if dist is missing or older than the sources ────────────────────────────────────────

const SOURCE_DIRS = ['shared', 'electron', 'agent', 'renderer'];
const SOURCE_FILES = [
  'tsconfig.base.json',
  'tsconfig.node.json',
  'tsconfig.preload.json',
  'vite.config.ts',
];
const SKIP = new Set(['node_modules', 'dist', '.git']);

function newestIn(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (!SKIP.has(entry)) newest = Math.max(newest, newestIn(join(path, entry)));
  }
  return newest;
}

function outputs() {
  const out = [join(ROOT, 'dist', 'electron', 'cli.js')];
  if (existsSync(join(ROOT, 'renderer', 'index.html'))) {
    out.push(join(ROOT, 'dist', 'renderer', 'index.html'));
  }
  return out;
}

function needsBuild() {
  const built = outputs().map((p) => (existsSync(p) ? statSync(p).mtimeMs : -1));
  if (built.some((t) => t < 0)) return true;
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => newestIn(join(ROOT, d))),
    ...SOURCE_FILES.map((f) => newestIn(join(ROOT, f))),
  );
  return sources > Math.min(...built);
}

if (needsBuild()) {
  say('meridian: building (npm run build) …');
  const npm = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath, 'run', 'build']]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']];
  const built = spawnSync(npm[0], npm[1], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// ── desktop, or the browser console ───────────────────────────────────────────────────────────

function chooseConsole() {
  const electron = findElectron();
  if (!electron.path) {
    say(
      'meridian: no Electron binary on this machine (offline install); running the console in your browser instead (open the console URL below).',
    );
    return null;
  }
  if (!existsSync(MAIN)) {
    say(
      'meridian: the desktop shell is not built (dist/electron/main.js); running the console in your browser instead (open the console URL below).',
    );
    return null;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say(
      'meridian: no display for the desktop window (DISPLAY is not set); running the console in your browser instead (open the console URL below).',
    );
    return null;
  }
  return electron.path;
}

const electronPath = chooseConsole();
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
// Children get their own process group (POSIX), so a Ctrl-C reaches them once, from us: the
// terminal and npm each deliver SIGINT, and a second one would cut a clean shutdown short.
const detached = process.platform !== 'win32';
const consoleCommand = electronPath
  ? [electronPath, [ELECTRON_JS_FLAGS, MAIN, '--with-agent', ...passThrough]]
  : [process.execPath, [...CONSOLE_V8_FLAGS, CLI, 'serve', '--with-agent', ...passThrough]];
const consoleProc = spawn(consoleCommand[0], consoleCommand[1], {
  cwd: ROOT,
  env,
  detached,
  stdio: ['ignore', demo ? 'pipe' : 'inherit', 'inherit'],
});
const children = [consoleProc];

// ── the demo: the simulator against the console that started ─────────────────────────────────

let simulator = null;

function startSimulator(ingestUrl, dataDir, caFingerprint) {
  let token = process.env.MERIDIAN_AGENT_TOKEN;
  if (!token) {
    try {
      token = readFileSync(join(dataDir, 'agent-token'), 'utf8').trim();
    } catch (err) {
      say(`meridian: demo: cannot read the agent token in ${dataDir}: ${err.message}`);
      return;
    }
  }
  const url = ingestUrl.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
  say(`meridian: demo: ${DEMO_AGENTS} simulated agents → ${url}`);
  simulator = spawn(
    process.execPath,
    [
      CLI,
      'simulate',
      '--url',
      url,
      '--agents',
      DEMO_AGENTS,
      '--seed',
      '1',
      // The simulator's keys live beside the console's data, so each demo reconnects them.
      '--state-dir',
      join(dataDir, 'simulator'),
      ...(caFingerprint ? ['--ca-fingerprint', caFingerprint] : []),
    ],
    // The token goes by environment, not argv (which other users can read).
    {
      cwd: ROOT,
      env: { ...env, MERIDIAN_AGENT_TOKEN: token },
      detached,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.push(simulator);
  simulator.on('exit', (code, signal) => {
    if (!stopping) say(`meridian: demo: the simulator stopped (${signal ?? `exit ${code}`})`);
  });
}

if (demo) {
  let buffered = '';
  let ingest = null;
  let dataDir = null;
  let fingerprint = null;
  consoleProc.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (simulator) return;
    buffered += chunk.toString();
    for (const line of buffered.split('\n')) {
      ingest ??= /^\s+ingest\s+(wss?:\/\/\S+)/.exec(line)?.[1] ?? null;
      dataDir ??= /^\s+data\s+(.+?)\s*$/.exec(line)?.[1] ?? null;
      fingerprint ??= /^\s+tls\s+CA (sha256:[0-9a-f]{64})/.exec(line)?.[1] ?? null;
    }
    buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    // A wss:// console prints its CA fingerprint (the tls line) before its data line.
    if (ingest && dataDir) startSimulator(ingest, dataDir, fingerprint);
  });
}

// ── signals and exit ──────────────────────────────────────────────────────────────────────────

let stopping = false;
const alive = (child) => child.exitCode === null && child.signalCode === null;

function stopSimulator() {
  if (simulator && alive(simulator)) simulator.kill('SIGTERM');
}

/** One signal to the console (the simulator follows once the console is down, so its agents
 * going away never reads as an outage); whatever has not stopped within 10 s is killed. */
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  if (alive(consoleProc)) consoleProc.kill(signal);
  else stopSimulator();
  setTimeout(() => {
    for (const child of children) if (alive(child)) child.kill('SIGKILL');
  }, 10_000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stopAll(signal === 'SIGHUP' ? 'SIGTERM' : signal));
}

consoleProc.on('error', (err) => {
  say(`meridian: could not start ${consoleCommand[0]}: ${err.message}`);
  process.exit(1);
});

consoleProc.on('exit', (code, signal) => {
  const result = code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1);
  if (simulator && alive(simulator)) {
    simulator.once('exit', () => process.exit(result));
    stopping = true;
    stopSimulator();
  } else {
    process.exit(result);
  }
});

// `meridian serve` as a real process (the compiled CLI), for tests and benchmarks that need
// the console in its own process: crash recovery, browser tests, resource figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../electron/core/version.js';

export interface ServeProcess {
  child: ChildProcess;
  /** With ?token=. */
  consoleUrl: string;
  apiUrl: string;
  ingestUrl: string;
  /** ms from spawn to the printed URLs. */
  bannerMs: number;
  output(): string;
  /** SIGTERM and wait for the exit (immediately if it has exited or was killed). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Run under `ulimit -n N` (soft and hard open-files limit), through sh. */
  openFiles?: number;
  /** Listen on these ports instead of ephemeral ones (a restart on the same addresses). */
  port?: number;
  ingestPort?: number;
  /** `--ingest-tls`; plain ws:// unless a test asks (the TLS path has its own tests). */
  ingestTls?: string;
}

export async function spawnServe(
  dataDir: string,
  env: Record<string, string>,
  // Generous: it only bounds the wait for the banner (a busy machine starts Node slowly).
  timeoutMs = 30_000,
  opts: SpawnOptions = {},
): Promise<ServeProcess> {
  const bin = join(packageRoot(), 'bin', 'meridian.js');
  const started = performance.now();
  const args = [
    // Under `npm run bench` the console's V8 flags (scripts/console-flags.mjs) carry over.
    ...process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')),
    bin,
    'serve',
    '--data-dir',
    dataDir,
    '--port',
    String(opts.port ?? 0),
    '--ingest-port',
    String(opts.ingestPort ?? 0),
    '--ingest-tls',
    opts.ingestTls ?? 'off',
  ];
  // `exec` keeps the pid: signals reach node itself, not the shell.
  const [cmd, argv] =
    opts.openFiles === undefined
      ? [process.execPath, args]
      : ['sh', ['-c', `ulimit -n ${opts.openFiles} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(cmd, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', () => {});
  while (!/ingest\s+wss?:/.test(out)) {
    if (child.exitCode !== null) throw new Error(`meridian serve exited ${child.exitCode}: ${out}`);
    if (performance.now() - started > timeoutMs)
      throw new Error(`meridian serve did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const consoleUrl = /console\s+(\S+)/.exec(out)![1]!;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    consoleUrl,
    apiUrl: consoleUrl.split('/?')[0]!,
    ingestUrl: /ingest\s+(\S+)/.exec(out)![1]!,
    bannerMs: performance.now() - started,
    output: () => out,
    async stop() {
      if (exited()) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

// `meridian agent` as a real process (the compiled CLI), and the test copy of the shipped
// actions file (test/fixtures/actions/actions.json, its paths pointed into the test's temp dir).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../electron/core/version.js';
import type { RunbookInput } from '../../shared/recovery.js';

export interface AgentProcess {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<number | null>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export function spawnAgent(args: string[], env: Record<string, string> = {}): AgentProcess {
  const bin = join(packageRoot(), 'bin', 'meridian.js');
  const child = spawn(process.execPath, [bin, 'agent', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    kill9: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}

export const FIXTURES = join(packageRoot(), 'test', 'fixtures', 'actions');
/** The stand-in unit runner: systemd is not available where tests run. */
export const STAND_IN_UNIT_RUNNER = join(FIXTURES, 'stand-in-unit-runner.mjs');
export const STAND_IN_SERVICE = join(FIXTURES, 'stand-in-service.mjs');

/** Write the fixture actions file into `dir` with its placeholders filled; returns its path. */
export async function writeActionsFixture(
  dir: string,
  paths: { allowedDir: string; unitsDir: string; scriptsDir: string },
): Promise<string> {
  const text = (await readFile(join(FIXTURES, 'actions.json'), 'utf8'))
    .replaceAll('__STAND_IN_UNIT_RUNNER__', STAND_IN_UNIT_RUNNER)
    .replaceAll('__UNITS_DIR__', paths.unitsDir)
    .replaceAll('__ALLOWED_DIR__', paths.allowedDir)
    .replaceAll('__SCRIPTS_DIR__', paths.scriptsDir);
  const path = join(dir, 'actions.json');
  await writeFile(path, text);
  return path;
}

/**
 * The disk-quota scenario's spool in `dir`: 19 files of 45 kB (the first `oldFiles` ten days
 * old) and a fresh one of 95 kB, with the actions file pointed at it.
 */
export async function writeSpoolFixture(
  dir: string,
  oldFiles: number,
): Promise<{
  paths: { allowedDir: string; unitsDir: string; scriptsDir: string };
  actionsFile: string;
}> {
  const paths = {
    allowedDir: join(dir, 'spool'),
    unitsDir: join(dir, 'units'),
    scriptsDir: join(dir, 'scripts'),
  };
  for (const d of Object.values(paths)) await mkdir(d);
  const old = (Date.now() - 10 * 86_400_000) / 1000;
  for (let i = 0; i < 19; i++) {
    const file = join(paths.allowedDir, `old-${i}.log`);
    await writeFile(file, Buffer.alloc(45_000, 120));
    if (i < oldFiles) await utimes(file, old, old);
  }
  await writeFile(join(paths.allowedDir, 'fresh.log'), Buffer.alloc(95_000, 120));
  return { paths, actionsFile: await writeActionsFixture(dir, paths) };
}

/**
 * The spool scenario's runbook: on a disk_usage alert, clean_tmp on the alert's mount, then
 * verify disk_usage < 85 % there within `withinMs`, else escalate.
 */
export function spoolRunbook(
  allowedDir: string,
  opts: { mode?: RunbookInput['mode']; withinMs?: number; escalate?: boolean } = {},
): RunbookInput {
  return {
    id: 'spool',
    name: 'Free the spool',
    ...(opts.mode ? { mode: opts.mode } : {}),
    trigger: { ruleIds: ['disk_usage'], severities: ['warning', 'critical'] },
    steps: [
      { kind: 'action', action: 'clean_tmp', params: { dir: '{{labels.mount}}', days: '7' } },
      {
        kind: 'verify',
        condition: {
          type: 'metric',
          metric: 'disk_usage',
          comparator: '<',
          threshold: 85,
          labels: { mount: allowedDir },
        },
        withinMs: opts.withinMs ?? 60_000,
      },
      ...(opts.escalate
        ? [{ kind: 'escalate' as const, text: 'spool still full after clean_tmp' }]
        : []),
    ],
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

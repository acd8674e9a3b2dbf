// Runs one action's argv: no shell (spawn, shell:false), as the file's user, with a minimal
// environment (the agent's own, which holds its token, is not passed on), stdout and stderr
// captured to a bound, and a timeout: SIGTERM to the action's process group, SIGKILL after a
// grace if it is still there.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from '../../shared/clock.js';
import { OutputCapture } from './output.js';
import { lookupUser } from './passwd.js';

export interface ExecRequest {
  argv: string[];
  timeoutMs: number;
  /** Run as this user (looked up in the passwd file); absent: the agent's own user. */
  user?: string;
  /** Extra environment (MERIDIAN_ACTION_ID …) on top of the minimal one. */
  env?: Record<string, string>;
}

export type ExecOutcome =
  | {
      status: 'succeeded' | 'failed' | 'timeout';
      exitCode: number | null;
      signal: string | null;
      durationMs: number;
      output: string;
      outputTruncated: boolean;
    }
  /** The program never started: not found, not executable, unknown user, not permitted. */
  | { status: 'spawn_failed'; detail: string };

export interface ExecutorOptions {
  clock: Clock;
  /** After SIGTERM at the timeout, SIGKILL this much later if the process group is still there. */
  killGraceMs?: number;
  /** After the program exits, wait at most this long for its stdout/stderr to close (a daemon it forked may hold them). */
  drainMs?: number;
  passwdPath?: string;
}

/** The PATH actions run with: the system's, not whatever the agent was started with. */
export const ACTION_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class Executor {
  constructor(private readonly opts: ExecutorOptions) {}

  async run(req: ExecRequest): Promise<ExecOutcome> {
    const identity = await this.identity(req.user);
    if ('detail' in identity) return { status: 'spawn_failed', detail: identity.detail };
    const env: Record<string, string> = {
      PATH: ACTION_PATH,
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...identity.env,
      ...req.env,
    };
    const clock = this.opts.clock;
    const started = clock.monotonic();
    let child: ChildProcess;
    try {
      child = spawn(req.argv[0]!, req.argv.slice(1), {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a timeout ends what it started too.
        detached: true,
        cwd: '/',
        env,
        ...identity.ids,
      });
    } catch (err) {
      return { status: 'spawn_failed', detail: spawnDetail(req, err) };
    }
    const capture = new OutputCapture();
    child.stdout!.on('data', (c: Buffer) => capture.stdout.write(c));
    child.stderr!.on('data', (c: Buffer) => capture.stderr.write(c));
    return new Promise<ExecOutcome>((resolve) => {
      let timedOut = false;
      let killTimer: { cancel(): void } | null = null;
      const timeout = clock.setTimeout(() => {
        timedOut = true;
        signalGroup(child, 'SIGTERM');
        killTimer = clock.setTimeout(
          () => signalGroup(child, 'SIGKILL'),
          this.opts.killGraceMs ?? 5_000,
        );
      }, req.timeoutMs);
      child.once('error', (err) => {
        timeout.cancel();
        resolve({ status: 'spawn_failed', detail: spawnDetail(req, err) });
      });
      child.once('exit', (code, signal) => {
        timeout.cancel();
        const durationMs = Math.max(0, Math.round(clock.monotonic() - started));
        const finish = () => {
          killTimer?.cancel();
          // What it started and left behind in its group goes too (ESRCH when nothing is left;
          // a group id is not reused while any member lives).
          if (timedOut) killGroup(child.pid, 'SIGKILL');
          child.stdout?.destroy();
          child.stderr?.destroy();
          const status = timedOut ? 'timeout' : code === 0 ? 'succeeded' : 'failed';
          resolve({ status, exitCode: code, signal, durationMs, ...capture.result() });
        };
        this.afterDrain(child, finish);
      });
    });
  }

  /** Call `done` once stdout and stderr have closed, or after `drainMs`, whichever is first. */
  private afterDrain(child: ChildProcess, done: () => void): void {
    let open = [child.stdout, child.stderr].filter((s) => s && !s.closed).length;
    let finished = false;
    const once = () => {
      if (finished) return;
      finished = true;
      timer.cancel();
      done();
    };
    const timer = this.opts.clock.setTimeout(once, this.opts.drainMs ?? 1_000);
    if (open === 0) return once();
    for (const s of [child.stdout, child.stderr]) {
      s?.once('close', () => {
        if (--open === 0) once();
      });
    }
  }

  private async identity(
    user: string | undefined,
  ): Promise<
    { ids: { uid?: number; gid?: number }; env: Record<string, string> } | { detail: string }
  > {
    if (user === undefined) return { ids: {}, env: {} };
    const entry = await lookupUser(user, this.opts.passwdPath);
    if (!entry)
      return { detail: `user '${user}' is not in ${this.opts.passwdPath ?? '/etc/passwd'}` };
    const env = { HOME: entry.home, USER: entry.name, LOGNAME: entry.name };
    // Already that user: no change of identity needed (and none permitted without privilege).
    if (process.getuid?.() === entry.uid && process.getgid?.() === entry.gid)
      return { ids: {}, env };
    return { ids: { uid: entry.uid, gid: entry.gid }, env };
  }
}

function spawnDetail(req: ExecRequest, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const who = req.user ? ` as user '${req.user}'` : '';
  if (e.code === 'EPERM')
    return `not permitted to run${who} (the agent needs the privilege to change user): ${req.argv[0]}`;
  if (e.code === 'ENOENT') return `program not found: ${req.argv[0]}`;
  if (e.code === 'EACCES') return `program not executable${who}: ${req.argv[0]}`;
  return `could not start ${req.argv[0]}${who}: ${e.message}`;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Nothing left in the group.
  }
}

/** Signal the action's whole process group; the child alone if the group is gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

// What the posture collectors may touch on the host, passed in: a command runner (argv with
// a timeout, never a shell) and a file reader. Unit tests hand in fixtures; the agent the real
// ones below.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface CommandOutcome {
  /** Exit code; null when it did not run to an exit (not found, timed out, killed). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not run to an exit: `not_found`, `timeout`, or the error's message. */
  failure?: string;
}

export type CommandRunner = (argv: readonly string[]) => Promise<CommandOutcome>;

export interface PostureFs {
  /** The file's text, or null when it is missing or unreadable. */
  readFile(path: string): Promise<string | null>;
  /** The directory's entry names, or null when it is missing or unreadable. */
  readDir(path: string): Promise<string[] | null>;
}

export interface HostAccess {
  run: CommandRunner;
  fs: PostureFs;
}

const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Run argv[0] with the rest as arguments, no shell, killed after `timeoutMs`. */
export function execRunner(timeoutMs = 10_000): CommandRunner {
  return (argv) =>
    new Promise((resolve) => {
      execFile(
        argv[0]!,
        argv.slice(1),
        {
          timeout: timeoutMs,
          maxBuffer: MAX_OUTPUT_BYTES,
          // Parsable output whatever the host's language.
          env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
          windowsHide: true,
        },
        (err, stdout, stderr) => {
          const out = { stdout: String(stdout), stderr: String(stderr) };
          if (!err) return resolve({ code: 0, ...out });
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
          if (e.code === 'ENOENT') return resolve({ code: null, ...out, failure: 'not_found' });
          if (e.killed) return resolve({ code: null, ...out, failure: 'timeout' });
          if (typeof e.code === 'number') return resolve({ code: e.code, ...out });
          resolve({ code: null, ...out, failure: e.message });
        },
      );
    });
}

export const realFs: PostureFs = {
  readFile: (path) => readFile(path, 'utf8').catch(() => null),
  readDir: (path) => readdir(path).catch(() => null),
};

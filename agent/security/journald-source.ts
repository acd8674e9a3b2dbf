// Follows the journal with `journalctl -f -o json` for the auth programs: spawned with an
// argv (no shell), its stdout split into bounded lines and parsed as JSON records. When
// journalctl exits the source restarts it after a growing delay on the injected clock,
// from the last cursor it saw (`--after-cursor`), so a restart neither loses nor repeats
// lines; the first start reads only what is new (`--since now`).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { LineSplitter } from './line-splitter.js';

/** Programs whose lines are read. OpenSSH >= 9.8 logs as sshd-session / sshd-auth. */
export const JOURNAL_IDENTIFIERS = [
  'sshd',
  'sshd-session',
  'sshd-auth',
  'sudo',
  'su',
  'login',
  'systemd-logind',
] as const;

/** Where a running journald keeps its socket or files. */
export const JOURNAL_DIRS = ['/run/systemd/journal', '/var/log/journal'];

export function journalctlArgs(cursor: string | null): string[] {
  return [
    '-f',
    '-o',
    'json',
    ...(cursor ? [`--after-cursor=${cursor}`] : ['--since', 'now']),
    ...JOURNAL_IDENTIFIERS.flatMap((t) => ['-t', t]),
  ];
}

/** Whether journald is here: one of its directories exists and the binary answers --version. */
export async function journaldAvailable(
  binary: string,
  dirs: readonly string[] = JOURNAL_DIRS,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const found = await Promise.all(
    dirs.map((d) =>
      stat(d).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!found.some(Boolean)) return { ok: false, reason: `no journal (${dirs.join(', ')} missing)` };
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 5000 }, (err) =>
      resolve(
        err ? { ok: false, reason: `${binary} --version failed: ${err.message}` } : { ok: true },
      ),
    );
  });
}

export interface JournaldOptions {
  clock: Clock;
  binary?: string;
  onRecord(record: unknown): void;
  onNotice?(text: string): void;
  maxLineBytes?: number;
  /** First restart delay; doubles up to maxRestartDelayMs while journalctl keeps dying without output. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

export class JournaldSource {
  private child: ChildProcess | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private cursor: string | null = null;
  private delay: number;
  private sawOutput = false;
  private stderrTail = '';
  private readonly splitter: LineSplitter;
  restarts = 0;
  /** Lines that were not JSON objects. */
  badLines = 0;

  constructor(private readonly opts: JournaldOptions) {
    this.splitter = new LineSplitter(opts.maxLineBytes ?? 64 * 1024);
    this.delay = opts.restartDelayMs ?? 1000;
  }

  get linesTooLong(): number {
    return this.splitter.tooLong;
  }

  get binary(): string {
    return this.opts.binary ?? 'journalctl';
  }

  start(): void {
    if (this.stopped || this.child) return;
    this.sawOutput = false;
    this.stderrTail = '';
    this.splitter.reset();
    const child = spawn(this.binary, journalctlArgs(this.cursor), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      this.sawOutput = true;
      for (const line of this.splitter.push(chunk)) this.line(line);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-512);
    });
    let ended = false;
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      this.child = null;
      if (!this.stopped) this.restartLater(why);
    };
    child.on('error', (err) => end(err.message));
    child.on('close', (code, signal) => end(`exited with ${signal ?? `code ${code}`}`));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.child?.kill('SIGTERM');
    this.child = null;
  }

  private line(text: string): void {
    if (text.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch {
      this.badLines++;
      return;
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
      this.badLines++;
      return;
    }
    const cursor = (rec as Record<string, unknown>).__CURSOR;
    if (typeof cursor === 'string') this.cursor = cursor;
    this.opts.onRecord(rec);
  }

  private restartLater(why: string): void {
    // A journalctl that ran and produced output earns a quick restart; one that keeps dying
    // silently backs off, so a broken journal is a few lines an hour, not a loop.
    if (this.sawOutput) this.delay = this.opts.restartDelayMs ?? 1000;
    const stderr = this.stderrTail.trim().split('\n').pop();
    this.opts.onNotice?.(
      `${this.binary} ${why}${stderr ? ` (${stderr})` : ''}; restarting in ${Math.round(this.delay / 1000)} s`,
    );
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.restarts++;
      this.start();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.opts.maxRestartDelayMs ?? 300_000);
  }
}

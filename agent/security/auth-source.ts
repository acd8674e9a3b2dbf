// Where this host's authentication events come from, chosen once at start: journald when it
// is here, else /var/log/auth.log (Debian family) or /var/log/secure (Red Hat family), else
// nothing, said once as a "not collected" line rather than retried. Parsed events wait in a
// bounded queue for the uplink to take; what does not fit is dropped and counted.

import { stat } from 'node:fs/promises';
import type { Clock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { FileTail } from './auth-file-tail.js';
import {
  authEventFromLine,
  parseJournalRecord,
  parseSyslogLine,
  type LogLine,
} from './auth-line.js';
import { BoundedQueue } from './bounded-queue.js';
import { JOURNAL_DIRS, journaldAvailable, JournaldSource } from './journald-source.js';

export const AUTH_LOG_PATHS = ['/var/log/auth.log', '/var/log/secure'];

export type AuthSourceChoice =
  | { kind: 'journald'; binary: string }
  | { kind: 'file'; path: string }
  | { kind: 'none'; reason: string };

export interface AuthSourceOptions {
  clock: Clock;
  /** The agent's zone, for classic syslog lines; the process's zone by default. */
  timeZone?: string;
  /** Events held for the uplink; beyond it they are dropped and counted. */
  capacity?: number;
  journalctl?: string;
  journalDirs?: readonly string[];
  logPaths?: readonly string[];
  platform?: NodeJS.Platform;
  pollMs?: number;
  maxLineBytes?: number;
  restartDelayMs?: number;
  /** One line for the agent's log: which source, rotations, restarts, "not collected". */
  onNotice?(text: string): void;
  /** Called when events are waiting (the queue went from empty to not). */
  onEvents?(): void;
}

export async function chooseAuthSource(o: AuthSourceOptions): Promise<AuthSourceChoice> {
  const platform = o.platform ?? process.platform;
  if (platform !== 'linux')
    return {
      kind: 'none',
      reason: `not collected: authentication events are read on Linux only (this is ${platform})`,
    };
  const binary = o.journalctl ?? 'journalctl';
  const journal = await journaldAvailable(binary, o.journalDirs ?? JOURNAL_DIRS);
  if (journal.ok) return { kind: 'journald', binary };
  const paths = o.logPaths ?? AUTH_LOG_PATHS;
  for (const path of paths) {
    const st = await stat(path).catch(() => null);
    if (st?.isFile()) return { kind: 'file', path };
  }
  return {
    kind: 'none',
    reason: `not collected: no journald or auth log (${journal.reason}; ${paths.join(', ')} not found)`,
  };
}

export interface AuthSourceStats {
  kind: AuthSourceChoice['kind'];
  /** The journalctl binary, the file, or why nothing is collected. */
  detail: string;
  lines: number;
  events: number;
  /** Lines in no known format (auth programs' other lines are not counted here). */
  unparsed: number;
  dropped: number;
  linesTooLong: number;
  restarts: number;
  rotations: number;
}

export class AuthEventSource {
  private readonly queue: BoundedQueue<AgentEvent>;
  private journal: JournaldSource | null = null;
  private tail: FileTail | null = null;
  private lines = 0;
  private events = 0;
  private unparsed = 0;
  private readonly timeZone: string;

  private constructor(
    private readonly o: AuthSourceOptions,
    readonly choice: AuthSourceChoice,
  ) {
    this.queue = new BoundedQueue(o.capacity ?? 10_000);
    this.timeZone = o.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  }

  /** Chooses the source, says which in one notice, and starts reading. */
  static async start(o: AuthSourceOptions): Promise<AuthEventSource> {
    const choice = await chooseAuthSource(o);
    const s = new AuthEventSource(o, choice);
    await s.begin();
    return s;
  }

  /** Up to `max` events, oldest first. */
  take(max: number): AgentEvent[] {
    return this.queue.take(max);
  }

  get pending(): number {
    return this.queue.size;
  }

  stats(): AuthSourceStats {
    const c = this.choice;
    return {
      kind: c.kind,
      detail: c.kind === 'journald' ? c.binary : c.kind === 'file' ? c.path : c.reason,
      lines: this.lines,
      events: this.events,
      unparsed: this.unparsed,
      dropped: this.queue.dropped,
      linesTooLong: (this.journal?.linesTooLong ?? 0) + (this.tail?.linesTooLong ?? 0),
      restarts: this.journal?.restarts ?? 0,
      rotations: this.tail?.rotations ?? 0,
    };
  }

  async stop(): Promise<void> {
    this.journal?.stop();
    await this.tail?.stop();
  }

  private async begin(): Promise<void> {
    const c = this.choice;
    const notice = (t: string) => this.o.onNotice?.(t);
    if (c.kind === 'none') {
      notice(c.reason);
      return;
    }
    if (c.kind === 'journald') {
      notice(`authentication events from journald (${c.binary})`);
      this.journal = new JournaldSource({
        clock: this.o.clock,
        binary: c.binary,
        onRecord: (r) => this.accept(parseJournalRecord(r)),
        onNotice: notice,
        maxLineBytes: this.o.maxLineBytes,
        restartDelayMs: this.o.restartDelayMs,
      });
      this.journal.start();
      return;
    }
    notice(`authentication events from ${c.path}`);
    this.tail = new FileTail({
      path: c.path,
      clock: this.o.clock,
      onLine: (text) =>
        this.accept(parseSyslogLine(text, { timeZone: this.timeZone, now: this.o.clock.now() })),
      onNotice: notice,
      pollMs: this.o.pollMs,
      maxLineBytes: this.o.maxLineBytes,
    });
    await this.tail.start();
  }

  private accept(line: LogLine | null): void {
    this.lines++;
    if (!line) {
      this.unparsed++;
      return;
    }
    const event = authEventFromLine(line);
    if (!event) return;
    this.events++;
    const wasEmpty = this.queue.size === 0;
    if (this.queue.push(event) && wasEmpty) this.o.onEvents?.();
  }
}

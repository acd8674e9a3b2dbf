// Moves the host's authentication events from their source (journald or auth.log) into the
// uplink as `events` batches. Batches are bounded (at most `batchMax` events, the protocol's
// MAX_EVENTS_PER_BATCH at most); a burst is gathered for `lingerMs` so sshd's lines for one
// connection travel together. The source's queue is bounded too: what does not fit is dropped
// and counted, and the agent's log says so once per flush that saw new drops.
// Off Linux, or with no journald and no auth log, the source says "not collected" once and
// nothing polls.

import type { Clock, TimerHandle } from '../../shared/clock.js';
import { MAX_EVENTS_PER_BATCH } from '../../shared/protocol-codes.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { AuthEventSource, type AuthSourceOptions, type AuthSourceStats } from './auth-source.js';

/** How the agent reads authentication events; the defaults suit a real host. */
export type AuthShipperSettings = Omit<AuthSourceOptions, 'clock' | 'onNotice' | 'onEvents'> & {
  /** Most events in one `events` message (default 500). */
  batchMax?: number;
  /** How long a burst gathers before it is sent (default 250 ms). */
  lingerMs?: number;
};

export interface AuthShipperDeps {
  clock: Clock;
  send(events: AgentEvent[]): void;
  /** Which source, or "not collected": said once. */
  say(line: string): void;
  /** Drops, rotations, restarts of journalctl. */
  warn(line: string): void;
}

export class AuthShipper {
  private source: AuthEventSource | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private reportedDrops = 0;
  /** Events handed to the uplink. */
  shipped = 0;
  private readonly batchMax: number;

  constructor(
    private readonly deps: AuthShipperDeps,
    private readonly settings: AuthShipperSettings = {},
  ) {
    this.batchMax = Math.max(1, Math.min(settings.batchMax ?? 500, MAX_EVENTS_PER_BATCH));
  }

  async start(): Promise<void> {
    const s = this.settings;
    const source = await AuthEventSource.start({
      ...(s.timeZone !== undefined ? { timeZone: s.timeZone } : {}),
      ...(s.capacity !== undefined ? { capacity: s.capacity } : {}),
      ...(s.journalctl !== undefined ? { journalctl: s.journalctl } : {}),
      ...(s.journalDirs !== undefined ? { journalDirs: s.journalDirs } : {}),
      ...(s.logPaths !== undefined ? { logPaths: s.logPaths } : {}),
      ...(s.platform !== undefined ? { platform: s.platform } : {}),
      ...(s.pollMs !== undefined ? { pollMs: s.pollMs } : {}),
      ...(s.maxLineBytes !== undefined ? { maxLineBytes: s.maxLineBytes } : {}),
      ...(s.restartDelayMs !== undefined ? { restartDelayMs: s.restartDelayMs } : {}),
      clock: this.deps.clock,
      onNotice: (text) =>
        (/^(authentication events from|not collected)/.test(text) ? this.deps.say : this.deps.warn)(
          text,
        ),
      onEvents: () => this.schedule(),
    });
    if (this.stopped) {
      await source.stop();
      return;
    }
    this.source = source;
    if (source.pending > 0) this.schedule();
  }

  stats(): (AuthSourceStats & { shipped: number }) | null {
    return this.source ? { ...this.source.stats(), shipped: this.shipped } : null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    await this.source?.stop();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.settings.lingerMs ?? 250);
  }

  private flush(): void {
    const source = this.source;
    if (!source || this.stopped) return;
    for (;;) {
      const batch = source.take(this.batchMax);
      if (batch.length === 0) break;
      this.shipped += batch.length;
      this.deps.send(batch);
    }
    const dropped = source.stats().dropped;
    if (dropped > this.reportedDrops) {
      this.deps.warn(
        `dropped ${dropped - this.reportedDrops} authentication event(s): more came than the queue holds (${dropped} in all)`,
      );
      this.reportedDrops = dropped;
    }
  }
}

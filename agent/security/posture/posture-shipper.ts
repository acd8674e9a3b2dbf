// Posture facts to the console: collected at start, hourly and soon after a watched file
// changes (sshd_config, login.defs, the update configuration …); sent only when a fact
// changed, and the full set after every (re)connect.
import { watch, type FSWatcher } from 'node:fs';
import type { Clock, TimerHandle } from '../../../shared/clock.js';
import { sameFact, type PostureFact } from '../../../shared/posture.js';
import { collectPosture, WATCHED_PATHS } from './collect.js';
import { execRunner, realFs, type HostAccess } from './host-access.js';

export interface PostureShipperDeps {
  clock: Clock;
  /** Send facts; false when they could not go (not connected, console too old). */
  send(facts: readonly PostureFact[], full: boolean): boolean;
  warn(line: string): void;
  host?: HostAccess;
  platform?: NodeJS.Platform;
}

export interface PostureSettings {
  everyMs?: number;
  /** The first collection waits this long after start, so it does not crowd the connect. */
  firstDelayMs?: number;
  /** A burst of file changes is collected once, this long after the last. */
  debounceMs?: number;
  watchPaths?: readonly string[];
}

export class PostureShipper {
  /** The last facts collected, by id. */
  private latest = new Map<string, PostureFact>();
  /** What the console was last sent, by id (cleared on reconnect: a full set goes then). */
  private sent = new Map<string, PostureFact>();
  private timer: TimerHandle | null = null;
  private debounce: TimerHandle | null = null;
  private first: TimerHandle | null = null;
  private watchers: FSWatcher[] = [];
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly host: HostAccess;

  constructor(
    private readonly deps: PostureShipperDeps,
    private readonly settings: PostureSettings = {},
  ) {
    this.host = deps.host ?? { run: execRunner(), fs: realFs };
  }

  start(): void {
    this.first = this.deps.clock.setTimeout(
      () => void this.collect(),
      this.settings.firstDelayMs ?? 3_000,
    );
    this.timer = this.deps.clock.setInterval(
      () => void this.collect(),
      this.settings.everyMs ?? 60 * 60_000,
    );
    for (const path of this.settings.watchPaths ?? WATCHED_PATHS) {
      try {
        const w = watch(path, { persistent: false }, () => this.changed());
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // Not on this host (no ufw, no dnf): nothing to watch there.
      }
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.first?.cancel();
    this.debounce?.cancel();
    for (const w of this.watchers.splice(0)) w.close();
  }

  /** The uplink was welcomed: the console gets the full set (if one is collected yet). */
  connected(): void {
    this.sent.clear();
    this.ship();
  }

  /**
   * Collect now. A request while a collection runs is served by one more collection after it
   * (requests meanwhile share that one), so the answer always reflects the host after the call.
   */
  collect(): Promise<void> {
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = null;
        return this.collect();
      });
      return this.queued;
    }
    this.running = this.collectOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async collectOnce(): Promise<void> {
    try {
      const facts = await collectPosture(
        this.host,
        () => this.deps.clock.now(),
        this.deps.platform,
      );
      this.latest = new Map(facts.map((f) => [f.id, f]));
      this.ship();
    } catch (err) {
      this.deps.warn(`posture facts not collected: ${(err as Error).message}`);
    }
  }

  private changed(): void {
    this.debounce?.cancel();
    this.debounce = this.deps.clock.setTimeout(
      () => void this.collect(),
      this.settings.debounceMs ?? 2_000,
    );
  }

  private ship(): void {
    if (this.latest.size === 0) return;
    const full = this.sent.size === 0;
    const facts = full
      ? [...this.latest.values()]
      : [...this.latest.values()].filter((f) => {
          const before = this.sent.get(f.id);
          return !before || !sameFact(before, f);
        });
    if (facts.length === 0) return;
    if (this.deps.send(facts, full)) for (const f of facts) this.sent.set(f.id, f);
  }
}

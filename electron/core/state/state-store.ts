import { Low } from 'lowdb';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { DurableJsonFile, type Recovery } from './durable-file.js';
import { parseState, type ParsedState, type PersistedState } from './schema.js';

export interface LoadResult {
  /** null on a first run (no file yet, or nothing usable). */
  state: PersistedState | null;
  recovery: Recovery | null;
  dropped: ParsedState['dropped'];
}

/**
 * state.json through lowdb with a durable adapter. Writes are debounced: callers say the
 * state changed (`markDirty`), and at most one write per `debounceMs` takes a snapshot.
 */
export class StateStore {
  private readonly db: Low<PersistedState | null>;
  private readonly file: DurableJsonFile<PersistedState | null>;
  private dropped: ParsedState['dropped'] = {};
  private timer: TimerHandle | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;
  private writeWaiters: (() => void)[] = [];
  private snapshot: (() => PersistedState) | null = null;
  writes = 0;

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; logger: Logger; onWritten?: () => void },
    private readonly debounceMs: number,
  ) {
    const parse = (raw: unknown) => {
      const parsed = parseState(raw);
      this.dropped = parsed.dropped;
      return parsed.state;
    };
    this.file = new DurableJsonFile(join(dataDir, 'state.json'), parse, () => deps.clock.now());
    this.db = new Low(this.file, null);
  }

  get path(): string {
    return this.file.path;
  }

  async load(): Promise<LoadResult> {
    await this.db.read();
    return { state: this.db.data, recovery: this.file.recovery, dropped: this.dropped };
  }

  /** Where snapshots come from; set once the core is wired. */
  source(snapshot: () => PersistedState): void {
    this.snapshot = snapshot;
  }

  /** `soon`: a change worth writing at once (a new agent), not after the debounce. */
  markDirty(soon = false): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.snapshot) return;
    if (this.timer && !soon) return;
    this.timer?.cancel();
    this.timer = this.deps.clock.setTimeout(
      () => {
        this.timer = null;
        void this.flush();
      },
      soon ? 0 : this.debounceMs,
    );
  }

  /** Resolves once a write that includes the state as of now is on disk (soon, not debounced). */
  afterNextWrite(): Promise<void> {
    const done = new Promise<void>((resolve) => this.writeWaiters.push(resolve));
    this.markDirty(true);
    return done;
  }

  /** Final write; later changes are not written (the core is stopping). */
  async close(): Promise<void> {
    this.dirty = true;
    await this.flush();
    this.closed = true;
    this.timer?.cancel();
  }

  /** Write now if anything changed; resolves when the state on disk is current. */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    while (this.writing) await this.writing;
    if (!this.dirty || !this.snapshot) return;
    this.dirty = false;
    this.db.data = this.snapshot();
    const waiters = this.writeWaiters;
    this.writeWaiters = [];
    this.writing = this.writeOut(waiters);
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private async writeOut(waiters: (() => void)[]): Promise<void> {
    try {
      await this.db.write();
      this.writes++;
      this.deps.onWritten?.();
      for (const resolve of waiters) resolve();
    } catch (err) {
      // Those waiting for durability wait for the retry.
      this.writeWaiters.push(...waiters);
      this.dirty = true;
      this.deps.logger.error('state write failed; will retry', { error: (err as Error).message });
      this.markDirty();
    }
  }
}

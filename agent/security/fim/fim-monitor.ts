// File integrity monitoring: hashes the configured files (SHA-256), keeps the baseline in the
// agent's state dir, and reports each change as a `fim_change` event. A change is seen two
// ways: fs.watch on each file's parent directory (editors and `vipw` replace a file by
// renaming a new one over it, which a watch on the file itself would miss), debounced, and a
// periodic rescan (default 5 min) for what a watch cannot see (NFS, a dropped watch, a
// directory that did not exist yet). The first scan after a start compares with the stored
// baseline, so a change made while the agent was down is reported then.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Clock, TimerHandle } from '../../../shared/clock.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import { StateFile } from '../state-file.js';
import {
  judge,
  parseBaseline,
  type BaselineEntry,
  type FimBaseline,
  type FimFinding,
} from './fim-baseline.js';
import { fimChangeEvent, fimUnreadableEvent } from './fim-event.js';
import { defaultFimPaths } from './fim-paths.js';
import { fsReader, type FimReader } from './fim-reader.js';

export const FIM_BASELINE_FILE = 'fim-baseline.json';
export const DEFAULT_FIM_RESCAN_MS = 5 * 60_000;

export interface FimSettings {
  /** The watched paths (a directory: its files); default: DEFAULT_FIM_FILES and every authorized_keys. */
  paths?: readonly string[];
  /** Where the default list reads the users' homes. */
  passwdPath?: string;
  /** Periodic rescan (default 5 min). */
  rescanMs?: number;
  /** How long a burst of watch events gathers before the scan (default 200 ms). */
  debounceMs?: number;
  /** Whether to use fs.watch at all (the rescan alone otherwise). */
  watch?: boolean;
  reader?: FimReader;
}

export interface FimDeps {
  clock: Clock;
  /** The agent's state dir (the baseline lives there); null keeps it in memory only. */
  stateDir: string | null;
  send(events: AgentEvent[]): void;
  /** Unreadable paths, damaged baseline, failed watches. */
  warn(line: string): void;
  say(line: string): void;
}

export class FimMonitor {
  private baseline: FimBaseline | null = null;
  private readonly store: StateFile<FimBaseline> | null;
  private readonly watchers = new Map<string, FSWatcher>();
  /** Per watched directory: the names in it that matter (null: every name, a watched directory). */
  private interest = new Map<string, Set<string> | null>();
  private rescan: TimerHandle | null = null;
  private debounce: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Scans completed (tests wait on it). */
  scans = 0;

  constructor(
    private readonly deps: FimDeps,
    private readonly settings: FimSettings = {},
  ) {
    this.store = deps.stateDir
      ? new StateFile(join(deps.stateDir, FIM_BASELINE_FILE), parseBaseline, deps.warn)
      : null;
  }

  async start(): Promise<void> {
    this.baseline = this.store?.read() ?? null;
    // Quiet while healthy (as the rest of the agent): problems are said, a baseline is not.
    await this.scan();
    if (this.stopped) return;
    this.rescan = this.deps.clock.setInterval(
      () => this.request(),
      this.settings.rescanMs ?? DEFAULT_FIM_RESCAN_MS,
    );
  }

  stop(): void {
    this.stopped = true;
    this.rescan?.cancel();
    this.debounce?.cancel();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Scan now (or right after the scan under way); resolves when that scan is done. */
  async scanNow(): Promise<void> {
    await this.scan();
  }

  private request(): void {
    if (!this.stopped) void this.scan();
  }

  private scan(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.scanOnce();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.deps.warn(`file integrity scan failed: ${(err as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async scanOnce(): Promise<void> {
    const reader = this.settings.reader ?? fsReader;
    const paths = this.settings.paths
      ? [...this.settings.paths]
      : await defaultFimPaths(this.settings.passwdPath);
    const dirs = new Set<string>();
    const files = new Map<string, BaselineEntry>();
    for (const p of paths) {
      const s = await reader.inspect(p);
      if (s.kind !== 'dir') {
        files.set(p, s);
        continue;
      }
      dirs.add(p);
      for (const name of s.entries) {
        const child = join(p, name);
        const c = await reader.inspect(child);
        if (c.kind !== 'dir') files.set(child, c);
      }
    }
    if (this.stopped) return;
    const { next, findings } = judge(this.baseline, paths, { dirs, files });
    const before = JSON.stringify(this.baseline);
    this.baseline = next;
    if (JSON.stringify(next) !== before) {
      try {
        this.store?.write(next);
      } catch (err) {
        this.deps.warn(`file integrity baseline not saved: ${(err as Error).message}`);
      }
    }
    this.scans++;
    const events = findings.flatMap((f) => this.eventOf(f));
    for (let i = 0; i < events.length; i += 500) this.deps.send(events.slice(i, i + 500));
    // A watch armed just now came after the hashes above: a change made in between would wait
    // for the periodic rescan. Scan once more, watched.
    if (this.settings.watch !== false && this.watchDirs(paths, dirs)) this.again = true;
  }

  private eventOf(f: FimFinding): AgentEvent[] {
    const ts = this.deps.clock.now();
    if (f.kind === 'readable_again') {
      this.deps.say(`file integrity: ${f.path} is readable again`);
      return [];
    }
    if (f.kind === 'unreadable') {
      this.deps.warn(
        `file integrity: cannot read ${f.path} (${f.reason}); reported once until it can be read`,
      );
      return [fimUnreadableEvent(ts, f.path, f.reason)];
    }
    return [fimChangeEvent(ts, f)];
  }

  /** Watch each path's parent directory and each watched directory; drop what is no longer needed. */
  /** Whether a directory not watched before is watched now. */
  private watchDirs(paths: readonly string[], dirs: ReadonlySet<string>): boolean {
    const interest = new Map<string, Set<string> | null>();
    for (const p of paths) {
      const parent = dirname(p);
      const names = interest.get(parent);
      if (names !== null) interest.set(parent, (names ?? new Set()).add(basename(p)));
    }
    for (const d of dirs) interest.set(d, null);
    this.interest = interest;
    for (const [dir, w] of this.watchers) {
      if (!interest.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    let armed = false;
    for (const dir of interest.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_type, name) => this.onWatch(dir, name));
        // A watched directory removed or a watch lost: the rescan covers it and watches again.
        w.on('error', () => {
          w.close();
          if (this.watchers.get(dir) === w) this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
        armed = true;
      } catch {
        // The directory does not exist (yet): the periodic rescan watches it once it does.
      }
    }
    return armed;
  }

  private onWatch(dir: string, name: string | Buffer | null): void {
    const names = this.interest.get(dir);
    if (names === undefined) return;
    if (names !== null && name !== null && !names.has(String(name))) return;
    if (this.debounce || this.stopped) return;
    this.debounce = this.deps.clock.setTimeout(() => {
      this.debounce = null;
      this.request();
    }, this.settings.debounceMs ?? 200);
  }
}

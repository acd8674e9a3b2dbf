// The agent's action journal, `<state-dir>/actions-journal.json`: the action in flight (written
// durably before it is spawned) and every result until the console acks it. After a crash or
// restart mid-action the in-flight entry is still there, and is reported as `interrupted`:
// the agent cannot know how it ended, so it never reports it as done.
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurablySync } from '../durable-write.js';
import type { ActionResultMessage } from '../../shared/protocol.js';

export const JOURNAL_FILE = 'actions-journal.json';
/** Unacked results kept; past this the oldest go (a console that never acks must not fill the disk). */
export const MAX_JOURNAL_RESULTS = 100;
/** Ids the console acked, remembered so that a repeated `action` never runs twice. */
export const MAX_ACKED_IDS = 256;

export interface InFlightEntry {
  id: string;
  action: string;
  argv: string[];
  /** Console clock (see ActionRunner). */
  startedAt: number;
  /** This agent's clock, for the duration reported if it is interrupted. */
  localStartedAt?: number;
}

export interface JournalState {
  version: 1;
  inFlight: InFlightEntry | null;
  results: ActionResultMessage[];
  acked: string[];
}

export interface JournalStore {
  /** Where it lives, for messages; null in memory. */
  readonly path: string | null;
  read(): JournalState | null;
  /** Durable when this returns (or throws). */
  write(state: JournalState): void;
}

const empty = (): JournalState => ({ version: 1, inFlight: null, results: [], acked: [] });

/** Kept in memory only: an agent with no state directory (the console's own local agent). */
export class MemoryJournalStore implements JournalStore {
  readonly path = null;
  private state: JournalState | null = null;
  read(): JournalState | null {
    return this.state && structuredClone(this.state);
  }
  write(state: JournalState): void {
    this.state = structuredClone(state);
  }
}

/** A JSON file written whole: temp file, fsync, rename, fsync of the directory. */
export class FileJournalStore implements JournalStore {
  readonly path: string;

  constructor(
    stateDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.path = join(stateDir, JOURNAL_FILE);
  }

  read(): JournalState | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const state = parseJournal(text);
    if (state) return state;
    // Unreadable (torn by hand, disk fault): set aside for a person, start afresh, say so.
    const aside = `${this.path}.damaged`;
    renameSync(this.path, aside);
    this.log(`action journal ${this.path} is unreadable; moved to ${aside} and started empty`);
    return null;
  }

  write(state: JournalState): void {
    writeFileDurablySync(this.path, `${JSON.stringify(state, null, 1)}\n`);
  }
}

export function parseJournal(text: string): JournalState | null {
  try {
    const v = JSON.parse(text) as Partial<JournalState>;
    if (v.version !== 1 || !Array.isArray(v.results) || !Array.isArray(v.acked)) return null;
    const f = v.inFlight;
    if (f !== null && (typeof f !== 'object' || typeof f?.id !== 'string')) return null;
    return {
      version: 1,
      inFlight: f ?? null,
      results: v.results.filter((r) => typeof r?.id === 'string'),
      acked: v.acked.filter((a) => typeof a === 'string'),
    };
  } catch {
    return null;
  }
}

export class ActionJournal {
  private state: JournalState;

  constructor(
    private readonly store: JournalStore,
    warn: (line: string) => void = () => {},
  ) {
    let loaded: JournalState | null = null;
    try {
      loaded = store.read();
    } catch (err) {
      // Unreadable here means unwritable too: every action will be refused (not started) until
      // it is fixed, so nothing runs without a journal.
      warn(
        `action journal ${store.path}: ${(err as Error).message}; no action can run until it is fixed`,
      );
    }
    this.state = loaded ?? empty();
  }

  get path(): string | null {
    return this.store.path;
  }

  /** The action a previous process had in flight when it stopped, if any. */
  get inFlight(): InFlightEntry | null {
    return this.state.inFlight;
  }

  get results(): readonly ActionResultMessage[] {
    return this.state.results;
  }

  result(id: string): ActionResultMessage | undefined {
    return this.state.results.find((r) => r.id === id);
  }

  wasAcked(id: string): boolean {
    return this.state.acked.includes(id);
  }

  /** Before spawning: throws if it cannot be made durable (then nothing may run). */
  begin(entry: InFlightEntry): void {
    const next = { ...this.state, inFlight: entry };
    this.store.write(next);
    this.state = next;
  }

  /**
   * A result to keep until acked; it ends the in-flight entry when it is that action's.
   * Returns how many of the oldest unacked results had to go to stay within the bound.
   */
  finish(result: ActionResultMessage): number {
    const inFlight = this.state.inFlight?.id === result.id ? null : this.state.inFlight;
    const results = [...this.state.results.filter((r) => r.id !== result.id), result];
    const dropped = Math.max(0, results.length - MAX_JOURNAL_RESULTS);
    this.commit({ ...this.state, inFlight, results: results.slice(dropped) });
    return dropped;
  }

  /** The console recorded the result: forget it, remember the id. False if it was not held. */
  ack(id: string): boolean {
    const held = this.state.results.some((r) => r.id === id);
    if (!held) return false;
    this.commit({
      ...this.state,
      results: this.state.results.filter((r) => r.id !== id),
      acked: [...this.state.acked.filter((a) => a !== id), id].slice(-MAX_ACKED_IDS),
    });
    return true;
  }

  /**
   * Results and acks take effect in memory even when the write fails (disk full): the result
   * is still sent and resent while this process lives. The write's error is thrown for the
   * caller to report.
   */
  private commit(next: JournalState): void {
    this.state = next;
    this.store.write(next);
  }
}

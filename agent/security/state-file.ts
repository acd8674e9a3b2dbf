// A collector's baseline in the agent's state dir: one JSON file written whole (temp file,
// fsync, rename, fsync of the directory), so a crash mid-write leaves the old baseline, never
// a torn one. A file that does not parse is set aside and the collector starts a new baseline.
import { readFileSync, renameSync } from 'node:fs';
import { writeFileDurablySync } from '../durable-write.js';

export class StateFile<T> {
  constructor(
    readonly path: string,
    /** The value if the text is a valid state, else null. */
    private readonly parse: (value: unknown) => T | null,
    private readonly warn: (line: string) => void,
  ) {}

  /** The stored state; null when there is none yet (or it was unreadable and set aside). */
  read(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.warn(`cannot read ${this.path}: ${(err as Error).message}; starting a new baseline`);
      return null;
    }
    let state: T | null;
    try {
      state = this.parse(JSON.parse(text));
    } catch {
      state = null;
    }
    if (state) return state;
    const aside = `${this.path}.damaged`;
    try {
      renameSync(this.path, aside);
    } catch {
      // Reported below either way.
    }
    this.warn(`${this.path} is unreadable; moved to ${aside}, starting a new baseline`);
    return null;
  }

  write(state: T): void {
    writeFileDurablySync(this.path, `${JSON.stringify(state)}\n`);
  }
}

import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

export interface Recovery {
  /** Why the main file could not be used. */
  problem: string;
  /** What was loaded instead. */
  loaded: 'backup' | 'nothing';
  /** Where the unusable file was moved, kept for inspection. */
  preservedAs: string | null;
}

/**
 * A lowdb adapter that survives crashes and bad disks: write a temp file, fsync it, keep
 * the current file as `.bak`, rename the temp file into place, fsync the directory. On
 * read, a missing, empty, unparsable or invalid file falls back to the `.bak` copy and
 * the bad file is moved aside, never overwritten.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  recovery: Recovery | null = null;
  readonly backupPath: string;
  private readonly tempPath: string;

  constructor(
    readonly path: string,
    private readonly parse: (raw: unknown) => T,
    private readonly stamp: () => number,
  ) {
    this.backupPath = `${path}.bak`;
    this.tempPath = `${path}.tmp`;
  }

  async read(): Promise<T | null> {
    this.recovery = null;
    // A write cut short (a crash, a full disk) leaves its temp file: it is never the good copy.
    await rm(this.tempPath, { force: true });
    const main = await this.tryRead(this.path);
    if (main.ok) return main.value;
    if (main.missing) {
      // A crash between the two renames leaves only the backup: it is the newest good copy.
      const backup = await this.tryRead(this.backupPath);
      return backup.ok ? backup.value : null;
    }
    const preservedAs = `${this.path}.corrupt-${this.stamp()}`;
    await rename(this.path, preservedAs);
    const backup = await this.tryRead(this.backupPath);
    this.recovery = {
      problem: main.problem,
      loaded: backup.ok ? 'backup' : 'nothing',
      preservedAs,
    };
    return backup.ok ? backup.value : null;
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    try {
      const handle = await open(this.tempPath, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      // A full disk must not be left fuller by a half-written copy.
      await rm(this.tempPath, { force: true }).catch(() => {});
      throw err;
    }
    if (await exists(this.path)) await rename(this.path, this.backupPath);
    await rename(this.tempPath, this.path);
    await syncDir(dirname(this.path));
  }

  private async tryRead(
    path: string,
  ): Promise<{ ok: true; value: T } | { ok: false; missing: boolean; problem: string }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: false, missing: true, problem: 'missing' };
      return { ok: false, missing: false, problem: `unreadable: ${(err as Error).message}` };
    }
    if (text.trim() === '') return { ok: false, missing: false, problem: 'empty file' };
    try {
      return { ok: true, value: this.parse(JSON.parse(text)) };
    } catch (err) {
      return { ok: false, missing: false, problem: (err as Error).message };
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file itself is already synced.
  } finally {
    await handle.close();
  }
}

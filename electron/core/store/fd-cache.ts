import { closeSync, openSync } from 'node:fs';

/**
 * A bounded set of open read descriptors for block files, least recently used closed first.
 * A store keeps a hundred or more block files; holding one descriptor each would eat into
 * what the connection limits leave for the API and the data files (net/limits.ts). One cache
 * per thread (the ingest thread, the storage worker).
 */
export class FdCache {
  private readonly open = new Map<string, number>();

  constructor(readonly capacity: number) {}

  /** A descriptor for `path`, opened if needed (throws as openSync does). */
  get(path: string): number {
    const fd = this.open.get(path);
    if (fd !== undefined) {
      // Most recently used last.
      this.open.delete(path);
      this.open.set(path, fd);
      return fd;
    }
    const fresh = openSync(path, 'r');
    this.open.set(path, fresh);
    while (this.open.size > this.capacity) {
      const [oldPath, oldFd] = this.open.entries().next().value as [string, number];
      this.open.delete(oldPath);
      closeSync(oldFd);
    }
    return fresh;
  }

  release(path: string): void {
    const fd = this.open.get(path);
    if (fd === undefined) return;
    this.open.delete(path);
    closeSync(fd);
  }

  get size(): number {
    return this.open.size;
  }
}

/** This thread's cache: at most 24 block files open at once. */
export const blockFds = new FdCache(24);

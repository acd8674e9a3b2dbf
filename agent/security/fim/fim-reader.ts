// What is at a watched path now: a file (its SHA-256 and size), a directory (its entries),
// nothing, or something the agent cannot read (and why). The monitor takes this as a
// dependency so a test can make one path unreadable even when it runs as root.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';

export type PathState =
  | { kind: 'file'; sha256: string; size: number }
  | { kind: 'dir'; entries: string[] }
  | { kind: 'absent' }
  | { kind: 'unreadable'; reason: string };

export interface FimReader {
  inspect(path: string): Promise<PathState>;
}

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

function failure(err: unknown): PathState {
  const e = err as NodeJS.ErrnoException;
  if (e.code !== undefined && ABSENT.has(e.code)) return { kind: 'absent' };
  return { kind: 'unreadable', reason: e.code ?? e.message };
}

async function sha256Of(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The real file system. Special files (sockets, FIFOs, devices) are not read: unreadable. */
export const fsReader: FimReader = {
  async inspect(path) {
    try {
      const s = await stat(path);
      if (s.isDirectory()) return { kind: 'dir', entries: (await readdir(path)).sort() };
      if (!s.isFile()) return { kind: 'unreadable', reason: 'not a regular file' };
      return { kind: 'file', ...(await sha256Of(path)) };
    } catch (err) {
      return failure(err);
    }
  },
};

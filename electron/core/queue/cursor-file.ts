// A reader's place in a segment queue (e.g. `<data-dir>/remote-write/<dest-id>.pos`),
// rewritten in place and fsynced after every acked window. A file that cannot be read puts the
// destination back at the queue's oldest segment: resending is safe (receivers take
// duplicates), skipping is not.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { QueuePosition } from './segment-index.js';

const WIDTH = 64;

export class CursorFile {
  private fh: FileHandle | null = null;

  constructor(readonly path: string) {}

  async load(): Promise<QueuePosition | null> {
    try {
      const raw = JSON.parse((await readFile(this.path, 'utf8')).trim()) as unknown;
      const { segment, offset } = raw as Record<string, unknown>;
      if (Number.isSafeInteger(segment) && Number.isSafeInteger(offset))
        return { segment: segment as number, offset: offset as number };
    } catch {
      // missing or damaged: the caller starts from the oldest segment
    }
    return null;
  }

  async save(pos: QueuePosition): Promise<void> {
    // Opened without truncating: a crash before the first write leaves the old position.
    this.fh ??= await open(this.path, 'r+').catch(() => open(this.path, 'w', 0o600));
    const text = JSON.stringify({ segment: pos.segment, offset: pos.offset }).padEnd(WIDTH - 1);
    await this.fh.write(`${text}\n`, 0, 'utf8');
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
  }
}

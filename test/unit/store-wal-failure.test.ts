// A write that fails half-way (disk full, file-size limit) must not cost the batches after it.
// The failing disk is simulated by swapping the open segment's file handle for one whose
// append writes a torn half-line and then throws, as a short write on ENOSPC does.
import { mkdtemp, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import { listSegments, replay, WriteAheadLog } from '../../electron/core/store/wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-walfail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Make the current segment's next append write half its text, then fail with ENOSPC. */
function failNextWrite(wal: WriteAheadLog): void {
  const segment = (wal as unknown as { current: { handle: Promise<FileHandle> } }).current;
  const real = segment.handle;
  segment.handle = real.then((handle) => {
    const torn = Object.create(handle) as FileHandle;
    torn.appendFile = async (data) => {
      const text = String(data);
      await handle.appendFile(text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    return torn;
  });
}

describe('WriteAheadLog after a failed write', () => {
  it('rejects the failed group, retires the torn segment, and keeps later lines replayable', async () => {
    const wal = new WriteAheadLog(dir, systemClock, 5);
    await wal.open();
    await wal.append('before');
    const first = wal.segmentNumber;
    failNextWrite(wal);
    await expect(wal.append('lost')).rejects.toThrow('ENOSPC');
    // The next line must not be glued to the torn bytes: it goes to a new segment.
    expect(wal.segmentNumber).toBe(first + 1);
    await wal.append('after');
    await wal.close();
    expect(await listSegments(dir)).toEqual([first, first + 1]);

    const payloads: string[] = [];
    const result = await replay(dir, 0, (buf, start, end) =>
      payloads.push(buf.toString('utf8', start, end)),
    );
    expect(payloads).toEqual(['before', 'after']);
    expect(result.corrupt).toBe(1); // the torn half-line, counted
  });
});

// A write that fails half-way (disk full, file-size limit) must not cost the batches after it,
// nor leave a trail of segments behind. The failing disk is simulated here (a fault injector,
// not a real disk: test/integration/disk-full.test.ts fills a real tmpfs) by swapping the open
// segment's file handle for one whose append writes a torn half-line and then throws, as a
// short write on ENOSPC does.
import { mkdtemp, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import {
  listSegments,
  replay,
  WriteAheadLog,
  type WalObserver,
} from '../../electron/core/store/wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-walfail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Faults {
  /** Appends that write half their text, then throw ENOSPC. */
  failWrites: number;
  /** Truncates that throw too. */
  failTruncates: number;
}

/** Make the current segment's next `faults.failWrites` appends tear and fail. */
function injectFaults(wal: WriteAheadLog, faults: Faults): void {
  const segment = (wal as unknown as { current: { handle: Promise<FileHandle> } }).current;
  const real = segment.handle;
  segment.handle = real.then((handle) => {
    const faulty = Object.create(handle) as FileHandle;
    faulty.appendFile = async (data) => {
      if (faults.failWrites <= 0) return handle.appendFile(data);
      faults.failWrites--;
      const text = String(data);
      await handle.appendFile(text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    faulty.truncate = async (len) => {
      if (faults.failTruncates <= 0) return handle.truncate(len);
      faults.failTruncates--;
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    };
    return faulty;
  });
}

function recordingObserver() {
  const seen: string[] = [];
  const observer: WalObserver = {
    writeFailed: (err) => seen.push(`failed:${(err as NodeJS.ErrnoException).code}`),
    writeSucceeded: () => seen.push('ok'),
  };
  return { seen, observer };
}

async function replayed(): Promise<{ payloads: string[]; corrupt: number; torn: number }> {
  const payloads: string[] = [];
  const result = await replay(dir, 0, (buf, start, end) =>
    payloads.push(buf.toString('utf8', start, end)),
  );
  return { payloads, corrupt: result.corrupt, torn: result.torn };
}

describe('WriteAheadLog after a failed write', () => {
  it('rejects the failed group, cuts the torn bytes off, and keeps using the same segment', async () => {
    const { seen, observer } = recordingObserver();
    const wal = new WriteAheadLog(dir, systemClock, 5, observer);
    await wal.open();
    await wal.append('before');
    const first = wal.segmentNumber;
    injectFaults(wal, { failWrites: 1, failTruncates: 0 });
    await expect(wal.append('lost')).rejects.toThrow('ENOSPC');
    expect(wal.segmentNumber).toBe(first);
    await wal.append('after');
    expect(wal.queuedBytes).toBe(0);
    expect(wal.writeFailures).toBe(1);
    await wal.close();
    expect(await listSegments(dir)).toEqual([first]);
    expect(seen).toEqual(['ok', 'failed:ENOSPC', 'ok']);
    // Nothing torn is left for replay to skip: the file holds whole lines only.
    expect(await replayed()).toEqual({ payloads: ['before', 'after'], corrupt: 0, torn: 0 });
  });

  it('does not open a segment per failure while the disk stays full', async () => {
    const wal = new WriteAheadLog(dir, systemClock, 5);
    await wal.open();
    await wal.append('before');
    injectFaults(wal, { failWrites: 50, failTruncates: 0 });
    for (let i = 0; i < 50; i++) await expect(wal.append(`lost ${i}`)).rejects.toThrow('ENOSPC');
    await wal.append('after');
    await wal.close();
    expect(await listSegments(dir)).toHaveLength(1);
    expect(await replayed()).toEqual({ payloads: ['before', 'after'], corrupt: 0, torn: 0 });
  });

  it('retires a segment it cannot cut back, once, and later lines stay replayable', async () => {
    const wal = new WriteAheadLog(dir, systemClock, 5);
    await wal.open();
    await wal.append('before');
    const first = wal.segmentNumber;
    injectFaults(wal, { failWrites: 1, failTruncates: 1 });
    await expect(wal.append('lost')).rejects.toThrow('ENOSPC');
    await wal.append('after 1');
    await wal.append('after 2');
    await wal.close();
    expect(await listSegments(dir)).toEqual([first, first + 1]);
    // The torn half-line stays at the end of the retired segment: skipped, counted as torn.
    expect(await replayed()).toEqual({
      payloads: ['before', 'after 1', 'after 2'],
      corrupt: 0,
      torn: 1,
    });
  });
});

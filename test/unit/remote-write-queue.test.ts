// The remote-write forward queue and cursor file on real files in a temp dir: what a crash can
// leave behind (a torn last line, a damaged cursor) costs resends at worst, never a gap.
import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/logger.js';
import { CursorFile } from '../../electron/core/queue/cursor-file.js';
import { samplesAfter } from '../../electron/core/queue/segment-index.js';
import { ForwardQueue } from '../../electron/core/interop/remote-write-out/queue.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-rwq-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (i: number) => [{ labels: ['__name__', 'cpu'], ts: [i, i + 1], values: [i, NaN] }];

describe('forward queue', () => {
  it('after a crash mid-write: the torn line is left out, every whole line is read, new lines go to a new segment', async () => {
    const q = new ForwardQueue(join(dir, 'q'), silentLogger);
    await q.open();
    await Promise.all([q.append(line(1)), q.append(line(3))]);
    await q.append(line(5));
    await q.close();
    const [segment] = await readdir(join(dir, 'q'));
    await appendFile(join(dir, 'q', segment!), '2 7 [[["__name__","cpu"],[7,8],[7');

    const again = new ForwardQueue(join(dir, 'q'), silentLogger);
    await again.open();
    expect(samplesAfter(again.segments, again.oldest)).toBe(6);
    await again.append(line(9));
    const read = await again.read(again.oldest, 6);
    expect(read!.damaged).toBe(0);
    expect(read!.lines.flatMap((l) => l.item.flatMap((s) => s.ts))).toEqual([1, 2, 3, 4, 5, 6]);
    // NaN (a stale marker) survives the JSON line as NaN.
    expect(read!.lines[0]!.item[0]!.values).toEqual([1, NaN]);
    const rest = await again.read(read!.next, 100);
    expect(rest!.lines.flatMap((l) => l.item.flatMap((s) => s.ts))).toEqual([9, 10]);
    expect(await again.read(rest!.next, 100)).toBeNull();
    // Once the cursor is past the old segment, it goes.
    await again.release([rest!.next]);
    expect((await readdir(join(dir, 'q'))).length).toBe(1);
    await again.close();
  });

  it('a cursor file that cannot be read is no position (the sender starts from the oldest segment)', async () => {
    const cursor = new CursorFile(join(dir, 'd.pos'));
    expect(await cursor.load()).toBeNull();
    await cursor.save({ segment: 3, offset: 1234 });
    await cursor.save({ segment: 4, offset: 5 });
    await cursor.close();
    expect(await new CursorFile(join(dir, 'd.pos')).load()).toEqual({ segment: 4, offset: 5 });
    await writeFile(join(dir, 'd.pos'), '{"segment":4,"off');
    expect(await new CursorFile(join(dir, 'd.pos')).load()).toBeNull();
  });
});

import { appendFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTail } from '../../agent/security/auth-file-tail.js';
import { LineSplitter } from '../../agent/security/line-splitter.js';
import { BoundedQueue } from '../../agent/security/bounded-queue.js';
import { ManualClock, systemClock } from '../../shared/clock.js';
import { waitFor } from '../helpers/core.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-authtail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tailer on a ManualClock: the test calls poll() itself, so nothing depends on timing. */
function tailer(path: string, maxLineBytes?: number) {
  const lines: string[] = [];
  const notices: string[] = [];
  const tail = new FileTail({
    path,
    clock: new ManualClock(),
    onLine: (l) => lines.push(l),
    onNotice: (n) => notices.push(n),
    maxLineBytes,
  });
  return { tail, lines, notices };
}

describe('auth log file tail', () => {
  it('starts at the end, reads appends, and holds a partial line until its newline', async () => {
    const path = join(dir, 'auth.log');
    await writeFile(path, 'old line 1\nold line 2\n');
    const { tail, lines } = tailer(path);
    await tail.start();
    await tail.poll();
    expect(lines).toEqual([]);
    await appendFile(path, 'new 1\nnew 2\npart');
    await tail.poll();
    expect(lines).toEqual(['new 1', 'new 2']);
    await appendFile(path, 'ial\r\n');
    await tail.poll();
    expect(lines).toEqual(['new 1', 'new 2', 'partial']);
    await tail.stop();
  });

  it('follows rotation: the old file is read to its end, then the new one from its start', async () => {
    const path = join(dir, 'auth.log');
    await writeFile(path, 'history\n');
    const { tail, lines, notices } = tailer(path);
    await tail.start();
    await appendFile(path, 'before rotate\n');
    // logrotate renames; the daemon writes one more line to the old inode before reopening.
    await rename(path, `${path}.1`);
    await appendFile(`${path}.1`, 'late to old file\n');
    await tail.poll();
    expect(lines).toEqual(['before rotate', 'late to old file']);
    expect(notices).toContain(`${path} is missing; waiting for it`);
    await writeFile(path, 'first in new file\n');
    await tail.poll();
    await appendFile(path, 'second in new file\n');
    await tail.poll();
    expect(lines).toEqual([
      'before rotate',
      'late to old file',
      'first in new file',
      'second in new file',
    ]);
    expect(tail.rotations).toBe(1);
    await tail.stop();
  });

  it('rotation with the new file already in place is seen in one poll', async () => {
    const path = join(dir, 'secure');
    await writeFile(path, '');
    const { tail, lines } = tailer(path);
    await tail.start();
    await appendFile(path, 'a\n');
    await rename(path, `${path}-20261130`);
    await writeFile(path, 'b\n');
    await tail.poll();
    expect(lines).toEqual(['a', 'b']);
    await tail.stop();
  });

  it('follows truncation (copytruncate): reads the file again from its start', async () => {
    const path = join(dir, 'auth.log');
    await writeFile(path, 'x'.repeat(100) + '\n');
    const { tail, lines, notices } = tailer(path);
    await tail.start();
    await truncate(path, 0);
    await appendFile(path, 'after truncate\n');
    await tail.poll();
    expect(lines).toEqual(['after truncate']);
    expect(tail.truncations).toBe(1);
    expect(notices).toContain(`${path} was truncated; reading from its start`);
    await tail.stop();
  });

  it('a line longer than the limit is skipped and counted; the next line is whole', async () => {
    const path = join(dir, 'auth.log');
    await writeFile(path, '');
    const { tail, lines } = tailer(path, 64);
    await tail.start();
    await appendFile(path, 'y'.repeat(50));
    await tail.poll();
    await appendFile(path, 'y'.repeat(50) + '\nshort\n');
    await tail.poll();
    expect(lines).toEqual(['short']);
    expect(tail.linesTooLong).toBe(1);
    await tail.stop();
  });

  it('polls on its clock by itself (real clock; the test waits with a deadline), and stops', async () => {
    const path = join(dir, 'auth.log');
    await writeFile(path, '');
    const lines: string[] = [];
    const tail = new FileTail({
      path,
      clock: systemClock,
      pollMs: 20,
      onLine: (l) => lines.push(l),
    });
    await tail.start();
    await appendFile(path, 'one\n');
    await waitFor(() => lines.includes('one'), undefined, 'the appended line');
    await rename(path, `${path}.1`);
    await writeFile(path, 'two\n');
    await waitFor(() => lines.includes('two'), undefined, 'the first line of the rotated-in file');
    await tail.stop();
    await appendFile(path, 'three\n');
    await tail.poll();
    expect(lines).toEqual(['one', 'two']);
  });
});

describe('line splitter and bounded queue', () => {
  it('splits across chunks without breaking a multibyte character', () => {
    const s = new LineSplitter(1024);
    const bytes = Buffer.from('héllo\nwörld\n');
    expect(s.push(bytes.subarray(0, 2))).toEqual([]);
    expect(s.push(bytes.subarray(2, 9))).toEqual(['héllo']);
    expect(s.push(bytes.subarray(9))).toEqual(['wörld']);
  });

  it('drops and counts what does not fit; take is oldest first', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 0; i < 5; i++) q.push(i);
    expect(q.dropped).toBe(2);
    expect(q.take(2)).toEqual([0, 1]);
    expect(q.push(9)).toBe(true);
    expect(q.take(10)).toEqual([2, 9]);
    expect(q.size).toBe(0);
  });
});

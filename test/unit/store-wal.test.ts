import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../shared/clock.js';
import {
  decodeLine,
  encodeLine,
  listSegments,
  replay,
  WriteAheadLog,
} from '../../electron/core/store/wal.js';

let dir: string;
const logs: WriteAheadLog[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-wal-'));
});
afterEach(async () => {
  for (const wal of logs.splice(0)) await wal.close();
  await rm(dir, { recursive: true, force: true });
});

const seg = (n: number) => join(dir, `wal-${String(n).padStart(8, '0')}.ndjson`);

async function openWal(clock = systemClock, flushMs = 5): Promise<WriteAheadLog> {
  const wal = new WriteAheadLog(dir, clock, flushMs);
  await wal.open();
  logs.push(wal);
  return wal;
}

async function replayAll(after = 0) {
  const payloads: string[] = [];
  const result = await replay(dir, after, (buf, start, end) =>
    payloads.push(buf.toString('utf8', start, end)),
  );
  return { payloads, result };
}

/** Let pending I/O callbacks and microtasks run. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

describe('encodeLine / decodeLine', () => {
  it('prefixes the CRC-32 in 8 hex digits and ends with a newline', () => {
    // Standard CRC-32 check values.
    expect(encodeLine('123456789')).toBe('cbf43926 123456789\n');
    expect(encodeLine('hello')).toBe('3610a686 hello\n');
    // Leading zeros are kept.
    expect(encodeLine('a').slice(0, 8)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('round-trips payloads (a line as read, without its newline)', () => {
    for (const p of ['a1\t{"samples":[]}', 'ünïcødé ✓ 日本', ' ', 'x'.repeat(10_000)]) {
      const line = encodeLine(p);
      expect(line.endsWith('\n')).toBe(true);
      expect(decodeLine(line.slice(0, -1))).toBe(p);
    }
  });

  it('gives null on a checksum mismatch or a malformed line', () => {
    const line = encodeLine('{"v":1}').slice(0, -1);
    expect(decodeLine(line.replace('1', '2'))).toBeNull();
    expect(
      decodeLine(`${line.slice(0, 7)}${line[7] === '0' ? '1' : '0'}${line.slice(8)}`),
    ).toBeNull();
    expect(decodeLine(line.slice(0, -1))).toBeNull(); // torn
    expect(decodeLine(`${line}garbage`)).toBeNull();
    expect(decodeLine('abc')).toBeNull();
    expect(decodeLine('')).toBeNull();
    expect(decodeLine(line.replace(' ', '_'))).toBeNull();
  });
});

describe('WriteAheadLog', () => {
  it('opens segment 1 in an empty directory and after the newest one otherwise', async () => {
    const wal = await openWal();
    expect(wal.segmentNumber).toBe(1);
    await wal.close();
    await writeFile(seg(7), '');
    await writeFile(join(dir, 'notes.txt'), '');
    const next = await openWal();
    expect(next.segmentNumber).toBe(8);
    expect(await listSegments(dir)).toEqual([1, 7, 8]);
  });

  it('append resolves once its group is written and synced (real timers)', async () => {
    const wal = await openWal(systemClock, 5);
    const done: string[] = [];
    const p1 = wal.append('one').then(() => done.push('one'));
    const p2 = wal.append('two').then(() => done.push('two'));
    await Promise.resolve();
    expect(done).toEqual([]);
    expect(wal.linesWritten).toBe(0);
    await Promise.all([p1, p2]);
    expect(done).toEqual(['one', 'two']);
    expect(wal.linesWritten).toBe(2);
    const expected = encodeLine('one') + encodeLine('two');
    expect(wal.bytesWritten).toBe(Buffer.byteLength(expected));
    expect(await readFile(seg(1), 'utf8')).toBe(expected);
  });

  it('writes nothing before the group-commit timer fires (manual clock)', async () => {
    const clock = new ManualClock();
    const wal = await openWal(clock, 200);
    let resolved = false;
    const p = wal.append('payload').then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    expect(await readFile(seg(1), 'utf8')).toBe('');
    clock.advance(199);
    await settle();
    expect(resolved).toBe(false);
    clock.advance(1);
    await p;
    expect(resolved).toBe(true);
    expect(await readFile(seg(1), 'utf8')).toBe(encodeLine('payload'));
  });

  it('writes at once when 4 MiB is waiting, without the timer', async () => {
    const clock = new ManualClock();
    const wal = await openWal(clock, 10_000);
    const big = 'x'.repeat(4 * 1024 * 1024);
    await wal.append(big);
    expect(wal.linesWritten).toBe(1);
    expect((await readFile(seg(1), 'utf8')).length).toBe(big.length + 10);
  });

  it('close writes what is pending; append after close is refused', async () => {
    const clock = new ManualClock();
    const wal = await openWal(clock, 10_000);
    const p = wal.append('late');
    await wal.close();
    await p;
    expect(await readFile(seg(1), 'utf8')).toBe(encodeLine('late'));
    await expect(wal.append('after')).rejects.toThrow('WAL is not open');
  });

  it('rotate starts a new segment at once and resolves with the old number once it is on disk', async () => {
    const wal = await openWal();
    const a = wal.append('a');
    const b = wal.append('b');
    const rotated = wal.rotate();
    expect(wal.segmentNumber).toBe(2);
    const c = wal.append('c');
    expect(await rotated).toBe(1);
    await Promise.all([a, b, c]);
    expect(await readFile(seg(1), 'utf8')).toBe(encodeLine('a') + encodeLine('b'));
    expect(await readFile(seg(2), 'utf8')).toBe(encodeLine('c'));
    expect(await wal.rotate()).toBe(2);
    expect(wal.segmentNumber).toBe(3);
    expect(await listSegments(dir)).toEqual([1, 2, 3]);
  });

  it('writes a payload given as bytes exactly as the same text (checksum included)', async () => {
    const wal = await openWal();
    const text = 'B\t1,1700000000000,0.5;2,0,-3 · ünïcode';
    await wal.appendAll(['S\t1\ta\t["m",{}]', Buffer.from(text), text]);
    const expected = encodeLine('S\t1\ta\t["m",{}]') + encodeLine(text) + encodeLine(text);
    expect(await readFile(seg(1), 'utf8')).toBe(expected);
    expect(wal.bytesWritten).toBe(Buffer.byteLength(expected));
    expect(wal.queuedBytes).toBe(0);
    await wal.close();
    expect((await replayAll()).payloads).toEqual(['S\t1\ta\t["m",{}]', text, text]);
  });

  it('replay feeds the lines of the segments after N, in order', async () => {
    const wal = await openWal();
    void wal.append('a');
    void wal.append('b');
    await wal.rotate();
    void wal.append('c');
    await wal.rotate();
    await wal.append('d');
    await wal.close();
    expect(await replayAll(0)).toEqual({
      payloads: ['a', 'b', 'c', 'd'],
      result: { lines: 4, corrupt: 0, torn: 0, segments: 3 },
    });
    expect(await replayAll(1)).toEqual({
      payloads: ['c', 'd'],
      result: { lines: 2, corrupt: 0, torn: 0, segments: 2 },
    });
    expect(await replayAll(3)).toEqual({
      payloads: [],
      result: { lines: 0, corrupt: 0, torn: 0, segments: 0 },
    });
  });

  it('replay skips and counts a torn last line', async () => {
    const wal = await openWal();
    void wal.append('{"n":1}');
    await wal.append('{"n":2}');
    await wal.close();
    // A write cut short: the start of a line with no newline.
    await appendFile(seg(1), encodeLine('{"n":3,"samples":[1,2,3]}').slice(0, 20));
    expect(await replayAll()).toEqual({
      payloads: ['{"n":1}', '{"n":2}'],
      result: { lines: 2, corrupt: 0, torn: 1, segments: 1 },
    });
  });

  it('replay counts a line with a bad checksum as corrupt and garbage at the tail as torn', async () => {
    const good = [encodeLine('p1'), encodeLine('p2'), encodeLine('p3')];
    const bad = `00000000 p-bad\n`;
    await writeFile(seg(1), good[0]! + bad + good[1]!);
    await writeFile(seg(2), good[2]! + '\u0000\u0000garbage\u00ff');
    expect(await replayAll()).toEqual({
      payloads: ['p1', 'p2', 'p3'],
      result: { lines: 3, corrupt: 1, torn: 1, segments: 2 },
    });
  });

  it('replay counts a good line that its consumer cannot apply as corrupt and goes on', async () => {
    await writeFile(seg(1), encodeLine('ok1') + encodeLine('boom') + encodeLine('ok2'));
    const seen: string[] = [];
    const result = await replay(dir, 0, (buf, start, end) => {
      const p = buf.toString('utf8', start, end);
      if (p === 'boom') throw new Error('bad payload');
      seen.push(p);
    });
    expect(seen).toEqual(['ok1', 'ok2']);
    expect(result).toEqual({ lines: 2, corrupt: 1, torn: 0, segments: 1 });
  });

  it('replay counts a complete line that lost its newline as torn', async () => {
    await writeFile(seg(1), encodeLine('ok1') + encodeLine('ok2').slice(0, -1));
    expect(await replayAll()).toEqual({
      payloads: ['ok1'],
      result: { lines: 1, corrupt: 0, torn: 1, segments: 1 },
    });
  });

  it('replay reads lines longer than its read buffer and multi-byte text across reads', async () => {
    const long = `${'é'.repeat(5 * 1024 * 1024)}✓`;
    await writeFile(seg(1), encodeLine('a') + encodeLine(long) + encodeLine('b'));
    const { payloads, result } = await replayAll();
    expect(result).toEqual({ lines: 3, corrupt: 0, torn: 0, segments: 1 });
    expect(payloads.map((p) => p.length)).toEqual([1, long.length, 1]);
    expect(payloads[1] === long).toBe(true);
  });

  it('replay ignores blank lines and an empty directory', async () => {
    expect(await replay(join(dir, 'missing'), 0, () => {})).toEqual({
      lines: 0,
      corrupt: 0,
      torn: 0,
      segments: 0,
    });
    await writeFile(seg(1), `\n${encodeLine('p')}\n\n`);
    expect((await replayAll()).result).toEqual({ lines: 1, corrupt: 0, torn: 0, segments: 1 });
  });

  it('dropThrough deletes every segment up to and including N', async () => {
    const wal = await openWal();
    await wal.append('a');
    await wal.rotate();
    await wal.append('b');
    await wal.rotate();
    await wal.append('c');
    expect(await listSegments(dir)).toEqual([1, 2, 3]);
    await wal.dropThrough(2);
    expect(await listSegments(dir)).toEqual([3]);
    expect((await readdir(dir)).sort()).toEqual(['wal-00000003.ndjson']);
    // Appending goes on in the current segment.
    await wal.append('d');
    expect((await replayAll()).payloads).toEqual(['c', 'd']);
  });
});

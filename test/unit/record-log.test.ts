// The durable keyed-record log, against real files in a temp dir: replay, group commit,
// torn and corrupt lines, compaction (and a compaction cut short), a failing disk.
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import { encodeLine } from '../../electron/core/checked-line.js';
import { RecordLog, type RecordLogOptions } from '../../electron/core/state/record-log.js';

interface Rec {
  n: number;
}

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-recordlog-'));
  path = join(dir, 'records.ndjson');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parseRec = (v: unknown): Rec | null =>
  typeof v === 'object' && v !== null && typeof (v as Rec).n === 'number'
    ? { n: (v as Rec).n }
    : null;

function makeLog(opts: Partial<RecordLogOptions<Rec>> = {}) {
  const writes: { kind: string; lines: number; bytes: number }[] = [];
  const log = new RecordLog<Rec>({
    path,
    clock: systemClock,
    parse: parseRec,
    flushMs: 2,
    onWrite: (w) => writes.push(w),
    ...opts,
  });
  return { log, writes };
}

async function reopen(opts: Partial<RecordLogOptions<Rec>> = {}) {
  const { log, writes } = makeLog(opts);
  const replayed = await log.open();
  return { log, writes, ...replayed };
}

const asObject = (m: Map<string, Rec>) => Object.fromEntries([...m].map(([k, v]) => [k, v.n]));

describe('RecordLog', () => {
  it('replays upserts and deletes: the newest value of each live key', async () => {
    const { log } = await reopen();
    await log.upsert('a', { n: 1 });
    await log.upsert('b', { n: 2 });
    await log.upsert('a', { n: 3 });
    await log.upsert('c', { n: 4 });
    await log.delete('b');
    await log.close();

    const again = await reopen();
    expect(asObject(again.records)).toEqual({ a: 3, c: 4 });
    expect(again.stats).toMatchObject({ lines: 5, records: 2, corrupt: 0, invalid: 0 });
    expect(again.log.get('a')).toEqual({ n: 3 });
    expect(again.log.has('b')).toBe(false);
    await again.log.close();
  });

  it('an append resolves only once its line is in the file (no close needed)', async () => {
    const { log } = await reopen();
    await log.upsert('k', { n: 7 });
    // Another reader sees it at once: the line was written, not buffered in this process.
    expect(await readFile(path, 'utf8')).toBe(encodeLine('["p","k",{"n":7}]'));
    const other = await reopen();
    expect(asObject(other.records)).toEqual({ k: 7 });
    await other.log.close();
    await log.close();
  });

  it('appends made together share one write (group commit)', async () => {
    const { log, writes } = await reopen({ flushMs: 20 });
    await Promise.all(Array.from({ length: 200 }, (_, i) => log.upsert(`k${i}`, { n: i })));
    expect(writes).toEqual([{ kind: 'append', lines: 200, bytes: expect.any(Number) }]);
    // Appends that arrive while a write is in flight go out together right after it.
    const first = log.upsert('x', { n: 1 });
    const flushing = log.flush(); // its write starts now
    const during = Array.from({ length: 50 }, (_, i) => log.upsert(`y${i}`, { n: i }));
    await Promise.all([first, flushing, ...during]);
    expect(writes.slice(1).map((w) => w.lines)).toEqual([1, 50]);
    await log.close();
  });

  it('skips a torn last line, counts it, and later appends stay readable', async () => {
    const { log } = await reopen();
    await log.upsert('a', { n: 1 });
    await log.upsert('b', { n: 2 });
    await log.close();
    // A crash cut the last write short: half a line, no newline.
    await appendFile(path, encodeLine('["p","c",{"n":3}]').slice(0, 12));

    const second = await reopen();
    expect(asObject(second.records)).toEqual({ a: 1, b: 2 });
    expect(second.stats.corrupt).toBe(1);
    await second.log.upsert('d', { n: 4 }); // must not be glued to the torn bytes
    await second.log.close();

    const third = await reopen();
    expect(asObject(third.records)).toEqual({ a: 1, b: 2, d: 4 });
    expect(third.stats.corrupt).toBe(1);
    await third.log.close();
  });

  it('a corrupt line in the middle loses only its own update, never later ones', async () => {
    const lines = [
      encodeLine('["p","a",{"n":1}]'),
      encodeLine('["p","a",{"n":2}]'),
      encodeLine('["p","b",{"n":1}]'),
      encodeLine('["p","c",{"n":1}]'),
    ];
    // Flip a digit in line 2 (its checksum no longer matches) and break line 3's JSON.
    lines[1] = lines[1]!.replace('"n":2', '"n":9');
    lines[2] = `${lines[2]!.slice(0, 9)}${encodeLine('["p","b",').slice(9)}`;
    await writeFile(path, lines.join(''));
    const { log, records, stats } = await reopen();
    expect(asObject(records)).toEqual({ a: 1, c: 1 });
    expect(stats).toMatchObject({ lines: 4, corrupt: 2 });
    await log.close();
  });

  it('a well-formed update that fails validation is dropped; the earlier value stays', async () => {
    await writeFile(
      path,
      encodeLine('["p","a",{"n":1}]') + encodeLine('["p","a",{"n":"x"}]') + encodeLine('["q","a"]'),
    );
    const { log, records, stats } = await reopen();
    expect(asObject(records)).toEqual({ a: 1 });
    expect(stats).toMatchObject({ invalid: 1, corrupt: 1 });
    await log.close();
  });

  it('compacts once the file outgrows its live records, keeping every live record', async () => {
    const { log, writes } = await reopen({ minCompactBytes: 1024, compactRatio: 2 });
    for (let i = 0; i < 10; i++) await log.upsert(`k${i}`, { n: i });
    for (let round = 0; round < 60; round++) await log.upsert('hot', { n: round });
    await log.delete('k0');
    await log.flush();
    expect(writes.some((w) => w.kind === 'compact')).toBe(true);
    const { file, live } = log.bytes;
    expect(file).toBeLessThanOrEqual(2 * live + 200);
    expect((await stat(path)).size).toBe(file);
    await log.close();

    const again = await reopen({ minCompactBytes: 1024 });
    expect(again.records.get('hot')).toEqual({ n: 59 });
    expect(again.records.has('k0')).toBe(false);
    expect(again.records.size).toBe(10);
    expect(again.stats.lines).toBeLessThan(40); // compacted, not 71 lines
    await again.log.close();
  });

  it('ignores (and removes) the temp file of a compaction cut short by a crash', async () => {
    const { log } = await reopen();
    await log.upsert('a', { n: 1 });
    await log.upsert('b', { n: 2 });
    await log.close();
    // The crash hit while the compacted copy was half written, before its rename.
    await writeFile(`${path}.compact`, encodeLine('["p","a",{"n":1}]').slice(0, 15));

    const again = await reopen();
    expect(asObject(again.records)).toEqual({ a: 1, b: 2 });
    expect(again.stats.corrupt).toBe(0);
    expect(await readdir(dir)).toEqual(['records.ndjson']);
    await again.log.close();
  });

  it('compacts at open when the file is mostly dead lines', async () => {
    const text = Array.from({ length: 100 }, (_, i) => encodeLine(`["p","a",{"n":${i}}]`)).join('');
    await writeFile(path, text);
    const { log, writes, records } = await reopen({ minCompactBytes: 1024 });
    expect(records.get('a')).toEqual({ n: 99 });
    expect(writes).toEqual([{ kind: 'compact', lines: 1, bytes: expect.any(Number) }]);
    expect(await readFile(path, 'utf8')).toBe(encodeLine('["p","a",{"n":99}]'));
    await log.close();
  });

  it('after a failed write (torn half-line, ENOSPC) it repairs the file by a rewrite', async () => {
    const errors: string[] = [];
    const { log, writes } = await reopen({
      retryMs: 20,
      onError: (e) => errors.push(e.message),
    });
    await log.upsert('a', { n: 1 });
    tearNextAppend(log);
    await expect(log.upsert('b', { n: 2 })).rejects.toThrow('ENOSPC');
    expect(errors).toEqual(['ENOSPC: no space left on device']);
    // b is not durable yet; durable() waits for the repair, which rewrites the whole file.
    await log.durable('b');
    expect(writes.at(-1)).toMatchObject({ kind: 'compact', lines: 2 });
    await log.upsert('c', { n: 3 });
    await log.close();

    const again = await reopen();
    expect(asObject(again.records)).toEqual({ a: 1, b: 2, c: 3 });
    expect(again.stats.corrupt).toBe(0); // the torn bytes are gone with the rewrite
    await again.log.close();
  });

  it('close writes what is pending; later changes are refused', async () => {
    const { log } = await reopen({ flushMs: 10_000 });
    void log.upsert('a', { n: 1 });
    await log.close();
    await expect(log.upsert('b', { n: 2 })).rejects.toThrow('closed');
    const again = await reopen();
    expect(asObject(again.records)).toEqual({ a: 1 });
    await again.log.close();
  });
});

/** The next append writes half its text and then fails, as a short write on a full disk does. */
function tearNextAppend(log: RecordLog<Rec>): void {
  const inner = log as unknown as { handle: FileHandle };
  const real = inner.handle;
  const torn = Object.create(real) as FileHandle;
  torn.appendFile = async (data) => {
    const text = String(data);
    await real.appendFile(text.slice(0, Math.floor(text.length / 2)));
    throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };
  torn.close = () => real.close();
  inner.handle = torn;
}

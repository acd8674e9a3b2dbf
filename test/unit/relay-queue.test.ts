// A relay's queue on real files: entries of one event-loop turn share a compressed line (and
// its fsync), a line never holds more than MAX_GROUP entries, everything reads back in order
// and whole after a reopen, and a damaged line is skipped and counted, not misread.
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RelayEntry } from '../../shared/relay-protocol.js';
import { silentLogger } from '../../electron/core/logger.js';
import { samplesAfter } from '../../electron/core/queue/segment-index.js';
import { MAX_GROUP, RelayQueue } from '../../electron/core/relay/node/relay-queue.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-relayq-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (agent: number, seq: number): RelayEntry => ({
  agentId: `agt-${agent}`,
  message: {
    type: 'metrics',
    seq,
    samples: [
      { name: 'cpu_usage', value: seq % 100, ts: 1_000_000 + seq },
      { name: 'memory_usage', value: 40.5, ts: 1_000_000 + seq },
    ],
  },
});

it('groups one turn of the event loop into one line, at most MAX_GROUP entries a line, and reads it all back in order after a reopen', async () => {
  const q = new RelayQueue(join(dir, 'q'), silentLogger);
  await q.open();
  const n = MAX_GROUP + 20;
  await Promise.all(Array.from({ length: n }, (_, i) => q.enqueue(entry(i % 7, i))));
  await q.enqueue(entry(1, n));
  await q.close();

  const again = new RelayQueue(join(dir, 'q'), silentLogger);
  await again.open();
  // Two samples an entry; three lines: MAX_GROUP, the 20 left of that turn, the later one.
  expect(samplesAfter(again.segments, again.oldest)).toBe((n + 1) * 2);
  const read = await again.read(again.oldest, 10_000);
  expect(read!.lines.map((l) => l.item.length)).toEqual([MAX_GROUP, 20, 1]);
  const seqs = read!.lines.flatMap((l) =>
    l.item.map((e) => e.message.type === 'metrics' && e.message.seq),
  );
  expect(seqs).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
  expect(read!.lines[0]!.minTs).toBe(1_000_000);
  await again.close();
});

it('stores far fewer bytes than the entries as JSON', async () => {
  const q = new RelayQueue(join(dir, 'q'), silentLogger);
  await q.open();
  const entries = Array.from({ length: 400 }, (_, i) => entry(i % 50, i));
  await Promise.all(entries.map((e) => q.enqueue(e)));
  expect(q.bytes).toBeLessThan(JSON.stringify(entries).length / 4);
  await q.close();
});

it('skips a damaged line and counts it; the lines around it read whole', async () => {
  const q = new RelayQueue(join(dir, 'q'), silentLogger);
  await q.open();
  await q.enqueue(entry(1, 1));
  await q.close();
  const [segment] = await readdir(join(dir, 'q'));
  // A whole line that is not a compressed group (a bit flip in the base64 text).
  await appendFile(join(dir, 'q', segment!), '2 1000002 "AAAAnot-deflate"\n');
  const again = new RelayQueue(join(dir, 'q'), silentLogger);
  await again.open();
  await again.enqueue(entry(1, 3));
  const read = await again.read(again.oldest, 100);
  expect(read!.damaged).toBe(1);
  expect(read!.lines.flatMap((l) => l.item.map((e) => e.agentId))).toEqual(['agt-1', 'agt-1']);
  await again.close();
});

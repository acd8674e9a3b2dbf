// The remote-write sender's retry, backoff and sharding with a manual clock. The queue is the
// real one in a temp dir; the receiver is a fake answering post function (named as such): the
// status codes and timings it needs cannot be had from a real store on cue. The real store is in
// test/integration/remote-write-send.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { remoteWriteTarget } from '../../electron/core/interop/remote-write-out/config.js';
import { CursorFile } from '../../electron/core/queue/cursor-file.js';
import type { SeriesSamples } from '../../electron/core/interop/remote-write-out/encode.js';
import { ForwardQueue } from '../../electron/core/interop/remote-write-out/queue.js';
import {
  backoffDelay,
  retryAfterMs,
  shardOf,
  verdict,
} from '../../electron/core/interop/remote-write-out/retry.js';
import {
  RemoteWriteSender,
  requests,
  type PostResult,
} from '../../electron/core/interop/remote-write-out/sender.js';
import { waitFor } from '../helpers/core.js';

// prometheus/prompb WriteRequest, to read back what the sender encoded.
const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
    TimeSeries: {
      fields: {
        labels: { rule: 'repeated', type: 'Label', id: 1 },
        samples: { rule: 'repeated', type: 'Sample', id: 2 },
      },
    },
    Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
  },
});
interface Decoded {
  timeseries: {
    labels: { name: string; value: string }[];
    samples: { value: number; timestamp: number }[];
  }[];
}
const decode = (body: Uint8Array) =>
  root
    .lookupType('WriteRequest')
    .toObject(root.lookupType('WriteRequest').decode(uncompress(body)), {
      longs: Number,
    }) as Decoded;

const series = (name: string, ts: number[]): SeriesSamples => ({
  labels: ['__name__', name, 'agent', 'a1'],
  ts,
  values: ts.map((t) => t / 1000),
});

describe('retry policy', () => {
  it('retries 5xx and 429, drops other 4xx', () => {
    expect([200, 204, 400, 404, 413, 429, 500, 503].map(verdict)).toEqual([
      'sent',
      'sent',
      'drop',
      'drop',
      'drop',
      'retry',
      'retry',
      'retry',
    ]);
  });

  it('backs off doubling from 250 ms up to 5 s; Retry-After wins, capped at 5 min', () => {
    expect([0, 1, 2, 3, 6, 7, 40].map((a) => backoffDelay(a, null))).toEqual([
      250, 500, 1_000, 2_000, 5_000, 5_000, 5_000,
    ]);
    expect(backoffDelay(0, 7_000)).toBe(7_000);
    expect(backoffDelay(5, 3_600_000)).toBe(300_000);
    expect(retryAfterMs('7', 0)).toBe(7_000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });

  it('puts a series always in the same shard, within the bound', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const labels = ['__name__', `m${i}`];
      const shard = shardOf(labels, 4);
      expect(shard).toBe(shardOf([...labels], 4));
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(4);
      seen.add(shard);
    }
    expect(seen.size).toBe(4);
  });

  it('cuts a shard into requests of at most batchSamples, a long series in order', () => {
    const out = requests([series('a', [1, 2, 3, 4, 5]), series('b', [1, 2])], 3);
    expect(out.map((r) => r.map((s) => [s.labels[1], s.ts]))).toEqual([
      [['a', [1, 2, 3]]],
      [
        ['a', [4, 5]],
        ['b', [1]],
      ],
      [['b', [2]]],
    ]);
  });
});

describe('the sender against a fake receiver', () => {
  let dir: string;
  let queue: ForwardQueue;
  let sender: RemoteWriteSender;
  afterEach(async () => {
    await sender?.stop();
    await queue?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(
    answers: (body: Uint8Array) => PostResult,
    opts = { batchSamples: 5, maxShards: 2 },
    queueOptions = { segmentBytes: 16 * 1024 * 1024, maxBytes: 1024 * 1024 * 1024 },
  ) {
    dir = await mkdtemp(join(tmpdir(), 'meridian-rw-unit-'));
    const clock = new ManualClock();
    queue = new ForwardQueue(join(dir, 'queue'), silentLogger, queueOptions);
    await queue.open();
    const posts: { at: number; body: Decoded }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const counts = { sent: 0, failed: 0, dropped: 0 };
    sender = new RemoteWriteSender(
      remoteWriteTarget({ url: 'http://127.0.0.1:1/api/v1/write', ...opts }),
      {
        clock,
        logger: silentLogger,
        queue,
        cursorFile: new CursorFile(join(dir, 'dest.pos')),
        post: async (_t, body) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          posts.push({ at: clock.now(), body: decode(body) });
          return answers(body);
        },
        counters: {
          sent: (n) => (counts.sent += n),
          failed: () => counts.failed++,
          dropped: (n) => (counts.dropped += n),
        },
        advanced: () => {},
      },
    );
    await sender.open();
    queue.onAppended(() => sender.wake());
    queue.onDrop = (segment, index) =>
      sender.segmentDropped(segment, index.samples, (o) => index.samplesBefore(o));
    sender.start();
    return { clock, posts, counts, maxInFlight: () => maxInFlight };
  }

  const ok: PostResult = { status: 204, retryAfter: null, text: '' };

  it('retries a 503 with growing delays and a 429 after its Retry-After, then sends once', async () => {
    const answers = [
      { status: 503, retryAfter: null, text: 'busy' },
      { status: 503, retryAfter: null, text: 'busy' },
      { status: 429, retryAfter: '7', text: 'slow down' },
      ok,
    ];
    const { clock, posts, counts } = await setup(() => answers.shift()!);
    const start = clock.now();
    await queue.append([series('cpu', [1_000, 2_000])]);
    for (const wait of [250, 500, 7_000]) {
      await waitFor(
        () => sender.status().retryAt === clock.now() + wait,
        5_000,
        `a wait of ${wait} ms`,
      );
      clock.advance(wait - 1);
      expect(posts.length).toBe(4 - answers.length);
      clock.advance(1);
    }
    await waitFor(() => sender.status().pending === 0, 5_000, 'the window acked');
    expect(posts.map((p) => p.at - start)).toEqual([0, 250, 750, 7_750]);
    expect(counts).toEqual({ sent: 2, failed: 3, dropped: 0 });
    expect(sender.status().lastError?.message).toBe('HTTP 429: slow down');
    expect(posts[3]!.body.timeseries[0]!.samples).toEqual([
      { value: 1, timestamp: 1_000 },
      { value: 2, timestamp: 2_000 },
    ]);
  });

  it('drops a request refused with 400 (counted) and goes on with the next', async () => {
    const answers = [{ status: 400, retryAfter: null, text: 'bad labels' }, ok];
    const { counts } = await setup(() => answers.shift() ?? ok, { batchSamples: 10, maxShards: 1 });
    await queue.append([series('cpu', [1, 2, 3])]);
    await waitFor(() => sender.status().dropped === 3);
    await queue.append([series('cpu', [4])]);
    await waitFor(() => sender.status().pending === 0 && counts.sent === 1);
    expect(counts).toEqual({ sent: 1, failed: 1, dropped: 3 });
  });

  it('spreads a window over at most maxShards parallel shards; each series stays in order', async () => {
    const { posts, maxInFlight } = await setup(() => ok, { batchSamples: 5, maxShards: 3 });
    const list = Array.from({ length: 12 }, (_, i) => series(`m${i}`, [1, 2, 3, 4]));
    await queue.append(list);
    await waitFor(() => sender.status().pending === 0);
    expect(maxInFlight()).toBeGreaterThan(1);
    expect(maxInFlight()).toBeLessThanOrEqual(3);
    expect(sender.status().shards).toBe(3);
    const byName = new Map<string, number[]>();
    for (const p of posts) {
      const n = p.body.timeseries.reduce((a, s) => a + s.samples.length, 0);
      expect(n).toBeLessThanOrEqual(5);
      for (const s of p.body.timeseries) {
        const name = s.labels.find((l) => l.name === '__name__')!.value;
        byName.set(name, [...(byName.get(name) ?? []), ...s.samples.map((x) => x.timestamp)]);
      }
    }
    expect([...byName.values()].every((ts) => ts.join() === '1,2,3,4')).toBe(true);
    expect(byName.size).toBe(12);
  });

  it('over the byte cap drops the oldest segments, counted: sent + dropped = every sample', async () => {
    let up = false;
    const down: PostResult = { status: 503, retryAfter: null, text: 'down' };
    const { clock, counts } = await setup(
      () => (up ? ok : down),
      { batchSamples: 4, maxShards: 1 },
      { segmentBytes: 100, maxBytes: 600 },
    );
    let total = 0;
    for (let i = 0; i < 30; i++) {
      await queue.append([series('cpu', [i * 10 + 1, i * 10 + 2])]);
      total += 2;
    }
    await waitFor(() => sender.status().dropped > 0, 5_000, 'a segment dropped');
    expect(queue.bytes).toBeLessThanOrEqual(600 + 100);
    up = true;
    await waitFor(
      () => {
        clock.advance(5_000);
        return sender.status().pending === 0 && counts.sent + counts.dropped === total;
      },
      5_000,
      'the rest sent',
    );
    expect(sender.status().dropped).toBe(counts.dropped);
    expect(counts.sent).toBeGreaterThan(0);
  });
});

// Prometheus remote write into the ingest port over real HTTP: series land on agents named by
// their instance, in the region their label names; stale markers end series without being
// stored; every bad request is refused whole (400 with a JSON reason, counted) and leaves
// nothing stored; a wrong or missing token is 401 and then throttled; a paused console answers
// 503 with Retry-After and stores nothing of that request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import {
  AGENT_TOKEN,
  connectAgent,
  hello,
  openIngest,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import {
  STALE,
  ingestHttpUrl,
  postWrite,
  snappyCompress,
  writeRequestBody,
  writeRequestBytes,
} from '../helpers/remote-write.js';

const NOW = () => Date.now() - 5_000;

async function agents(t: TestCore): Promise<Agent[]> {
  return (await t.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents;
}

async function metricNames(t: TestCore): Promise<string[]> {
  return (await t.api<{ metrics: string[] }>('/api/v1/metric-names')).body.metrics;
}

async function points(t: TestCore, metric: string, agentId: string, from: number) {
  const q = `/api/v1/query_range?metric=${metric}&agent=${agentId}&from=${from - 1_000}&to=${Date.now() + 1_000}&step=1000`;
  const { body } = await t.api<QueryRangeResult>(q);
  return body.series.flatMap((s) => s.points.filter((p) => p[1] !== null).map((p) => p[1]));
}

describe('remote write: the happy path and the mapping', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ remoteWriteReceiver: { offlineAfterMs: 60_000 } });
  });
  afterAll(async () => t?.stop());

  it('stores the samples on one agent per instance, in the labelled region, and acks with 204 once durable', async () => {
    const ts = NOW();
    const body = writeRequestBody([
      {
        labels: {
          __name__: 'rw_queue_depth',
          instance: 'web-1:9100',
          job: 'node',
          region: 'eu-west-1',
          queue: 'a',
        },
        samples: [
          { value: 3, ts },
          { value: 4, ts: ts + 1_000 },
        ],
      },
      {
        labels: {
          __name__: 'rw_queue_depth',
          instance: 'web-1:9100',
          job: 'node',
          region: 'eu-west-1',
          queue: 'b',
        },
        samples: [{ value: 7, ts }],
      },
      {
        labels: { __name__: 'rw_up', instance: 'db-2:9187', region: 'us-east-1' },
        samples: [{ value: 1, ts }],
      },
    ]);
    const answer = await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN);
    expect(answer.status).toBe(204);
    const list = await agents(t);
    const web = list.find((a) => a.hostname === 'web-1_9100')!;
    const db = list.find((a) => a.hostname === 'db-2_9187')!;
    expect(web).toMatchObject({ regionId: 'eu-west-1', status: 'online' });
    expect(web.labels).toMatchObject({ source: 'remote_write', instance: 'web-1:9100' });
    expect(db).toMatchObject({ regionId: 'us-east-1', status: 'online' });
    // 204 came after the WAL write: the samples are queryable at once.
    expect((await points(t, 'rw_queue_depth', web.id, ts)).sort()).toEqual([3, 4, 7]);
    expect(await points(t, 'rw_up', db.id, ts)).toEqual([1]);
    expect(await t.metric('meridian_remote_write_requests_total', { outcome: 'ok' })).toBe(1);
  });

  it('treats a stale marker as the series ending and drops other NaN and ±Inf, storing the rest', async () => {
    const ts = NOW();
    const body = writeRequestBody([
      {
        labels: { __name__: 'rw_nan_mix', instance: 'web-1:9100', region: 'eu-west-1' },
        samples: [
          { value: 5, ts },
          { value: STALE, ts: ts + 1_000 },
          { value: Number.POSITIVE_INFINITY, ts: ts + 2_000 },
          { value: Number.NEGATIVE_INFINITY, ts: ts + 3_000 },
          { value: Number.NaN, ts: ts + 4_000 },
        ],
      },
    ]);
    expect((await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN)).status).toBe(204);
    const web = (await agents(t)).find((a) => a.hostname === 'web-1_9100')!;
    expect(await points(t, 'rw_nan_mix', web.id, ts)).toEqual([5]);
    expect(
      await t.metric('meridian_remote_write_samples_skipped_total', { reason: 'stale_marker' }),
    ).toBe(1);
    expect(
      await t.metric('meridian_remote_write_samples_skipped_total', { reason: 'non_finite' }),
    ).toBe(3);
  });

  it('a resent request stores nothing twice (duplicates are counted as for agents)', async () => {
    const ts = NOW();
    const body = writeRequestBody([
      {
        labels: { __name__: 'rw_dup', instance: 'web-1:9100', region: 'eu-west-1' },
        samples: [{ value: 9, ts }],
      },
    ]);
    expect((await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN)).status).toBe(204);
    const before = await t.metric('meridian_samples_dropped_total', { reason: 'duplicate' });
    expect((await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN)).status).toBe(204);
    const web = (await agents(t)).find((a) => a.hostname === 'web-1_9100')!;
    expect(await points(t, 'rw_dup', web.id, ts)).toEqual([9]);
    expect(await t.metric('meridian_samples_dropped_total', { reason: 'duplicate' })).toBe(
      before + 1,
    );
  });
});

describe('remote write: bad requests are refused whole and counted', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ remoteWriteReceiver: { maxBodyBytes: 256 * 1024 } });
  });
  afterAll(async () => t?.stop());

  const ok = { __name__: 'rw_bad_probe', instance: 'h:1', region: 'us-east-1' };
  const cases: [string, () => Uint8Array, number, string][] = [
    [
      'garbage that is not snappy',
      () => Buffer.from('this is not snappy at all, just text'),
      400,
      'bad_snappy',
    ],
    ['an empty body', () => Buffer.alloc(0), 400, 'bad_snappy'],
    [
      'valid snappy of garbage protobuf',
      () => snappyCompress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x02])),
      400,
      'bad_protobuf',
    ],
    [
      'snappy declaring a 2 GiB payload (a decompression bomb)',
      () => Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x00]),
      400,
      'too_large',
    ],
    [
      'a repeated field of 500,001 samples (over the cap)',
      () => {
        // One series whose samples field repeats 500,001 times (each an empty message).
        const head = writeRequestBytes([{ labels: ok, samples: [] }]);
        const samples = Buffer.alloc(500_001 * 2);
        for (let i = 0; i < samples.length; i += 2) samples[i] = 0x12;
        const inner = Buffer.concat([
          Buffer.from(head.subarray(2 + (head[1]! > 127 ? 1 : 0))),
          samples,
        ]);
        return snappyCompress(Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]));
      },
      400,
      'too_large',
    ],
    [
      'a series with 65 labels',
      () => {
        const labels: Record<string, string> = { ...ok };
        for (let i = 0; i < 62; i++) labels[`l${i}`] = 'x';
        return writeRequestBody([{ labels, samples: [{ value: 1, ts: NOW() }] }]);
      },
      400,
      'too_large',
    ],
    [
      'a valid series followed by one without __name__',
      () =>
        writeRequestBody([
          { labels: ok, samples: [{ value: 1, ts: NOW() }] },
          { labels: { instance: 'h:1', region: 'us-east-1' }, samples: [{ value: 2, ts: NOW() }] },
        ]),
      400,
      'bad_series',
    ],
    [
      'a series without a region label (no default configured)',
      () =>
        writeRequestBody([
          {
            labels: { __name__: 'rw_bad_probe', instance: 'h:1' },
            samples: [{ value: 1, ts: NOW() }],
          },
        ]),
      400,
      'missing_region',
    ],
    [
      'a region the console does not know',
      () =>
        writeRequestBody([
          { labels: { ...ok, region: 'mars-north-1' }, samples: [{ value: 1, ts: NOW() }] },
        ]),
      400,
      'unknown_region',
    ],
    ['a body over maxBodyBytes', () => Buffer.alloc(300 * 1024, 7), 413, 'body_too_large'],
  ];

  it.each(cases)('%s → refused, nothing stored', async (_what, body, status, code) => {
    const answer = await postWrite(t.addr.ingestUrl, body(), AGENT_TOKEN);
    expect(answer.status).toBe(status);
    expect(answer.body?.error?.code).toBe(code);
    expect(answer.body?.error?.message).toBeTruthy();
    expect(
      await t.metric('meridian_remote_write_requests_total', { outcome: code }),
    ).toBeGreaterThan(0);
    expect(await metricNames(t)).not.toContain('rw_bad_probe');
    expect(await t.metric('meridian_samples_received_total')).toBe(0);
  });

  it('refuses remote write 2.0 and other encodings with 415', async () => {
    const body = writeRequestBody([{ labels: ok, samples: [{ value: 1, ts: NOW() }] }]);
    const v2 = await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN, {
      'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    });
    expect(v2.status).toBe(415);
    const gzip = await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN, {
      'Content-Encoding': 'gzip',
    });
    expect(gzip.status).toBe(415);
    expect(await metricNames(t)).not.toContain('rw_bad_probe');
  });

  it('the port still takes a good request afterwards', async () => {
    const body = writeRequestBody([{ labels: ok, samples: [{ value: 1, ts: NOW() }] }]);
    expect((await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN)).status).toBe(204);
    expect(await metricNames(t)).toContain('rw_bad_probe');
  });
});

describe('remote write: authentication', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ limits: { authFailuresBeforeCooldown: 3 } });
  });
  afterAll(async () => t?.stop());

  const body = () =>
    writeRequestBody([
      {
        labels: { __name__: 'rw_auth', instance: 'h:1', region: 'us-east-1' },
        samples: [{ value: 1, ts: NOW() }],
      },
    ]);

  it('refuses a missing or wrong token with 401, counted, then throttles the source with 429', async () => {
    const missing = await postWrite(t.addr.ingestUrl, body(), null);
    expect(missing.status).toBe(401);
    expect(missing.body?.error?.code).toBe('unauthorized');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await postWrite(t.addr.ingestUrl, body(), 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(
      await t.metric('meridian_remote_write_requests_total', { outcome: 'unauthorized' }),
    ).toBe(2);
    // The third failure starts the cool-down; from then even the right token waits.
    expect((await postWrite(t.addr.ingestUrl, body(), 'guess-3')).status).toBe(401);
    const throttled = await postWrite(t.addr.ingestUrl, body(), AGENT_TOKEN);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await metricNames(t)).not.toContain('rw_auth');
    expect(await t.metric('meridian_samples_received_total')).toBe(0);
  });

  it('refuses browsers (an Origin header) even with the token', async () => {
    const res = await fetch(`${ingestHttpUrl(t.addr.ingestUrl)}/api/v1/write`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', Authorization: `Bearer ${AGENT_TOKEN}` },
      body: body(),
    });
    expect([403, 429]).toContain(res.status);
  });
});

describe('remote write: with an agent key', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
  });
  afterAll(async () => t?.stop());

  it('takes an enrolled agent key as the bearer, and refuses it (401 key_revoked) once revoked', async () => {
    // A protocol-2 agent enrols with the secret and is handed its own key.
    const conn = await openIngest(t.addr.ingestUrl);
    conn.send(hello({ protocol: 2, hostname: 'keyed-1' }));
    const welcome = await conn.next<{
      agentId: string;
      credential: { keyId: string; key: string };
    }>('welcome');
    await conn.close();
    const key = `mak.${welcome.credential.keyId}.${welcome.credential.key}`;
    const write = (value: number) =>
      writeRequestBody([
        {
          labels: { __name__: 'rw_keyed', instance: 'keyed-app:9100', region: 'us-east-1' },
          samples: [{ value, ts: NOW() + value }],
        },
      ]);
    expect((await postWrite(t.addr.ingestUrl, write(1), key)).status).toBe(204);
    expect(await metricNames(t)).toContain('rw_keyed');
    const revoked = await t.api(
      `/api/v1/agents/${welcome.agentId}/keys/${welcome.credential.keyId}/revoke`,
      { method: 'POST', body: JSON.stringify({ by: 'ops' }) },
    );
    expect(revoked.status).toBe(200);
    const refused = await postWrite(t.addr.ingestUrl, write(2), key);
    expect(refused.status).toBe(401);
    expect(refused.body?.error?.code).toBe('key_revoked');
  });
});

describe('remote write: ingest paused, and liveness without heartbeats', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({
      walFlushMs: 250,
      walMaxQueuedBytes: 32 * 1024,
      heartbeatIntervalMs: 100,
      remoteWriteReceiver: { offlineAfterMs: 3_000 },
    });
  });
  afterAll(async () => t?.stop());

  function bigBody(seq: number): Buffer {
    const ts = NOW() + seq;
    return writeRequestBody(
      Array.from({ length: 400 }, (_, i) => ({
        labels: { __name__: `rw_bp_${i}`, instance: 'bp:1', region: 'us-east-1' },
        samples: [{ value: seq, ts }],
      })),
    );
  }

  it('answers 503 with Retry-After while the WAL is behind, stores nothing of that request, and takes the resend', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        postWrite(t.addr.ingestUrl, bigBody(i), AGENT_TOKEN).then((a) => ({ i, a })),
      ),
    );
    const paused = answers.filter((x) => x.a.status === 503);
    const stored = answers.filter((x) => x.a.status === 204);
    expect(paused.length).toBeGreaterThan(0);
    expect(stored.length + paused.length).toBe(12);
    for (const { a } of paused) {
      expect(a.body?.error?.code).toBe('ingest_paused');
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(await t.metric('meridian_samples_received_total')).toBe(stored.length * 400);
    // The sender resends what was refused, as Prometheus does, until it is taken.
    let left = paused.map((x) => x.i);
    await waitFor(
      async () => {
        const again = await Promise.all(
          left.map((i) =>
            postWrite(t.addr.ingestUrl, bigBody(i), AGENT_TOKEN).then((a) => ({ i, a })),
          ),
        );
        left = again.filter((x) => x.a.status !== 204).map((x) => x.i);
        return left.length === 0;
      },
      30_000,
      'every refused request taken on resend',
    );
    expect(await t.metric('meridian_samples_received_total')).toBe(12 * 400);
  });

  it('keeps a writing instance online past the heartbeat window, and marks it offline after offlineAfterMs of silence', async () => {
    const body = writeRequestBody([
      {
        labels: { __name__: 'rw_live', instance: 'live:1', region: 'us-east-1' },
        samples: [{ value: 1, ts: NOW() }],
      },
    ]);
    expect((await postWrite(t.addr.ingestUrl, body, AGENT_TOKEN)).status).toBe(204);
    // A WebSocket agent that never beats goes offline after 3 × 100 ms: by then the watchdog
    // has judged the remote-write agent too, which must still be online.
    const silent = await connectAgent(t.addr.ingestUrl, {
      hostname: 'silent-1',
      region: 'us-east-1',
    });
    await waitFor(
      async () => (await agents(t)).find((a) => a.hostname === 'silent-1')?.status === 'offline',
      15_000,
      'the silent WebSocket agent offline',
    );
    expect((await agents(t)).find((a) => a.hostname === 'live_1')?.status).toBe('online');
    await silent.close();
    await waitFor(
      async () => (await agents(t)).find((a) => a.hostname === 'live_1')?.status === 'offline',
      15_000,
      'the remote-write agent offline after its silence',
    );
    // Its next write brings it back.
    const again = writeRequestBody([
      {
        labels: { __name__: 'rw_live', instance: 'live:1', region: 'us-east-1' },
        samples: [{ value: 2, ts: NOW() + 1 }],
      },
    ]);
    expect((await postWrite(t.addr.ingestUrl, again, AGENT_TOKEN)).status).toBe(204);
    expect((await agents(t)).find((a) => a.hostname === 'live_1')?.status).toBe('online');
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

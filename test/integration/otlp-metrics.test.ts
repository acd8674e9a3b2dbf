// OTLP/HTTP metrics (`POST /v1/metrics`) into the ingest port over real HTTP, protobuf and
// JSON, plain and gzip: gauges and sums land on the agent of the resource's
// service.instance.id (else host.name), in the region its attribute names; bad bodies are
// refused whole with a JSON reason and counted.
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Agent } from '../../shared/model.js';
import { AGENT_TOKEN, startTestCore, type TestCore } from '../helpers/core.js';
import { ingestHttpUrl } from '../helpers/remote-write.js';

const NOW = () => Date.now() - 5_000;

async function post(
  t: TestCore,
  body: Uint8Array | string,
  type: string,
  extra: Record<string, string> = {},
  token: string | null = AGENT_TOKEN,
) {
  const res = await fetch(`${ingestHttpUrl(t.addr.ingestUrl)}/v1/metrics`, {
    method: 'POST',
    headers: {
      'Content-Type': type,
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** An ExportMetricsServiceRequest in protobuf: one resource, one gauge and one sum point. */
function protobufRequest(ms: number): Uint8Array {
  const w = protobuf.Writer.create();
  const kv = (key: string, value: string) =>
    w.fork().uint32(10).string(key).uint32(18).fork().uint32(10).string(value).ldelim().ldelim();
  const nanos = BigInt(ms) * 1_000_000n;
  const point = (value: number, attrs: [string, string][]) => {
    w.uint32(10).fork();
    w.uint32(25)
      .fixed32(Number(nanos & 0xffffffffn))
      .fixed32(Number(nanos >> 32n));
    w.uint32(33).double(value);
    for (const [k, v] of attrs) {
      w.uint32(58);
      kv(k, v);
    }
    w.ldelim();
  };
  w.uint32(10).fork(); // resource_metrics
  w.uint32(10).fork(); // resource
  w.uint32(10);
  kv('service.instance.id', 'checkout-7');
  w.uint32(10);
  kv('region', 'eu-west-1');
  w.ldelim();
  w.uint32(18).fork(); // scope_metrics
  w.uint32(18).fork().uint32(10).string('queue.depth').uint32(42).fork(); // metric, gauge
  point(12.5, [['queue', 'orders']]);
  w.ldelim().ldelim();
  w.uint32(18).fork().uint32(10).string('requests').uint32(58).fork(); // metric, sum
  point(1200, []);
  w.ldelim().ldelim();
  w.uint32(18).fork().uint32(10).string('latency').uint32(74).fork().ldelim().ldelim(); // histogram
  w.ldelim();
  w.ldelim();
  return w.finish();
}

function jsonRequest(ms: number): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'host.name', value: { stringValue: 'db-9' } },
            { key: 'region', value: { stringValue: 'us-east-1' } },
          ],
        },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'db.connections',
                gauge: {
                  dataPoints: [
                    {
                      asInt: '42',
                      timeUnixNano: String(BigInt(ms) * 1_000_000n),
                      attributes: [{ key: 'pool', value: { stringValue: 'main' } }],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('OTLP/HTTP metrics into the ingest port', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
  });
  afterAll(async () => t?.stop());

  async function agent(hostname: string): Promise<Agent | undefined> {
    const { body } = await t.api<{ agents: Agent[] }>('/api/v1/agents');
    return body.agents.find((a) => a.hostname === hostname);
  }
  async function values(metric: string, agentId: string, from: number) {
    const { body } = await t.api<QueryRangeResult>(
      `/api/v1/query_range?metric=${metric}&agent=${agentId}&from=${from - 1_000}&to=${Date.now() + 1_000}&step=1000`,
    );
    return body.series.map((s) => ({
      labels: s.labels,
      values: s.points.map((p) => p[1]).filter((v) => v !== null),
    }));
  }

  it('takes protobuf (gzip too): gauges and sums on the service instance’s agent, 200 once durable', async () => {
    const ms = NOW();
    const plain = await post(t, protobufRequest(ms), 'application/x-protobuf');
    expect(plain.status).toBe(200);
    const a = (await agent('checkout-7'))!;
    expect(a).toMatchObject({ regionId: 'eu-west-1', status: 'online' });
    expect(await values('queue_depth', a.id, ms)).toEqual([
      { labels: { queue: 'orders' }, values: [12.5] },
    ]);
    expect(await values('requests', a.id, ms)).toEqual([{ labels: {}, values: [1200] }]);
    expect(
      await t.metric('meridian_remote_write_samples_skipped_total', { reason: 'unsupported_kind' }),
    ).toBe(1);
    const zipped = await post(t, gzipSync(protobufRequest(ms + 1_000)), 'application/x-protobuf', {
      'Content-Encoding': 'gzip',
    });
    expect(zipped.status).toBe(200);
    expect((await values('requests', a.id, ms))[0]!.values).toHaveLength(2);
  });

  it('takes JSON, with asInt as a string and host.name as the agent', async () => {
    const ms = NOW();
    const answer = await post(t, jsonRequest(ms), 'application/json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({});
    const a = (await agent('db-9'))!;
    expect(a.regionId).toBe('us-east-1');
    expect(await values('db_connections', a.id, ms)).toEqual([
      { labels: { pool: 'main' }, values: [42] },
    ]);
  });

  it.each([
    [
      'garbage protobuf',
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x7f]),
      'application/x-protobuf',
      {},
      400,
      'bad_protobuf',
    ],
    ['JSON that is not JSON', '{"resourceMetrics": [', 'application/json', {}, 400, 'bad_protobuf'],
    [
      'JSON of the wrong shape',
      '{"resourceMetrics": 7}',
      'application/json',
      {},
      400,
      'bad_protobuf',
    ],
    [
      'gzip that is not gzip',
      Buffer.from('nope'),
      'application/x-protobuf',
      { 'Content-Encoding': 'gzip' },
      400,
      'bad_gzip',
    ],
    ['a text body', 'hello', 'text/plain', {}, 415, 'unsupported_content_type'],
  ] as const)('%s → refused, nothing stored', async (_what, body, type, extra, status, code) => {
    const before = await t.metric('meridian_samples_received_total');
    const answer = await post(t, body, type, extra);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text).error.code).toBe(code);
    expect(
      await t.metric('meridian_remote_write_requests_total', { endpoint: 'otlp', outcome: code }),
    ).toBeGreaterThan(0);
    expect(await t.metric('meridian_samples_received_total')).toBe(before);
  });

  it('refuses a missing token with 401', async () => {
    const answer = await post(t, jsonRequest(NOW()), 'application/json', {}, null);
    expect(answer.status).toBe(401);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE } from '../../shared/protocol.js';
import type { Agent } from '../../shared/model.js';
import {
  connectAgent,
  hello,
  metricsFrame,
  openIngest,
  startTestCore,
  type TestCore,
} from '../helpers/core.js';

/** Try to open an ingest socket; resolve with the HTTP status of a refused upgrade. */
function refusedStatus(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => {});
  });
}

describe('ingest port', () => {
  let t: TestCore;
  beforeEach(async () => {
    t = await startTestCore();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('refuses a wrong or missing agent token with 401 before any WebSocket exists', async () => {
    const wrong = await refusedStatus(t.addr.ingestUrl, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('unauthorized');
    const missing = await refusedStatus(t.addr.ingestUrl, {});
    expect(missing.status).toBe(401);
    expect(await t.metric('meridian_frames_rejected_total', { reason: 'unauthorized' })).toBe(2);
    expect(t.core.fleet.listAgents()).toHaveLength(0);
  });

  it('refuses browsers (any Origin header) with 403', async () => {
    const res = await refusedStatus(t.addr.ingestUrl, {
      Authorization: 'Bearer test-agent-token',
      Origin: 'http://127.0.0.1:1234',
    });
    expect(res.status).toBe(403);
    expect(await t.metric('meridian_frames_rejected_total', { reason: 'browser_origin' })).toBe(1);
  });

  it('answers hello with welcome and a metrics batch with ack {seq}', async () => {
    const agent = await connectAgent(t.addr.ingestUrl, { hostname: 'db-7', agentType: 'database' });
    expect(agent.agentId).toMatch(/^agt-/);
    const frame = metricsFrame([
      { name: 'cpu_usage', value: 12 },
      { name: 'memory_usage', value: 40 },
      { name: 'disk_usage', value: 55 },
    ]);
    agent.send(frame);
    expect(await agent.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
    const { body } = await t.api<{ agents: Agent[] }>('/api/v1/agents');
    expect(body.agents).toHaveLength(1);
    expect(body.agents[0]).toMatchObject({
      hostname: 'db-7',
      type: 'database',
      status: 'online',
      metricsCount: 3,
      latest: { cpu_usage: 12, memory_usage: 40, disk_usage: 55 },
    });
    expect(await t.metric('meridian_samples_received_total')).toBe(3);
    await agent.close();
  });

  const badFrames: [string, string | object, number, string][] = [
    ['invalid JSON', '{"type":"heartbeat"', CLOSE.invalidJson.code, 'invalid_json'],
    ['an unknown field', { type: 'heartbeat', extra: 1 }, CLOSE.schema.code, 'schema_violation'],
    ['an unknown type', { type: 'teleport' }, CLOSE.unknownType.code, 'unknown_type'],
    [
      'a non-finite number',
      '{"type":"metrics","seq":1,"samples":[{"name":"cpu_usage","value":1e999,"ts":1}]}',
      CLOSE.nonFinite.code,
      'non_finite_number',
    ],
    [
      'a __proto__ key',
      '{"type":"metrics","seq":1,"samples":[{"name":"x","value":1,"ts":1,"labels":{"__proto__":"x"}}]}',
      CLOSE.forbiddenKey.code,
      'forbidden_key',
    ],
    [
      'a string value',
      { type: 'metrics', seq: 1, samples: [{ name: 'x', value: '5', ts: 1 }] },
      CLOSE.schema.code,
      'schema_violation',
    ],
  ];

  it.each(badFrames)(
    'closes on %s with its code and counts it',
    async (_what, frame, code, reason) => {
      const agent = await connectAgent(t.addr.ingestUrl);
      agent.send(frame);
      const closed = await agent.closed;
      expect(closed.code).toBe(code);
      expect(closed.reason.startsWith(`${reason}:`)).toBe(true);
      expect(await t.metric('meridian_frames_rejected_total', { reason })).toBe(1);
      // The agent that broke the protocol is marked 'error', not silently offline.
      expect(t.core.fleet.agent(agent.agentId)?.status).toBe('error');
    },
  );

  it('names the offending field in the close reason', async () => {
    const agent = await connectAgent(t.addr.ingestUrl);
    agent.send({
      type: 'metrics',
      seq: 1,
      samples: [{ name: 'x', value: 1, ts: 1, colour: 'red' }],
    });
    const closed = await agent.closed;
    expect(closed.reason).toContain('/samples/0/colour');
  });

  it('requires hello first, and only once', async () => {
    const early = await openIngest(t.addr.ingestUrl);
    early.send({ type: 'heartbeat' });
    expect((await early.closed).code).toBe(CLOSE.helloFirst.code);
    const twice = await connectAgent(t.addr.ingestUrl);
    twice.send(hello());
    expect((await twice.closed).code).toBe(CLOSE.duplicateHello.code);
  });

  it('refuses binary frames, frames over 256 KiB and unknown regions', async () => {
    const binary = await connectAgent(t.addr.ingestUrl);
    binary.ws.send(Buffer.from([1, 2, 3]));
    expect((await binary.closed).code).toBe(CLOSE.binaryFrame.code);

    const big = await connectAgent(t.addr.ingestUrl, { hostname: 'big' });
    big.send({ type: 'heartbeat', pad: 'x'.repeat(300 * 1024) });
    expect((await big.closed).code).toBe(1009);
    expect(await t.metric('meridian_frames_rejected_total', { reason: 'frame_too_big' })).toBe(1);

    const stranger = await openIngest(t.addr.ingestUrl);
    stranger.send(hello({ region: 'mars-1' }));
    const closed = await stranger.closed;
    expect(closed.code).toBe(CLOSE.unknownRegion.code);
    expect(closed.reason).toContain("'mars-1'");
  });

  it('caps series per agent: new series past the limit are dropped with an error, the batch still acked', async () => {
    await t.stop();
    t = await startTestCore({ maxSeriesPerAgent: 3 });
    const agent = await connectAgent(t.addr.ingestUrl);
    const frame = metricsFrame(
      ['a', 'b', 'c', 'd', 'e'].map((n) => ({
        name: 'requests_total',
        value: 1,
        labels: { path: n },
      })),
    );
    agent.send(frame);
    const error = await agent.next<{ code: string; message: string; seq: number }>('error');
    expect(error).toMatchObject({ code: 'series_limit', seq: frame.seq });
    expect(error.message).toContain('2 sample(s) dropped');
    expect(await agent.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
    expect(await t.metric('meridian_samples_dropped_total', { reason: 'series_limit' })).toBe(2);
    expect(t.core.store.head.seriesCount(agent.agentId)).toBe(3);
    expect(agent.ws.readyState).toBe(WebSocket.OPEN);
    await agent.close();
  });

  it('keeps serving other agents when one misbehaves', async () => {
    const good = await connectAgent(t.addr.ingestUrl, { hostname: 'good' });
    const bad = await connectAgent(t.addr.ingestUrl, { hostname: 'bad' });
    bad.send('not json');
    await bad.closed;
    const frame = metricsFrame([{ name: 'cpu_usage', value: 1 }]);
    good.send(frame);
    expect(await good.next('ack')).toEqual({ type: 'ack', seq: frame.seq });
    await good.close();
  });
});

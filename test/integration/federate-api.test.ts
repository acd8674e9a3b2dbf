// /federate through the real API port: its access check, its 400s, and what a scraper reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SESSION_TOKEN,
  connectAgent,
  metricsFrame,
  startTestCore,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

describe('GET /federate', () => {
  let t: TestCore;
  let agent: TestAgent;
  beforeAll(async () => {
    t = await startTestCore();
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'web-1', region: 'eu-west-1' });
    agent.send(
      metricsFrame([
        { name: 'cpu_usage', value: 12.5, labels: { path: 'C:\\say "hi"' } },
        { name: 'disk_usage', value: 70, labels: { mount: '/var' } },
      ]),
    );
    await agent.next('ack');
  });
  afterAll(async () => {
    await agent.close();
    await t.stop();
  });

  const federate = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${t.addr.apiUrl}/federate?${query}`, {
      headers: { Authorization: `Bearer ${SESSION_TOKEN}`, ...headers },
    });

  it('answers the selected series in the text format, escaped, with the console’s labels', async () => {
    const res = await federate(`match[]=${encodeURIComponent('{region="eu-west-1"}')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    // The label value C:\say "hi" with its backslash and quotes escaped.
    expect(text).toContain(
      `cpu_usage{agent="${agent.agentId}",hostname="web-1",path="C:\\\\say \\"hi\\"",region="eu-west-1"} 12.5 `,
    );
    expect(text).toMatch(/^disk_usage\{.*mount="\/var".*\} 70 \d+$/m);
    const onlyCpu = await (await federate('match[]=cpu_usage')).text();
    expect(onlyCpu).not.toContain('disk_usage');
  });

  it('a bad selector is a 400 naming match[], counted on /metrics', async () => {
    const before = await t.metric('meridian_api_requests_rejected_total', {
      reason: 'invalid_selector',
    });
    const res = await federate(`match[]=${encodeURIComponent('cpu_usage{')}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'invalid_selector',
        message: expect.stringMatching(/^match\[\] #1 .*syntax error/),
        field: 'match[]',
      },
    });
    const none = await federate('');
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(
      /at least one 'match\[\]'/,
    );
    expect(
      await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_selector' }),
    ).toBe(before + 2);
  });

  it('needs the session token like every API route', async () => {
    const res = await fetch(`${t.addr.apiUrl}/federate?match[]=cpu_usage`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await federate('match[]=cpu_usage', { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });
});

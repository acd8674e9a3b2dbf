// A real Prometheus (Debian's `prometheus`) scrapes the console's /federate: the agents' series
// must come back from Prometheus' own query API, with their values and agent/host/region labels.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SESSION_TOKEN,
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { findProgram, startProgram, type RealProgram } from '../helpers/real-program.js';

const PROMETHEUS = findProgram('prometheus');
if (!PROMETHEUS)
  console.warn(
    'SKIPPED: Prometheus federation test — no `prometheus` binary (apt-get install prometheus)',
  );

interface PromVector {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(!PROMETHEUS)('a real Prometheus scraping /federate', () => {
  let t: TestCore;
  let prom: RealProgram;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    t = await startTestCore();
    agents.push(await connectAgent(t.addr.ingestUrl, { hostname: 'web-7', region: 'eu-west-1' }));
    agents.push(await connectAgent(t.addr.ingestUrl, { hostname: 'db-2', region: 'us-east-1' }));
    const target = new URL(t.addr.apiUrl).host;
    prom = await startProgram(
      PROMETHEUS!,
      (dir, port) => [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      // The scrape job docs/interop.md documents, with a 1 s interval for the test.
      (dir) =>
        writeFile(
          join(dir, 'prometheus.yml'),
          [
            'scrape_configs:',
            '  - job_name: meridian',
            '    scrape_interval: 1s',
            '    honor_labels: true',
            '    metrics_path: /federate',
            "    params: { 'match[]': ['{__name__=~\"cpu_usage|memory_usage\"}'] }",
            `    authorization: { credentials: ${SESSION_TOKEN} }`,
            `    static_configs: [{ targets: ['${target}'] }]`,
            '',
          ].join('\n'),
        ),
    );
  }, 120_000); // startProgram may retry a start that lost its port (up to 3 × 30 s)

  afterAll(async () => {
    await prom?.stop();
    for (const a of agents) await a.close();
    await t?.stop();
  });

  async function query(q: string): Promise<PromVector['data']['result']> {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as PromVector;
    return body.status === 'success' ? body.data.result : [];
  }

  it('the agents’ newest values appear in Prometheus with agent, hostname and region', async () => {
    const [web, db] = agents as [TestAgent, TestAgent];
    web.send(
      metricsFrame([
        { name: 'cpu_usage', value: 42.5 },
        { name: 'memory_usage', value: 61 },
      ]),
    );
    await web.next('ack');
    db.send(
      metricsFrame([
        { name: 'cpu_usage', value: 7.25 },
        { name: 'load_1m', value: 3 },
      ]),
    );
    await db.next('ack');

    const rows = await waitFor(
      async () => {
        const r = await query('cpu_usage');
        return r.length === 2 ? r : null;
      },
      30_000,
      'both cpu_usage series in Prometheus',
    );
    const byHost = Object.fromEntries(rows.map((r) => [r.metric.hostname, r]));
    expect(byHost['web-7']!.metric).toMatchObject({
      __name__: 'cpu_usage',
      agent: web.agentId,
      region: 'eu-west-1',
    });
    expect(Number(byHost['web-7']!.value[1])).toBe(42.5);
    expect(byHost['db-2']!.metric).toMatchObject({ agent: db.agentId, region: 'us-east-1' });
    expect(Number(byHost['db-2']!.value[1])).toBe(7.25);

    const mem = await waitFor(async () => {
      const r = await query('memory_usage{hostname="web-7"}');
      return r.length === 1 ? r : null;
    });
    expect(Number(mem[0]!.value[1])).toBe(61);
    // Not selected by the job's match[]: never scraped.
    expect(await query('load_1m')).toEqual([]);
    // Prometheus saw the target healthy (the session token as its bearer credential).
    const up = await query('up{job="meridian"}');
    expect(up.map((r) => r.value[1])).toEqual(['1']);
  }, 60_000);
});

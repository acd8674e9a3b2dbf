// A real Prometheus (Debian's `prometheus`) scrapes itself and remote-writes to the console's
// ingest port with the agent token: its series must become queryable in the console, on an agent
// named after the scraped instance, in the region of its external label.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Agent } from '../../shared/model.js';
import { AGENT_TOKEN, startTestCore, waitFor, type TestCore } from '../helpers/core.js';
import { findProgram, startProgram, type RealProgram } from '../helpers/real-program.js';
import { ingestHttpUrl } from '../helpers/remote-write.js';

const PROMETHEUS = findProgram('prometheus');
if (!PROMETHEUS)
  console.warn(
    'SKIPPED: Prometheus remote-write test — no `prometheus` binary (apt-get install prometheus)',
  );

describe.skipIf(!PROMETHEUS)('a real Prometheus remote-writing to the console', () => {
  let t: TestCore;
  let prom: RealProgram;

  beforeAll(async () => {
    // Prometheus' own metrics are ~1,000 series: more than an agent's default cap.
    t = await startTestCore({ maxSeriesPerAgent: 10_000 });
    const writeUrl = `${ingestHttpUrl(t.addr.ingestUrl)}/api/v1/write`;
    prom = await startProgram(
      PROMETHEUS!,
      (dir, port) => [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      // The remote_write block docs/interop.md documents, with short intervals for the test.
      (dir, port) =>
        writeFile(
          join(dir, 'prometheus.yml'),
          [
            'global:',
            '  scrape_interval: 1s',
            '  external_labels: { region: eu-west-1 }',
            'scrape_configs:',
            '  - job_name: prometheus',
            `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
            'remote_write:',
            `  - url: ${writeUrl}`,
            `    authorization: { credentials: ${AGENT_TOKEN} }`,
            '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
            '',
          ].join('\n'),
        ),
    );
  }, 120_000); // startProgram may retry a start that lost its port (up to 3 × 30 s)

  afterAll(async () => {
    await prom?.stop();
    await t?.stop();
  });

  it('its scraped series are queryable in the console, on the instance’s agent in its region', async () => {
    const hostname = `127.0.0.1_${prom.port}`;
    const agent = await waitFor(
      async () =>
        (await t.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents.find(
          (a) => a.hostname === hostname,
        ),
      60_000,
      'the instance registered as an agent',
    );
    expect(agent).toMatchObject({ regionId: 'eu-west-1', status: 'online' });
    expect(agent.labels).toMatchObject({
      source: 'remote_write',
      instance: `127.0.0.1:${prom.port}`,
    });
    const from = Date.now() - 120_000;
    const query = (metric: string) =>
      t.api<QueryRangeResult>(
        `/api/v1/query_range?metric=${metric}&agent=${agent.id}&from=${from}&to=${Date.now() + 1_000}&step=1000`,
      );
    // `up` is 1 for a target Prometheus could scrape, and carries its job label.
    const up = await waitFor(
      async () => {
        const { body } = await query('up');
        const values = body.series.flatMap((s) =>
          s.points.map((p) => p[1]).filter((v) => v !== null),
        );
        return values.length > 0 ? body : null;
      },
      40_000,
      '`up` queryable in the console',
    );
    expect(up.series[0]!.labels).toMatchObject({ job: 'prometheus' });
    expect(up.series[0]!.points.filter((p) => p[1] !== null).every((p) => p[1] === 1)).toBe(true);
    // A counter of Prometheus' own arrives too, and grows (in one of its series).
    const samples = await waitFor(
      async () => {
        const { body } = await query('prometheus_tsdb_head_samples_appended_total');
        for (const series of body.series) {
          const values = series.points.map((p) => p[1]).filter((v) => v !== null);
          if (values.length >= 2 && values[values.length - 1]! > values[0]!) return values;
        }
        return null;
      },
      60_000,
      'a growing counter',
    );
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(
      await t.metric('meridian_remote_write_requests_total', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
  }, 150_000);
});

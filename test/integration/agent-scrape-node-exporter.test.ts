// `meridian agent --scrape` against the real node_exporter (Debian's prometheus-node-exporter,
// installed by .ci/run): its cpu, memory and filesystem values reach the console as the
// built-in metrics and fire a rule; its own series arrive beside them; the agent's own
// collectors step aside while it answers and take over when it stops. Without the binary
// these tests are reported skipped, saying why — never passed.
import { afterEach, describe, expect, it } from 'vitest';
import { HostAgent } from '../../agent/agent.js';
import { parseScrapeTargets, type ScrapeTarget } from '../../agent/scrape/targets.js';
import type { AgentsPage } from '../../shared/api.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import { ManualClock } from '../../shared/clock.js';
import type { Alert } from '../../shared/model.js';
import type { Sample } from '../../shared/protocol.js';
import { spawnAgent, type AgentProcess } from '../helpers/agent-process.js';
import { AGENT_TOKEN, startTestCore, tempDir, waitFor, type TestCore } from '../helpers/core.js';
import {
  nodeExporterBinary,
  startNodeExporter,
  type NodeExporter,
} from '../helpers/node-exporter.js';

const BINARY = nodeExporterBinary();
if (!BINARY) {
  console.warn(
    'SKIPPED agent-scrape-node-exporter: prometheus-node-exporter is not installed (.ci/run installs it: apt-get install prometheus-node-exporter)',
  );
}
const LONG_WAIT = 30_000;

describe('agent scraping a real node_exporter', () => {
  let t: TestCore | undefined;
  let exporter: NodeExporter | undefined;
  let agentProcess: AgentProcess | undefined;
  let agent: HostAgent | undefined;
  afterEach(async () => {
    agent?.stop();
    await agentProcess?.stop();
    await exporter?.stop();
    await t?.stop();
    t = exporter = agentProcess = agent = undefined;
  });

  const points = async (agentId: string, metric: string, labels?: string) => {
    const qs = new URLSearchParams({ metric, agent: agentId, step: '1000', agg: 'max' });
    if (labels) qs.set('labels', labels);
    const q = await t!.api<QueryRangeResult>(`/api/v1/query_range?${qs}`);
    expect(q.status).toBe(200);
    return q.body.series.flatMap((s) =>
      s.points.filter(([, v]) => v !== null).map(([, v]) => ({ labels: s.labels, v: v! })),
    );
  };

  it.skipIf(!BINARY)(
    "meridian agent --scrape: node_exporter's cpu, memory and filesystems reach the console as the built-in metrics and fire a rule",
    async () => {
      const dir = await tempDir();
      exporter = await startNodeExporter(BINARY!, dir);
      t = await startTestCore();
      // The agent's own collectors run once an hour, i.e. once, at start (and cpu needs two of
      // its own readings, so it has none of its own here): several cpu/memory/filesystem points
      // within seconds can only come from the scrape, every second.
      agentProcess = spawnAgent([
        '--url',
        t.addr.ingestUrl,
        '--token',
        AGENT_TOKEN,
        '--hostname',
        'scrape-1',
        '--state-dir',
        dir,
        '--no-security',
        '--interval',
        '3600000',
        '--filesystems-interval',
        '3600000',
        '--scrape',
        exporter.url,
        '--scrape-interval',
        '1000',
      ]);
      const agentId = await waitFor(
        async () =>
          (await t!.api<AgentsPage>('/api/v1/agents')).body.agents.find(
            (a) => a.hostname === 'scrape-1',
          )?.id,
        LONG_WAIT,
        'the agent registered',
      );
      await waitFor(
        async () =>
          (await points(agentId, 'cpu_usage')).length >= 2 &&
          (await points(agentId, 'memory_usage')).length >= 3 &&
          (await points(agentId, 'filesystem_usage', 'mount=/')).length >= 3 &&
          (await points(agentId, 'disk_usage')).length >= 3,
        LONG_WAIT,
        `cpu, memory and filesystem values from node_exporter at the console (agent stderr: ${agentProcess.err()})`,
      );
      const cpu = await points(agentId, 'cpu_usage');
      expect(cpu.every(({ v }) => v >= 0 && v <= 100)).toBe(true);
      const memory = await points(agentId, 'memory_usage');
      expect(memory.every(({ v }) => v > 0 && v < 100)).toBe(true);
      const agentView = (await t.api<AgentsPage>('/api/v1/agents')).body.agents.find(
        (a) => a.id === agentId,
      )!;
      expect(agentView.latest?.memory_usage).toBeGreaterThan(0);
      expect(agentView.latest?.disk_usage).toBeGreaterThan(0);

      // node_exporter's own series arrive too, labelled with the target, counters as rates.
      const instance = new URL(exporter.url).host;
      const total = await points(agentId, 'node_memory_MemTotal_bytes', `instance=${instance}`);
      expect(total.at(-1)!.v).toBeGreaterThan(0);
      await waitFor(
        async () => (await points(agentId, 'node_cpu_seconds_total:rate')).length > 0,
        LONG_WAIT,
        'a counter rate',
      );
      expect((await points(agentId, 'scrape_up', `instance=${instance}`)).at(-1)!.v).toBe(1);

      // A rule on memory_usage any host passes (used memory over 0.01 %), set over the API now,
      // after the agent's own single memory reading: only scraped values can fire it.
      const rule = {
        id: 'scraped_memory',
        kind: 'threshold',
        enabled: true,
        description: 'Memory in use (scraped)',
        metric: 'memory_usage',
        comparator: 'gt',
        unit: '%',
        warning: 0.01,
        critical: null,
        hysteresis: 0,
        forMs: 0,
      };
      const created = await t.api('/api/v1/rules', {
        method: 'POST',
        body: JSON.stringify({ rule, by: 'test' }),
      });
      expect(created.status).toBe(200);
      // The rule fires on the scraped value.
      const alert = await waitFor(
        async () =>
          (await t!.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts.find(
            (a) => a.ruleId === 'scraped_memory' && a.subjectKey === `${agentId}/memory_usage`,
          ),
        LONG_WAIT,
        'the scraped_memory alert',
      );
      expect(alert).toMatchObject({ severity: 'warning', metric: 'memory_usage' });
      expect(alert.value).toBeGreaterThan(0.01);
      expect(agentProcess.out()).toMatch(/scraping http:\/\/127\.0\.0\.1:\d+\/metrics: \d+ series/);
      expect(agentProcess.out()).toMatch(/node_exporter: .*memory_usage.* replace the agent's own/);

      // node_exporter stops (by PID): the agent says so once, keeps running, and the console
      // sees scrape_up 0 and the failures counted.
      await exporter.stop();
      await waitFor(
        async () =>
          (await points(agentId, 'scrape_errors_total', `instance=${instance},reason=down`)).some(
            ({ v }) => v >= 3,
          ),
        LONG_WAIT,
        'three failed scrapes counted at the console',
      );
      expect((await points(agentId, 'scrape_up', `instance=${instance}`)).at(-1)!.v).toBe(0);
      expect(agentProcess.err().match(/not answering/g)).toHaveLength(1);
      expect(agentProcess.err()).toMatch(/the agent's own cpu, memory and disk readings stand in/);
      expect(agentProcess.child.exitCode).toBeNull();
    },
    90_000,
  );

  it.skipIf(!BINARY)(
    "the agent's own collectors leave out what node_exporter reports, and take over when it stops",
    async () => {
      const dir = await tempDir();
      exporter = await startNodeExporter(BINARY!, dir);
      t = await startTestCore();
      const clock = new ManualClock(Date.now());
      const targets = parseScrapeTargets([exporter.url]) as ScrapeTarget[];
      agent = new HostAgent({
        url: t.addr.ingestUrl,
        token: AGENT_TOKEN,
        region: 'us-east-1',
        agentType: 'system',
        hostname: 'scrape-2',
        version: 'test',
        clock,
        log: () => {},
        security: false,
        scrape: { targets, intervalMs: 1_000 },
        onFatal: () => {},
      });
      // Instrumentation only: the names of each batch of the agent's own headline collector
      // (the one with load1) on its way through the real uplink.
      const own: string[][] = [];
      const send = agent.uplink.sendMetrics.bind(agent.uplink);
      agent.uplink.sendMetrics = (samples: Sample[]) => {
        if (samples.some((s) => s.name === 'load1')) own.push(samples.map((s) => s.name));
        return send(samples);
      };
      agent.start();
      const scraper = agent.scraper!;
      await waitFor(() => scraper.stats()[0]!.state === 'ok', LONG_WAIT, 'the first scrape');
      await waitFor(() => own.length === 1, LONG_WAIT, 'the first headline run');
      expect(scraper.suppliedBuiltins()).toEqual(
        new Set(['memory_usage', 'disk_usage', 'filesystem_usage']),
      );
      // A second: the scrape (cpu too now) and the headline run, without what the scrape gave.
      clock.advance(1_000);
      await waitFor(
        () => own.length === 2 && scraper.stats()[0]!.scrapes === 2,
        LONG_WAIT,
        'tick 2',
      );
      await waitFor(
        () => scraper.suppliedBuiltins().has('cpu_usage'),
        LONG_WAIT,
        'cpu from node_exporter',
      );
      clock.advance(1_000);
      await waitFor(() => own.length === 3, LONG_WAIT, 'tick 3');
      for (const name of ['cpu_usage', 'memory_usage', 'disk_usage'])
        expect(own[2]).not.toContain(name);
      expect(own[2]).toContain('load1');

      // node_exporter stops: at the next scrape the set empties, and the agent's own readings
      // come back at the next headline run — no gap of more than one interval.
      await exporter.stop();
      // Time moves a second a step until a scrape has found it gone (one still running when it
      // stopped is skipped over, not waited for).
      await waitFor(
        async () => {
          if (scraper.stats()[0]!.state === 'down') return true;
          clock.advance(1_000);
          await new Promise((r) => setTimeout(r, 50));
          return false;
        },
        LONG_WAIT,
        'the scrape failing',
      );
      expect(scraper.suppliedBuiltins().size).toBe(0);
      const before = own.length;
      clock.advance(1_000);
      await waitFor(() => own.length > before, LONG_WAIT, 'the next headline run');
      expect(own.at(-1)).toEqual(expect.arrayContaining(['memory_usage', 'disk_usage']));
    },
    90_000,
  );
});

// Anomaly detection through `meridian serve` and the real ingest WebSocket: four hours of
// four peers' cpu (a daily-ish wave and noise) with a one-hour warm-up configured; a spike on
// one agent opens one anomaly alert (not one per sample), which resolves once the series is
// back to normal; GET /api/v1/anomalies lists the episode; the agent that runs hot all along
// is the odd one out in GET /api/v1/outliers.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEpisode, OutlierRow } from '../../shared/forecast.js';
import type { Alert } from '../../shared/model.js';
import { connectAgent, tempDir, waitFor, type TestAgent } from '../helpers/core.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const env = { MERIDIAN_SESSION_TOKEN: 'an-session', MERIDIAN_AGENT_TOKEN: 'test-agent-token' };
const REGION = 'eu-west-1';

let serve: ServeProcess;
let dataDir: string;
const agents: TestAgent[] = [];
let end = 0;

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: 'Bearer an-session' },
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Deterministic noise in [-1, 1]. */
const noise = (i: number, k: number) => Math.sin(i * 12.9898 + k * 4.1) * Math.cos(i * 78.233);
const cpuAt = (i: number, k: number) =>
  30 + 5 * Math.sin((2 * Math.PI * i) / 120) + 2 * noise(i, k);

let seq = 0;
async function send(agent: TestAgent, samples: { ts: number; value: number }[]) {
  agent.send({
    type: 'metrics',
    seq: ++seq,
    samples: samples.map((s) => ({ name: 'cpu_usage', unit: '%', ...s })),
  });
  const ack = await agent.next<{ problems?: unknown[] }>('ack');
  expect(ack.problems ?? []).toEqual([]);
}

beforeAll(async () => {
  dataDir = await tempDir();
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'config.json'), JSON.stringify({ anomalyWarmupMs: HOUR }));
  serve = await spawnServe(dataDir, env);
  for (let k = 0; k < 4; k++)
    agents.push(
      await connectAgent(serve.ingestUrl, {
        hostname: `an-${k}`,
        region: REGION,
        agentType: 'system',
      }),
    );
  // Four hours up to ten minutes ago, a sample a minute; agent 3 runs hot (80 %) throughout.
  end = Date.now() - 10 * MIN;
  const start = end - 4 * HOUR;
  for (let k = 0; k < 4; k++) {
    const samples = [];
    for (let i = 0, ts = start; ts < end; i++, ts += MIN)
      samples.push({ ts, value: (k === 3 ? 50 : 0) + cpuAt(i, k) });
    await send(agents[k]!, samples);
  }
});

afterAll(async () => {
  for (const a of agents) a.ws.terminate();
  serve?.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('anomaly detection (meridian serve)', () => {
  it('raises one anomaly alert for a spike, and resolves it when the series is back to normal', async () => {
    const a0 = agents[0]!;
    const open = async () =>
      (await api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts.filter(
        (a) => a.ruleId === 'anomaly',
      );
    expect(await open()).toEqual([]);
    // Three minutes of 95 % on agent 0: one episode, one alert.
    await send(
      a0,
      [0, 1, 2].map((j) => ({ ts: end + j * MIN, value: 95 })),
    );
    const alerts = await waitFor(async () => {
      const found = await open();
      return found.length > 0 ? found : null;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject.agentId).toBe(a0.agentId);
    expect(alerts[0]!.severity).toBe('info');
    expect(alerts[0]!.message).toMatch(/cpu_usage on an-0 at 95(\.0)?%, expected about \d+/);
    const episodes = (
      await api<{ episodes: AnomalyEpisode[]; warmingUp?: boolean }>(
        `/api/v1/anomalies?agent=${a0.agentId}&metric=cpu_usage&changepoints=1`,
      )
    ).body;
    expect(episodes.warmingUp).toBe(false);
    expect(episodes.episodes).toHaveLength(1);
    expect(episodes.episodes[0]).toMatchObject({
      end: null,
      hostname: 'an-0',
      metric: 'cpu_usage',
    });
    // Back to normal for six minutes: the episode closes, the alert resolves.
    await send(
      a0,
      [3, 4, 5, 6, 7, 8].map((j) => ({ ts: end + j * MIN, value: cpuAt(240 + j, 0) })),
    );
    // Generous: the console (its own process) scores six minutes of samples first, and under
    // CI with both cores busy 15 s was once not enough. It only bounds the wait.
    await waitFor(async () => (await open()).length === 0, 60_000, 'the anomaly alert resolved');
    const after = (
      await api<{ episodes: AnomalyEpisode[] }>(`/api/v1/anomalies?agent=${a0.agentId}`)
    ).body.episodes;
    expect(after[0]!.end).not.toBeNull();
    // The other agents' normal samples raised nothing.
    const all = (await api<{ episodes: AnomalyEpisode[] }>('/api/v1/anomalies')).body.episodes;
    expect(all.map((e) => e.agentId)).toEqual([a0.agentId]);
  }, 120_000);

  it('names the agent that differs from its peers as the outlier', async () => {
    const { body } = await api<{ computedAt: number | null; outliers: OutlierRow[] }>(
      `/api/v1/outliers?region=${REGION}&metric=cpu_usage`,
    );
    expect(body.computedAt).not.toBeNull();
    // Agent 0's three-minute spike set it apart too, but for minutes, not most of the hour.
    expect(body.outliers.map((o) => o.hostname)).toEqual(['an-3']);
    expect(body.outliers[0]!.peers).toBe(3);
  });

  it('refuses changepoints without an agent and a metric', async () => {
    const { status, body } = await api<{ error: { field: string } }>(
      '/api/v1/anomalies?changepoints=1',
    );
    expect(status).toBe(400);
    expect(body.error.field).toBe('changepoints');
  });
});

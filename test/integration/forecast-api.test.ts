// Forecasts through `meridian serve`: four hours of two disks go in over the real ingest
// WebSocket (one filling 2 points an hour, one flat); the scheduled runs on the forecast worker
// put the filling one first in GET /api/v1/capacity with a date, open the forecast rule's alert
// for it alone, and GET /api/v1/forecasts answers it with bands. Bad arguments get 400s.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapacityReport, ForecastResult } from '../../shared/forecast.js';
import type { Alert } from '../../shared/model.js';
import { connectAgent, tempDir, waitFor, type TestAgent } from '../helpers/core.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const env = { MERIDIAN_SESSION_TOKEN: 'fc-session', MERIDIAN_AGENT_TOKEN: 'test-agent-token' };

let serve: ServeProcess;
let dataDir: string;
const agents: TestAgent[] = [];

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: 'Bearer fc-session' },
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function sendHistory(agent: TestAgent, value: (h: number) => number, end: number) {
  const samples = [];
  for (let ts = end - 4 * HOUR + 5 * MIN; ts <= end; ts += MIN)
    samples.push({ name: 'disk_usage', unit: '%', ts, value: value((ts - end) / HOUR) });
  agent.send({ type: 'metrics', seq: 1, samples });
  const ack = await agent.next<{ problems?: unknown[] }>('ack');
  expect(ack.problems ?? []).toEqual([]);
}

beforeAll(async () => {
  dataDir = await tempDir();
  await mkdir(dataDir, { recursive: true });
  await writeFile(
    join(dataDir, 'config.json'),
    JSON.stringify({ forecastRegionsEveryMs: 1_000, forecastAgentsEveryMs: 1_000 }),
  );
  serve = await spawnServe(dataDir, env);
  const end = Date.now();
  const filling = await connectAgent(serve.ingestUrl, {
    hostname: 'fc-filling',
    region: 'eu-west-1',
  });
  const flat = await connectAgent(serve.ingestUrl, { hostname: 'fc-flat', region: 'eu-west-1' });
  agents.push(filling, flat);
  // 2 points an hour, 78 % now: 90 % in about 6 h, the 97 % critical level in about 9.5 h.
  await sendHistory(filling, (h) => Math.round((78 + 2 * h) * 100) / 100, end);
  await sendHistory(flat, (h) => 40 + 0.2 * Math.sin(h * 7), end);
});

afterAll(async () => {
  for (const a of agents) a.ws.terminate();
  serve?.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('forecasts (meridian serve)', () => {
  it('puts the filling disk first in the capacity table, with its crossing dated from the bands', async () => {
    const [filling, flat] = agents;
    const report = await waitFor(
      async () => {
        const { body } = await api<CapacityReport>('/api/v1/capacity?metric=disk_usage');
        return body.agents.length === 2 ? body : null;
      },
      60_000,
      'both agents in the capacity table',
    );
    const first = report.agents[0]!;
    expect(first.target.kind === 'agent' && first.target.agentId).toBe(filling!.agentId);
    expect(report.agents[1]!.target.kind === 'agent' && report.agents[1]!.target.agentId).toBe(
      flat!.agentId,
    );
    expect(first.growthPerDay).toBeGreaterThan(40);
    expect(first.growthPerDay).toBeLessThan(56);
    const hoursAway = (first.crossing!.likely! - report.computedAt!) / HOUR;
    expect(hoursAway).toBeGreaterThan(7);
    expect(hoursAway).toBeLessThan(12);
    expect(first.crossing!.earliest!).toBeLessThanOrEqual(first.crossing!.likely!);
    expect(report.agents[1]!.crossing!.likely).toBeNull();
    expect(report.regions.some((r) => r.target.metric === 'disk_usage')).toBe(true);
  });

  it('raises the forecast rule alert for the filling disk alone', async () => {
    const alerts = await waitFor(
      async () => {
        const { body } = await api<{ alerts: Alert[] }>('/api/v1/alerts?state=open');
        const found = body.alerts.filter((a) => a.ruleId === 'disk_usage_forecast');
        return found.length > 0 ? found : null;
      },
      60_000,
      'a forecast alert',
    );
    expect(alerts.map((a) => a.subject.agentId)).toEqual([agents[0]!.agentId]);
    expect(alerts[0]!.severity).toBe('warning');
    expect(alerts[0]!.message).toContain('forecast to reach 90.0%');
  });

  it("answers one agent's forecast with history, bands and the backtest", async () => {
    const { status, body } = await api<{ forecast: ForecastResult }>(
      `/api/v1/forecasts?metric=disk_usage&agent=${agents[0]!.agentId}&horizon=12h`,
    );
    expect(status).toBe(200);
    const f = body.forecast;
    if (f.status !== 'ok') throw new Error(`not ok: ${JSON.stringify(f)}`);
    expect(f.tier).toBe('1m');
    expect(f.history.length).toBeGreaterThan(200);
    expect(f.forecast.length).toBe((12 * HOUR) / f.stepMs);
    const last = f.forecast[f.forecast.length - 1]!;
    expect(last.lo95).toBeLessThan(last.value);
    expect(last.hi95).toBeGreaterThan(last.value);
    expect(f.backtest.coverage95).not.toBeNull();
  });

  it('refuses bad arguments with a 400 naming the field', async () => {
    const id = agents[0]!.agentId;
    const cases: [string, string][] = [
      [`/api/v1/forecasts?metric=disk_usage&agent=${id}&horizon=31d`, 'horizon'],
      [`/api/v1/forecasts?metric=disk_usage&agent=${id}&horizon=30m`, 'horizon'],
      [`/api/v1/forecasts?metric=disk_usage&agent=${id}&region=eu-west-1`, 'region'],
      [`/api/v1/forecasts?metric=disk_usage`, 'region'],
    ];
    for (const [path, field] of cases) {
      const { status, body } = await api<{ error: { field?: string; message: string } }>(path);
      expect(status, path).toBe(400);
      expect(body.error.field, path).toBe(field);
    }
    const missing = await api<{ error: { code: string } }>(
      '/api/v1/forecasts?metric=disk_usage&agent=no-such-agent',
    );
    expect(missing.status).toBe(404);
  });
});

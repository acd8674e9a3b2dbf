// A damaged line in the WAL costs that line's data and nothing more, and it is raised as an
// alert. The console is killed with SIGKILL (so the WAL, not a checkpoint, holds the data),
// one byte of the line that defines a series is flipped, and the console is started again.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Alert } from '../../shared/model.js';
import { connectAgent, tempDir } from '../helpers/core.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const env = { MERIDIAN_SESSION_TOKEN: 'wal-session', MERIDIAN_AGENT_TOKEN: 'test-agent-token' };

async function api<T>(serve: ServeProcess, path: string): Promise<T> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: 'Bearer wal-session' },
  });
  return (await res.json()) as T;
}

async function metric(serve: ServeProcess, name: string): Promise<number> {
  const res = await fetch(`${serve.apiUrl}/metrics`, {
    headers: { Authorization: 'Bearer wal-session' },
  });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

describe('a damaged WAL line', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it('loses no other data when it defined a series, and raises an alert', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await spawnServe(dataDir, env);
    cleanup.push(() => void first.child.kill('SIGKILL'));
    const agent = await connectAgent(first.ingestUrl, { hostname: 'wal-1' });
    for (let seq = 1; seq <= 20; seq++) {
      agent.send({
        type: 'metrics',
        seq,
        samples: [{ name: 'wal_probe', ts: BASE + seq * 1000, value: seq }],
      });
      await agent.next('ack');
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    agent.ws.terminate();

    // Flip one byte inside the first definition of the series (its name).
    const tsdb = join(dataDir, 'tsdb');
    const segment = (await readdir(tsdb)).filter((f) => f.startsWith('wal-')).sort()[0]!;
    const bytes = await readFile(join(tsdb, segment));
    const at = bytes.indexOf('wal_probe');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'W'.charCodeAt(0);
    await writeFile(join(tsdb, segment), bytes);

    const second = await spawnServe(dataDir, env);
    cleanup.push(() => void second.child.kill('SIGKILL'));
    const qs = new URLSearchParams({
      metric: 'wal_probe',
      agent: agent.agentId,
      from: String(BASE),
      to: String(BASE + 21_000),
      step: '1000',
      agg: 'count',
    });
    const body = await api<QueryRangeResult>(second, `/api/v1/query_range?${qs}`);
    const stored = body.series[0]!.points.filter(([, c]) => c === 1).map(
      ([t]) => (t - BASE) / 1000,
    );
    expect(stored).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await metric(second, 'meridian_wal_replay_corrupt_lines')).toBe(1);
    const alerts = (await api<{ alerts: Alert[] }>(second, '/api/v1/alerts?state=open')).alerts;
    const alert = alerts.find((a) => a.ruleId === 'wal_corrupt');
    expect(alert?.severity).toBe('warning');
    expect(alert?.message).toMatch(/1 damaged line/);
  });
});

// The metric store on disk, through `meridian serve` (compaction in its worker thread): data
// older than the head is read back from block files after a restart; a SIGKILL in the middle
// of a flush loses nothing acked and leaves nothing that breaks start-up; a series that stops
// leaves memory once idle and its history stays readable; a torn block file is
// set aside and raised as an alert; the disk budget deletes the oldest data first.
import { mkdir, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StorageReport } from '../../shared/api.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Alert } from '../../shared/model.js';
import { connectAgent, tempDir, waitFor } from '../helpers/core.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';

const HOUR = 3_600_000;
const env = { MERIDIAN_SESSION_TOKEN: 'store-session', MERIDIAN_AGENT_TOKEN: 'test-agent-token' };
/** Three hours ago, hour-aligned: old enough to be compacted (past the 1 h out-of-order window). */
const H0 = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;

async function api<T>(serve: ServeProcess, path: string): Promise<T> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: 'Bearer store-session' },
  });
  return (await res.json()) as T;
}

async function countsOf(
  serve: ServeProcess,
  metric: string,
  agent: string,
  from: number,
  to: number,
  step = 1000,
): Promise<Map<number, number | null>> {
  const qs = new URLSearchParams({
    metric,
    agent,
    from: String(from),
    to: String(to),
    step: String(step),
    agg: 'count',
  });
  const body = await api<QueryRangeResult>(serve, `/api/v1/query_range?${qs}`);
  return new Map((body.series[0]?.points ?? []).map(([t, c]) => [t, c]));
}

async function blockFiles(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'tsdb', 'blocks')).catch(() => [])).sort();
}

/** Send `n` samples, one a second from `from`, in batches of 60, each acked before the next. */
async function sendHistory(url: string, host: string, metric: string, from: number, n: number) {
  const agent = await connectAgent(url, { hostname: host });
  let seq = 0;
  for (let i = 0; i < n; i += 60) {
    const samples = [];
    for (let k = i; k < Math.min(n, i + 60); k++)
      samples.push({ name: metric, ts: from + k * 1000, value: Math.round(k * 7.3) / 100 });
    agent.send({ type: 'metrics', seq: ++seq, samples });
    await agent.next('ack');
  }
  return agent;
}

describe('the metric store on disk (meridian serve)', () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function serveIn(dataDir: string, config: object): Promise<ServeProcess> {
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'config.json'), JSON.stringify(config));
    const s = await spawnServe(dataDir, env);
    cleanup.push(() => void s.child.kill('SIGKILL'));
    return s;
  }

  // Two serve starts (30 s deadlines each) and waits for a 10 s checkpoint's compaction: more than the default 60 s on a loaded machine.
  it('reads an hour compacted into blocks back after a restart, raw and as 1-minute buckets', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    const agent = await sendHistory(first.ingestUrl, 'hist-1', 'hist_probe', H0, 3_600);
    // A flush writes the head to a block; the worker compacts the (long closed) hour.
    // The file lands before the console adopts it into its block set, so wait on what the
    // API reports, not on the directory.
    let report!: StorageReport;
    await waitFor(
      async () => {
        report = await api<StorageReport>(first, '/api/v1/storage');
        return (
          report.rawBytesPerSample !== null &&
          (await blockFiles(dataDir)).some((f) => f.startsWith(`raw-${H0}-`))
        );
      },
      30_000,
      'the hour compacted into a raw block',
    );
    const raw = report.tiers.find((t) => t.tier === 'raw')!;
    expect(raw.rows).toBeGreaterThanOrEqual(3_600);
    expect(raw.oldest).toBe(H0);
    expect(report.rawBytesPerSample).toBeGreaterThan(0);
    agent.ws.terminate();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    // Half an hour at a time: a query gets at most 2,000 points, so 1 s steps need ≤ 2,000 s.
    for (const half of [H0, H0 + HOUR / 2]) {
      const counts = await countsOf(second, 'hist_probe', agent.agentId, half, half + HOUR / 2);
      expect([...counts.values()]).toEqual(Array(1_800).fill(1));
    }
    const minutes = await countsOf(second, 'hist_probe', agent.agentId, H0, H0 + HOUR, 60_000);
    expect([...minutes.values()]).toEqual(Array(60).fill(60));
  }, 180_000);

  // A serve start and a 45 s wait for the series to go idle and compact: more than the default 60 s on a loaded machine.
  it('lets a series that stopped leave memory once idle, and still reads its history', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const s = await serveIn(dataDir, { checkpointEveryMs: 10_000, headIdleMs: 60_000 });
    // A host that stopped over a minute ago, inside the current hour: its open chunk is not
    // closed by the hour ending, only by the idle rule (headIdleMs, 1 min here).
    const now = Date.now();
    const from = Math.max(Math.floor(now / HOUR) * HOUR, now - 400_000);
    const until = Math.max(from + 300, now - 70_000);
    // Fewer than a chunk holds (120): all of them sit in the open chunk.
    const N = 100;
    const stamps = Array.from({ length: N }, (_, k) => from + Math.floor(((until - from) * k) / N));
    const gone = await connectAgent(s.ingestUrl, { hostname: 'gone-1' });
    for (let k = 0; k < N; k += 60) {
      gone.send({
        type: 'metrics',
        seq: k / 60 + 1,
        samples: stamps
          .slice(k, k + 60)
          .map((ts, i) => ({ name: 'churn_probe', ts, value: k + i })),
      });
      await gone.next('ack');
    }
    gone.ws.terminate();
    // The head held its 100 rows; a flush after it has been idle a minute lets them go (what
    // stays are the console's own few region-count rows).
    const report = await waitFor(
      async () => {
        const r = await api<StorageReport>(s, '/api/v1/storage');
        return r.head.rows < N / 2 ? r : null;
      },
      45_000,
      'the stopped series evicted from the head',
    );
    expect(report.series.total).toBeGreaterThan(report.series.active);
    const got = await fetch(
      `${s.apiUrl}/api/v1/query_range?${new URLSearchParams({
        metric: 'churn_probe',
        agent: gone.agentId,
        from: String(from),
        to: String(until + 1),
        // 1 s steps (≤ 400 points): raw samples. A coarser step would read minute buckets,
        // whose first one starts before `from` and is left out.
        step: '1000',
        agg: 'count',
      })}`,
      { headers: { Authorization: 'Bearer store-session' } },
    );
    const body = (await got.json()) as QueryRangeResult;
    const total = (body.series[0]?.points ?? []).reduce((n, [, c]) => n + (c ?? 0), 0);
    expect(total).toBe(N);
  }, 180_000);

  it('loses nothing acked when SIGKILL lands in the middle of a flush, and starts again', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    // Many series, so that a flush takes long enough to be caught in the act.
    const acked = new Set<number>();
    const ws = new WebSocket(first.ingestUrl, {
      headers: { Authorization: 'Bearer test-agent-token' },
    });
    cleanup.push(() => ws.terminate());
    let seq = 0;
    let inFlight = 0;
    const batch = (n: number) => ({
      type: 'metrics',
      seq: n,
      samples: Array.from({ length: 200 }, (_, k) => ({
        name: `flush_probe_${k}`,
        ts: H0 + 2 * HOUR + n * 1000,
        value: n + k / 1000,
      })),
    });
    const pump = () => {
      while (inFlight < 8 && seq < 3_000 && ws.readyState === ws.OPEN) {
        inFlight++;
        ws.send(JSON.stringify(batch(++seq)));
      }
    };
    let agentId = '';
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          hostname: 'flush-1',
          region: 'us-east-1',
          agentType: 'system',
          version: 'test',
        }),
      ),
    );
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; seq?: number; agentId?: string };
      if (m.type === 'welcome') {
        agentId = m.agentId!;
        pump();
      } else if (m.type === 'ack') {
        acked.add(m.seq!);
        inFlight--;
        pump();
      }
    });
    ws.on('error', () => {});
    // Kill it the moment a flush is writing (its temp files exist), after data has piled up.
    const tsdb = join(dataDir, 'tsdb');
    await waitFor(
      async () => {
        if (acked.size < 200) return false;
        const names = [...(await readdir(tsdb)), ...(await blockFiles(dataDir))];
        return names.some((n) => n.endsWith('.tmp'));
      },
      60_000,
      'a flush in progress',
    );
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    ws.terminate();

    const second = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    const from = H0 + 2 * HOUR;
    for (const k of [0, 99, 199]) {
      // 1 s steps, in windows of 1,500 s (a query gets at most 2,000 points).
      const counts = new Map<number, number | null>();
      for (let w = from; w < from + 3_001_000; w += 1_500_000)
        for (const [t, c] of await countsOf(second, `flush_probe_${k}`, agentId, w, w + 1_500_000))
          counts.set(t, c);
      for (const n of acked) expect(counts.get(from + n * 1000), `batch ${n}`).toBe(1);
      expect([...counts.values()].every((c) => c === null || c === 1)).toBe(true);
    }
  });

  // Two serve starts (30 s deadlines each) and waits for a 10 s checkpoint's compaction: more than the default 60 s on a loaded machine.
  it('sets a torn block file aside at start, raises an alert, and reads the rest', async () => {
    const dataDir = await tempDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    const a = await sendHistory(first.ingestUrl, 'torn-1', 'torn_probe', H0, 600);
    await waitFor(
      async () => (await blockFiles(dataDir)).some((f) => f.startsWith(`raw-${H0}-`)),
      30_000,
      'a compacted raw block',
    );
    a.ws.terminate();
    await first.stop();
    const raw = (await blockFiles(dataDir)).find((f) => f.startsWith(`raw-${H0}-`))!;
    const path = join(dataDir, 'tsdb', 'blocks', raw);
    await truncate(path, (await stat(path)).size - 16);

    const second = await serveIn(dataDir, { checkpointEveryMs: 10_000 });
    const alerts = await waitFor(
      async () =>
        (await api<{ alerts: Alert[] }>(second, '/api/v1/alerts?state=open')).alerts.filter(
          (x) => x.ruleId === 'metric_block_damaged',
        ),
      15_000,
      'the damaged-block alert',
    );
    expect(alerts[0]!.severity).toBe('critical');
    expect(alerts[0]!.message).toMatch(/torn/);
    expect(await blockFiles(dataDir)).toContain(`${raw}.damaged`);
    // The 1-minute buckets of that hour are in their own block, still whole.
    const minutes = await countsOf(second, 'torn_probe', a.agentId, H0, H0 + 600_000, 60_000);
    expect([...minutes.values()]).toEqual(Array(10).fill(60));
  }, 180_000);

  // Three hours go in with a flush between each (10 s apart): a long test, not a slow core.
  it(
    'keeps within the disk budget by deleting the oldest data first, with a warning',
    { timeout: 180_000 },
    async () => {
      const dataDir = await tempDir();
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
      const budget = 1024 * 1024;
      const s = await serveIn(dataDir, { checkpointEveryMs: 10_000, diskBudgetBytes: budget });
      // Full-precision values (nothing for the codec to find): three hours of 12 series, an hour
      // per flush, so each hour is a block of its own (~0.4 MB) and the budget holds two.
      const agent = await connectAgent(s.ingestUrl, { hostname: 'budget-1' });
      let seq = 0;
      for (let hour = 0; hour < 3; hour++) {
        for (let i = hour * 3_600; i < (hour + 1) * 3_600; i += 60) {
          const samples = [];
          for (let k = i; k < i + 60; k++)
            for (let m = 0; m < 12; m++)
              samples.push({ name: `budget_${m}`, ts: H0 + k * 1000, value: Math.random() });
          agent.send({ type: 'metrics', seq: ++seq, samples });
          await agent.next('ack');
        }
        await waitFor(
          async () =>
            (await api<StorageReport>(s, '/api/v1/storage')).tiers[0]!.newest! >=
            H0 + (hour + 1) * HOUR - 1000,
          30_000,
          `hour ${hour} flushed`,
        );
      }
      const report = await waitFor(
        async () => {
          const r = await api<StorageReport>(s, '/api/v1/storage');
          const raw = r.tiers.find((t) => t.tier === 'raw')!;
          return raw.oldest !== null && raw.oldest > H0 && r.totalBytes <= budget ? r : null;
        },
        60_000,
        'the oldest data deleted to fit the budget',
      );
      expect(report.totalBytes).toBeLessThanOrEqual(budget);
      // The operator is told (the warning may have cleared since, if the store shrank well below).
      const seen = await waitFor(
        async () => {
          const all = [
            ...(await api<{ alerts: Alert[] }>(s, '/api/v1/alerts?state=open')).alerts,
            ...(await api<{ alerts: Alert[] }>(s, '/api/v1/alerts?state=resolved')).alerts,
          ];
          return all.find((x) => x.ruleId === 'storage_budget');
        },
        15_000,
        'the storage budget warning',
      );
      expect(seen.message).toMatch(/oldest data .*deleted/);
      // The newest hour is still there, whole.
      const newest = await countsOf(
        s,
        'budget_0',
        agent.agentId,
        H0 + 2 * HOUR,
        H0 + 2 * HOUR + 1_800_000,
      );
      expect([...newest.values()]).toEqual(Array(1_800).fill(1));
    },
  );
});

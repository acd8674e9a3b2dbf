// A real full disk: `meridian serve` keeps its data on a small tmpfs that the test fills with
// a ballast file. The sequence is the one that used to lose acked data: the disk fills, space
// returns, the agent resends its older batches after newer ones were acked, and the console is
// killed with SIGKILL before a checkpoint. Every acked sample must be there after the restart,
// once; while the disk is full the agent is told to wait, a critical alert says why, no WAL
// segments pile up and no temp files are left behind.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Uplink } from '../../agent/uplink.js';
import type { QueryRangeResult } from '../../shared/analysis.js';
import { systemClock } from '../../shared/clock.js';
import type { Alert } from '../../shared/model.js';
import { waitFor } from '../helpers/core.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

const SESSION = 'disk-session';
const AGENT = 'disk-agent';
const BASE = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

const fs = await mountTmpfs(16 * 1024 * 1024);
const skip = 'skip' in fs ? fs.skip : null;
if (skip) console.warn(`SKIPPED: disk-full tests — ${skip}`);

/**
 * An agent that keeps every batch until it is acked, pauses when told `ingest_paused`, and
 * resends what is unacked on a timer while new batches keep going out live, only once a newer
 * batch was acked: so after a pause, older batches reach the console after newer ones.
 */
class ResendingAgent {
  readonly acked = new Set<number>();
  readonly pending = new Map<number, string>();
  deferred = 0;
  agentId = '';
  private seq = 0;
  private pausedUntil = 0;
  private producing = true;
  private readonly timers: NodeJS.Timeout[] = [];
  private ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url, { headers: { Authorization: `Bearer ${AGENT}` } });
    this.ws.on('open', () =>
      this.ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: 1,
          hostname: 'disk-1',
          region: 'us-east-1',
          agentType: 'system',
          version: 'test',
        }),
      ),
    );
    this.ws.on('message', (d) => this.onMessage(JSON.parse(String(d)) as Record<string, unknown>));
    this.ws.on('error', () => {});
  }

  get sent(): number {
    return this.seq;
  }

  stopProducing(): void {
    this.producing = false;
  }

  kill(): void {
    for (const t of this.timers) clearInterval(t);
    this.ws.terminate();
  }

  private onMessage(m: Record<string, unknown>): void {
    if (m.type === 'welcome') {
      this.agentId = m.agentId as string;
      this.timers.push(setInterval(() => this.produce(), 10));
      this.timers.push(setInterval(() => this.resend(), 1_000));
    } else if (m.type === 'ack') {
      this.acked.add(m.seq as number);
      this.pending.delete(m.seq as number);
    } else if (m.type === 'error' && m.code === 'ingest_paused') {
      this.deferred++;
      this.pausedUntil = Date.now() + (m.retryAfterMs as number);
    }
  }

  private produce(): void {
    if (!this.producing) return;
    const seq = ++this.seq;
    const frame = JSON.stringify({
      type: 'metrics',
      seq,
      samples: [{ name: 'disk_probe', ts: BASE + seq * 1000, value: seq }],
    });
    this.pending.set(seq, frame);
    if (Date.now() >= this.pausedUntil) this.ws.send(frame);
  }

  private resend(): void {
    if (Date.now() < this.pausedUntil) return;
    // Only batches older than one acked since: the held batches reach the console after newer
    // ones (the sequence that used to lose data). Once production stops, everything left.
    const newest = Math.max(0, ...this.acked);
    for (const [seq, frame] of this.pending)
      if (seq < newest || !this.producing) this.ws.send(frame);
  }
}

async function api<T>(serve: ServeProcess, path: string): Promise<T> {
  const res = await fetch(`${serve.apiUrl}${path}`, {
    headers: { Authorization: `Bearer ${SESSION}` },
  });
  return (await res.json()) as T;
}

async function metric(serve: ServeProcess, name: string): Promise<number> {
  const res = await fetch(`${serve.apiUrl}/metrics`, {
    headers: { Authorization: `Bearer ${SESSION}` },
  });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const openAlert = async (serve: ServeProcess, ruleId: string) =>
  (await api<{ alerts: Alert[] }>(serve, '/api/v1/alerts?state=open')).alerts.find(
    (a) => a.ruleId === ruleId,
  );

async function filesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1));
  return out;
}

describe.skipIf(skip !== null)('disk full (a real tmpfs)', () => {
  const disk = fs as Tmpfs;
  const dataDir = join(disk?.dir ?? '', 'data');
  const serve = () =>
    spawnServe(dataDir, { MERIDIAN_SESSION_TOKEN: SESSION, MERIDIAN_AGENT_TOKEN: AGENT });
  let first: ServeProcess | null = null;
  let second: ServeProcess | null = null;
  let agent: ResendingAgent | null = null;

  beforeAll(async () => {
    await import('node:fs/promises').then((f) => f.mkdir(dataDir, { recursive: true }));
    await writeFile(
      join(dataDir, 'config.json'),
      JSON.stringify({
        diskResumeFreeBytes: 1024 * 1024,
        lowDiskFreeBytes: 4 * 1024 * 1024,
        diskCheckEveryMs: 200,
        ingestProbeMs: 200,
        checkpointEveryMs: 3_600_000,
        walFlushMs: 20,
      }),
    );
  });
  afterAll(async () => {
    agent?.kill();
    first?.child.kill('SIGKILL');
    second?.child.kill('SIGKILL');
    await disk?.unmount();
  });

  it('pauses ingest with a clear signal, resumes, and keeps every acked sample through SIGKILL', async () => {
    first = await serve();
    agent = new ResendingAgent(first.ingestUrl);
    await waitFor(() => agent!.acked.size >= 50, 15_000, 'first acks');

    await disk.fill();
    // The agent is told to wait; the operator is told why.
    await waitFor(() => agent!.deferred > 0, 15_000, 'ingest_paused sent to the agent');
    const paused = await waitFor(() => openAlert(first!, 'ingest_paused'), 15_000, 'alert');
    expect(paused.severity).toBe('critical');
    expect(paused.message).toMatch(/Disk full: ingest paused/);
    expect(
      await waitFor(() => openAlert(first!, 'low_disk_space'), 15_000, 'low disk'),
    ).toBeDefined();
    expect(await metric(first, 'meridian_ingest_paused')).toBe(1);
    const ackedWhileFull = agent.acked.size;
    // Still full a while later: nothing more is acked, no segments pile up, no temp files stay.
    await waitFor(() => agent!.sent > ackedWhileFull + 150, 15_000, 'batches produced while full');
    expect(agent.acked.size).toBe(ackedWhileFull);
    const files = await filesIn(dataDir);
    expect(files.filter((f) => /wal-\d+\.ndjson$/.test(f)).length).toBeLessThanOrEqual(2);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    await disk.release();
    await waitFor(async () => !(await openAlert(first!, 'ingest_paused')), 15_000, 'resolved');
    // New batches flow at once; the held ones are resent after them (late, within the window).
    await waitFor(() => agent!.sent > ackedWhileFull + 300, 15_000, 'more batches');
    agent.stopProducing();
    await waitFor(() => agent!.pending.size === 0, 20_000, 'every batch acked');
    expect(await metric(first, 'meridian_samples_late_total')).toBeGreaterThan(0);
    const acked = [...agent.acked];
    const agentId = agent.agentId;

    first.child.kill('SIGKILL');
    await new Promise((r) => first!.child.once('exit', r));
    agent.kill();
    second = await serve();
    const qs = new URLSearchParams({
      metric: 'disk_probe',
      agent: agentId,
      from: String(BASE + 1000),
      to: String(BASE + (agent.sent + 1) * 1000),
      step: '1000',
      agg: 'count',
    });
    const body = await api<QueryRangeResult>(second, `/api/v1/query_range?${qs}`);
    const counts = new Map(body.series[0]!.points.map(([t, c]) => [(t - BASE) / 1000, c]));
    const missing = acked.filter((seq) => counts.get(seq) !== 1);
    expect(missing, `acked batches missing after the restart: ${missing.length}`).toEqual([]);
    expect([...counts.values()].every((c) => c === null || c === 1)).toBe(true);
    // A crash on a disk that was full is no WAL damage: no alert about it.
    expect(await openAlert(second, 'wal_corrupt')).toBeUndefined();
  });

  it('the reference agent holds its batches through a full disk and delivers every one', async () => {
    second?.child.kill('SIGKILL');
    second = await serve();
    const uplink = new Uplink({
      url: second.ingestUrl,
      token: AGENT,
      hello: { hostname: 'disk-2', region: 'us-east-1', agentType: 'system', version: 'test' },
      clock: systemClock,
      random: Math.random,
      resendAfterMs: 2_000,
    });
    // After the first test's samples, and still in the past (an hour ago + 16 min).
    const t0 = BASE + 1_000_000;
    let n = 0;
    const produce = setInterval(() => {
      if (uplink.connected || n > 0) {
        n++;
        uplink.sendMetrics([{ name: 'uplink_probe', ts: t0 + n * 1000, value: n }]);
      }
    }, 10);
    try {
      uplink.start();
      await waitFor(() => uplink.stats.batchesAcked >= 30, 15_000, 'first acks');
      await disk.fill();
      await waitFor(() => uplink.stats.pauses > 0, 15_000, 'the agent pauses');
      await waitFor(() => uplink.pendingCount > 100, 15_000, 'batches held while full');
      await disk.release();
      await waitFor(() => n > 400, 15_000, 'more batches');
      clearInterval(produce);
      await waitFor(() => uplink.pendingCount === 0, 30_000, 'every batch acked');
      expect(uplink.stats.batchesDropped).toBe(0);
      const agentId = uplink.agentId!;
      second.child.kill('SIGKILL');
      await new Promise((r) => second!.child.once('exit', r));
      uplink.kill();
      second = await serve();
      const qs = new URLSearchParams({
        metric: 'uplink_probe',
        agent: agentId,
        from: String(t0 + 1000),
        to: String(t0 + (n + 1) * 1000),
        step: '1000',
        agg: 'count',
      });
      const body = await api<QueryRangeResult>(second, `/api/v1/query_range?${qs}`);
      const stored = body.series[0]!.points.filter(([, c]) => c === 1).length;
      expect(stored).toBe(n);
    } finally {
      clearInterval(produce);
      uplink.kill();
    }
  });
});

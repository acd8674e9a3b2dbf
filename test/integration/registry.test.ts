// The agent registry under a flood of distinct hellos, its cap, its durability before the
// welcome, and the move out of state.json: the real core, real WebSockets, real files.
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentsPage } from '../../shared/api.js';
import { CLOSE } from '../../shared/protocol.js';
import type { Agent, Alert } from '../../shared/model.js';
import {
  WAIT_MS,
  connectAgent,
  hello,
  metricsFrame,
  openIngest,
  startTestCore,
  tempDir,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { readRegistryFile } from '../helpers/registry-file.js';
import { decodeLine } from '../../electron/core/checked-line.js';

/** Connect `n` agents with distinct hostnames, `parallel` at a time; all get their welcome. */
async function connectMany(url: string, n: number, prefix: string, parallel = 100) {
  const agents: TestAgent[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, n - i) }, (_, j) =>
      connectAgent(url, { hostname: `${prefix}-${i + j}`, region: REGIONS[(i + j) % 4] }),
    );
    agents.push(...(await Promise.all(batch)));
  }
  return agents;
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1'] as const;

async function allAgents(t: TestCore): Promise<Agent[]> {
  const out: Agent[] = [];
  let cursor: string | null = null;
  do {
    const qs: string = cursor ? `?limit=1000&cursor=${cursor}` : '?limit=1000';
    const { body } = await t.api<AgentsPage>(`/api/v1/agents${qs}`);
    out.push(...(body.agents as Agent[]));
    cursor = body.nextCursor;
  } while (cursor);
  return out;
}

describe('agent registry', () => {
  let t: TestCore | null = null;
  const sockets: TestAgent[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t?.stop();
    t = null;
  });

  it('3,000 distinct hellos: one line each in agents.ndjson, no state.json rewrite, a cap at N with an alert, all back after a restart', async () => {
    const N = 3_000;
    const dataDir = await tempDir();
    // These agents send no heartbeats: a long interval keeps them online (no status writes).
    const config = {
      dataDir,
      maxAgents: N,
      allowUnknownRegions: true,
      heartbeatIntervalMs: 600_000,
    };
    t = await startTestCore(config);
    await t.core.state.flush(); // the write every start makes
    const statePath = join(dataDir, 'state.json');
    const stateBefore = await stat(statePath);
    const stateWritesBefore = await t.metric('meridian_state_writes_total');
    expect(stateWritesBefore).toBeGreaterThan(0);

    sockets.push(...(await connectMany(t.addr.ingestUrl, N, 'flood')));
    const registry = await readRegistryFile(dataDir);
    // One appended line per new agent: no rewrite of the registry, none of state.json.
    expect(registry.lines).toBe(N);
    expect(registry.agents.size).toBe(N);
    expect(await t.metric('meridian_state_writes_total')).toBe(stateWritesBefore);
    const stateAfter = await stat(statePath);
    expect([stateAfter.size, stateAfter.mtimeMs]).toEqual([stateBefore.size, stateBefore.mtimeMs]);
    // Registrations share fsyncs (group commit).
    const appends = await t.metric('meridian_registry_writes_total', { kind: 'append' });
    expect(appends).toBeGreaterThan(0);
    expect(appends).toBeLessThan(N);
    expect(await t.metric('meridian_agents_registered')).toBe(N);

    // Agent N+1 is refused with 4011, counted, and raises one console alert.
    const extra = await openIngest(t.addr.ingestUrl);
    extra.send(hello({ hostname: 'one-too-many' }));
    const closed = await Promise.race([extra.closed, extra.next('welcome')]);
    expect(closed).toHaveProperty('code', CLOSE.agentLimit.code);
    expect((closed as { reason: string }).reason).toBe(
      'agent_limit: agent registry full (3000/3000); retire agents or raise maxAgents',
    );
    expect(await t.metric('meridian_frames_rejected_total', { reason: 'agent_limit' })).toBe(1);
    const open = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(open.filter((a) => a.ruleId === 'agent_limit')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        subject: { kind: 'console', regionId: null, agentId: null },
        message: 'agent registry full: 3000/3000; retire agents or raise maxAgents',
      }),
    ]);
    // A second refusal does not raise a second alert.
    const again = await openIngest(t.addr.ingestUrl);
    again.send(hello({ hostname: 'two-too-many' }));
    expect(await Promise.race([again.closed, again.next('welcome')])).toHaveProperty(
      'code',
      CLOSE.agentLimit.code,
    );
    const limitAlerts = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts')).body.alerts.filter(
      (a) => a.ruleId === 'agent_limit',
    );
    expect(limitAlerts).toHaveLength(1);

    // A known agent reconnecting is never refused by the cap.
    const known = sockets[17]!;
    await known.close();
    const back = await connectAgent(t.addr.ingestUrl, {
      hostname: 'flood-17',
      region: REGIONS[17 % 4],
    });
    sockets.push(back);
    expect(back.agentId).toBe(known.agentId);

    const ids = (await allAgents(t)).map((a) => a.id).sort();
    expect(ids).toHaveLength(N);
    await t.stop({ keepDir: true });
    for (const s of sockets.splice(0)) s.ws.terminate();

    // Every registered agent is back after a restart.
    t = await startTestCore(config);
    expect((await allAgents(t)).map((a) => a.id).sort()).toEqual(ids);
  }, 120_000);

  it('sends the welcome, and acks, only once the new agent is durable in agents.ndjson', async () => {
    t = await startTestCore();
    // Hold the registry's next write, as a slow disk would.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = (t.core.registry.log as unknown as { log: { handle: FileHandle } }).log;
    const real = inner.handle;
    const held = Object.create(real) as FileHandle;
    held.appendFile = async (data, options) => {
      await gate;
      return real.appendFile(data, options);
    };
    inner.handle = held;

    const conn = await openIngest(t.addr.ingestUrl);
    const received: string[] = [];
    conn.ws.on('message', (d) => received.push((JSON.parse(String(d)) as { type: string }).type));
    const walBefore = t.core.store.walBytes;
    conn.send(hello({ hostname: 'careful-1' }));
    // Frames may follow the hello before the welcome; this batch reaches the WAL…
    conn.send(metricsFrame([{ name: 'cpu_usage', value: 12 }]));
    await waitFor(() => t!.core.store.walBytes > walBefore, WAIT_MS, 'the batch in the WAL');
    // …and whatever the console sent before this pong would have arrived before it.
    await new Promise<void>((resolve) => {
      conn.ws.once('pong', () => resolve());
      conn.ws.ping();
    });
    expect(received).toEqual([]);
    expect(t.core.fleet.listAgents().map((a) => a.hostname)).toEqual(['careful-1']);

    release();
    await conn.next('welcome');
    await conn.next('ack');
    expect(received).toEqual(['welcome', 'ack']);
    const { agents } = await readRegistryFile(t.dataDir);
    expect([...agents.values()].map((a) => a.hostname)).toEqual(['careful-1']);
    await conn.close();
  });

  it('a registration the disk refuses closes with 1011 (no welcome); the log repairs itself', async () => {
    t = await startTestCore();
    const first = await connectAgent(t.addr.ingestUrl, { hostname: 'before-1' });
    sockets.push(first);
    // The next append writes half its line and fails, as a short write on a full disk does.
    const inner = (t.core.registry.log as unknown as { log: { handle: FileHandle } }).log;
    const real = inner.handle;
    const torn = Object.create(real) as FileHandle;
    torn.appendFile = async (data) => {
      const text = String(data);
      await real.appendFile(text.slice(0, Math.floor(text.length / 2)));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    torn.close = () => real.close();
    inner.handle = torn;

    const conn = await openIngest(t.addr.ingestUrl);
    conn.send(hello({ hostname: 'unlucky-1' }));
    const outcome = await Promise.race([conn.closed, conn.next('welcome')]);
    expect(outcome).toEqual({
      code: CLOSE.registryFailed.code,
      reason: 'registry_failed: registration not saved: ENOSPC: no space left on device',
    });
    expect(await t.metric('meridian_frames_rejected_total', { reason: 'registry_failed' })).toBe(1);
    // The agent retries; once the log is rewritten (repair), it is welcomed and on disk.
    const again = await waitFor(
      async () => {
        const c = await openIngest(t!.addr.ingestUrl);
        c.send(hello({ hostname: 'unlucky-1' }));
        const r = await Promise.race([c.closed, c.next<{ agentId: string }>('welcome')]);
        return 'agentId' in r ? { ...c, agentId: r.agentId } : null;
      },
      WAIT_MS,
      'a welcome after the repair',
    );
    sockets.push(again);
    const { agents } = await readRegistryFile(t.dataDir);
    expect([...agents.values()].map((a) => a.hostname).sort()).toEqual(['before-1', 'unlucky-1']);
    // Rewritten whole: the torn half-line is gone, every line checks out.
    const raw = (await readFile(join(t.dataDir, 'agents.ndjson'), 'utf8')).split('\n');
    expect(raw.pop()).toBe('');
    expect(raw.filter((line) => decodeLine(line) === null)).toEqual([]);
    expect(await t.metric('meridian_registry_writes_total', { kind: 'compact' })).toBeGreaterThan(
      0,
    );
  });

  it('the "registry full" alert resolves at the next start when maxAgents was raised', async () => {
    const dataDir = await tempDir();
    t = await startTestCore({ dataDir, maxAgents: 1 });
    sockets.push(await connectAgent(t.addr.ingestUrl, { hostname: 'only-1' }));
    const refused = await openIngest(t.addr.ingestUrl);
    refused.send(hello({ hostname: 'only-2' }));
    expect(await Promise.race([refused.closed, refused.next('welcome')])).toHaveProperty(
      'code',
      CLOSE.agentLimit.code,
    );
    const open = () =>
      t!.core.alerts.list({ state: 'open' }).filter((a) => a.ruleId === 'agent_limit');
    expect(open()).toHaveLength(1);
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t.stop({ keepDir: true });

    // Still full: the alert stays open across the restart.
    t = await startTestCore({ dataDir, maxAgents: 1 });
    expect(open()).toHaveLength(1);
    await t.stop({ keepDir: true });
    t = await startTestCore({ dataDir, maxAgents: 5 });
    expect(open()).toEqual([]);
    const resolved = t.core.alerts
      .list({ state: 'resolved' })
      .find((a) => a.ruleId === 'agent_limit');
    expect(resolved).toMatchObject({ resolvedBy: 'auto' });
    sockets.push(await connectAgent(t.addr.ingestUrl, { hostname: 'only-2' }));
  });

  it('moves the agents of an old state.json into agents.ndjson and writes state.json (and .bak) without them', async () => {
    const dataDir = await tempDir();
    const old = (id: string, hostname: string, status: Agent['status']): Agent => ({
      id,
      regionId: 'eu-west-1',
      hostname,
      ipAddress: '10.0.0.9',
      type: 'database',
      version: '0.9',
      labels: { team: 'db' },
      status,
      registeredAt: 1_700_000_000_000,
      lastHeartbeat: 1_700_000_100_000,
      statusChangedAt: 1_700_000_100_000,
      metricsCount: 77,
      alertsCount: 0,
      latest: { cpu_usage: 40 },
    });
    const legacy = [old('agt-old-1', 'db-1', 'offline'), old('agt-old-2', 'db-2', 'error')];
    await writeFile(
      join(dataDir, 'state.json'),
      JSON.stringify({
        version: 1,
        regions: [],
        agents: legacy,
        rules: [],
        alerts: [],
        events: [],
      }),
    );
    t = await startTestCore({ dataDir });
    // Both are down with no open alert: the console raises their offline alerts at start (a
    // condition that holds is never left quiet), so each counts one.
    expect(await allAgents(t)).toEqual(legacy.map((a) => ({ ...a, alertsCount: 1 })));
    const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
    const backup = JSON.parse(await readFile(join(dataDir, 'state.json.bak'), 'utf8'));
    expect([state.agents, backup.agents]).toEqual([undefined, undefined]);
    expect([...(await readRegistryFile(dataDir)).agents.values()]).toEqual(legacy);

    // A migrated agent reconnecting keeps its id; a second start migrates nothing again.
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'db-1', region: 'eu-west-1' });
    expect(a.agentId).toBe('agt-old-1');
    await a.close();
    await t.stop({ keepDir: true });
    t = await startTestCore({ dataDir });
    expect((await allAgents(t)).map((x) => x.id).sort()).toEqual(['agt-old-1', 'agt-old-2']);
  });

  it('writes a region a hello created to state.json at once (the registry log holds only agents)', async () => {
    // No heartbeats needed (so no offline alert, which would write state.json anyway).
    t = await startTestCore({ allowUnknownRegions: true, heartbeatIntervalMs: 600_000 });
    await t.core.state.flush(); // the start's own write is done: the region needs another
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'far-1', region: 'sa-east-1' });
    await waitFor(
      async () => {
        const text = await readFile(join(t!.dataDir, 'state.json'), 'utf8').catch(() => '');
        const state = text ? (JSON.parse(text) as { regions: { id: string }[] }) : null;
        return state?.regions.some((r) => r.id === 'sa-east-1');
      },
      WAIT_MS,
      'sa-east-1 in state.json',
    );
    await a.close();
  });

  it('counts every durable state.json write in meridian_state_writes_total', async () => {
    t = await startTestCore();
    await t.core.state.flush();
    const first = await t.metric('meridian_state_writes_total');
    expect(first).toBe(t.core.state.writes);
    expect(first).toBeGreaterThan(0);
    // An alert is a change to state.json: one more write, counted.
    const a = await connectAgent(t.addr.ingestUrl, { hostname: 'hot-1' });
    a.send(metricsFrame([{ name: 'cpu_usage', value: 99 }]));
    await a.next('ack');
    await waitFor(() => t!.core.state.writes > first, WAIT_MS, 'a state.json write');
    await t.core.state.flush();
    expect(await t.metric('meridian_state_writes_total')).toBe(t.core.state.writes);
    await a.close();
  });
});

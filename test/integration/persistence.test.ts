import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Agent, Alert } from '../../shared/model.js';
import {
  WAIT_MS,
  connectAgent,
  metricsFrame,
  startTestCore,
  tempDir,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { readRegistryFile } from '../helpers/registry-file.js';

describe('state across restarts', () => {
  let t: TestCore | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  async function seed(dataDir: string) {
    const core = await startTestCore({ dataDir, allowUnknownRegions: true });
    const a = await connectAgent(core.addr.ingestUrl, { hostname: 'keep-me', region: 'sa-east-1' });
    const frame = metricsFrame([{ name: 'disk_usage', value: 98 }]);
    a.send(frame);
    await a.next('ack');
    await a.close();
    await core.stop({ keepDir: true });
    return a.agentId;
  }

  it('restores agents, regions and alerts after a restart; a returning agent keeps its id', async () => {
    const dataDir = await tempDir();
    const agentId = await seed(dataDir);
    t = await startTestCore({ dataDir });
    const agents = (await t.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents;
    expect(agents).toEqual([
      expect.objectContaining({
        id: agentId,
        hostname: 'keep-me',
        status: 'offline',
        metricsCount: 1,
      }),
    ]);
    const regions = (
      await t.api<{ regions: { id: string }[] }>('/api/v1/regions')
    ).body.regions.map((r) => r.id);
    expect(regions).toContain('sa-east-1');
    const alerts = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(alerts.map((a) => a.ruleId).sort()).toEqual([
      'agent_offline',
      'disk_usage',
      'region_status',
    ]);

    const again = await connectAgent(t.addr.ingestUrl, {
      hostname: 'keep-me',
      region: 'sa-east-1',
    });
    expect(again.agentId).toBe(agentId);
    await again.close();
  });

  it('writes state.json durably and keeps the previous copy as state.json.bak', async () => {
    t = await startTestCore();
    const a = await connectAgent(t.addr.ingestUrl);
    await t.core.state.flush();
    const firstWrite = await readFile(join(t.dataDir, 'state.json'), 'utf8');
    await a.close(); // the agent goes offline: its alert is a change, so a second write
    await waitFor(() => t!.core.alerts.openFor('agent_offline', a.agentId), WAIT_MS, 'alert');
    await t.core.state.flush();
    const state = JSON.parse(await readFile(join(t.dataDir, 'state.json'), 'utf8'));
    expect(state.version).toBe(1);
    expect(state.rules.map((r: { id: string }) => r.id)).toContain('cpu_usage');
    expect(state.alerts.map((x: Alert) => x.ruleId)).toContain('agent_offline');
    // The registry is agents.ndjson, not state.json; the status change reached it.
    expect(state.agents).toBeUndefined();
    await waitFor(
      async () => (await readRegistryFile(t!.dataDir)).agents.get(a.agentId)?.status === 'offline',
      WAIT_MS,
      'offline status in agents.ndjson',
    );
    expect(await readFile(join(t.dataDir, 'state.json.bak'), 'utf8')).toBe(firstWrite);
  });

  it.each([
    ['garbage', '{"version":1,"agents":[{"id'],
    ['an empty file', ''],
    ['a wrong top level', '[1,2,3]'],
  ])(
    'a state.json holding %s loads the last good copy and raises an alert saying so',
    async (_what, content) => {
      const dataDir = await tempDir();
      const agentId = await seed(dataDir);
      // seed() stopped cleanly, so state.json.bak is a good copy from one write earlier.
      await writeFile(join(dataDir, 'state.json'), content);
      t = await startTestCore({ dataDir, allowUnknownRegions: true });
      const agents = (await t.api<{ agents: Agent[] }>('/api/v1/agents')).body.agents;
      expect(agents.map((x) => x.id)).toEqual([agentId]);
      const alerts = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
      const recovery = alerts.find((x) => x.ruleId === 'state_recovered');
      expect(recovery).toMatchObject({ severity: 'warning', subject: { kind: 'console' } });
      expect(recovery!.message).toContain('last good copy');
      // The bad file is kept for inspection, not overwritten.
      const kept = recovery!.message.match(/kept as (\S+)\./)![1]!;
      expect(await readFile(kept, 'utf8')).toBe(content);
    },
  );

  it('drops individual invalid records from a hand-edited file and keeps the rest', async () => {
    const dataDir = await tempDir();
    await seed(dataDir);
    const path = join(dataDir, 'state.json');
    const state = JSON.parse(await readFile(path, 'utf8'));
    state.rules.push({ id: 'broken', kind: 'threshold' });
    state.rules.find((r: { id: string }) => r.id === 'cpu_usage').warning = 50;
    await writeFile(path, JSON.stringify(state));
    t = await startTestCore({ dataDir });
    const a = await connectAgent(t.addr.ingestUrl);
    a.send(metricsFrame([{ name: 'cpu_usage', value: 60 }]));
    await a.next('ack');
    const alerts = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts;
    expect(alerts.find((x) => x.ruleId === 'cpu_usage')).toMatchObject({
      threshold: 50,
      severity: 'warning',
    });
    await a.close();
  });
});

describe('clean shutdown', () => {
  it('is not an outage: connected agents keep their status and no offline alerts are raised', async () => {
    const dataDir = await tempDir();
    const first = await startTestCore({ dataDir, heartbeatIntervalMs: 100 });
    const a = await connectAgent(first.addr.ingestUrl, { hostname: 'stays' });
    await first.stop({ keepDir: true }); // the agent's socket is still open when the console stops
    const state = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'));
    const { agents } = await readRegistryFile(dataDir);
    expect([...agents.values()].map((x) => [x.id, x.status])).toEqual([[a.agentId, 'online']]);
    expect(state.alerts).toEqual([]);

    // After a restart the agent has a grace period (restartGraceMs) to come back, then it is
    // offline. A ManualClock steps through the grace exactly (a real one would make "still online"
    // depend on how long a busy machine takes to start the core).
    const clock = new ManualClock(Date.now());
    const second = await startTestCore(
      { dataDir, heartbeatIntervalMs: 100, restartGraceMs: 500 },
      { clock },
    );
    const status = () => second.core.fleet.agent(a.agentId)?.status;
    try {
      expect(status()).toBe('online');
      clock.advance(500);
      expect(status()).toBe('online');
      clock.advance(25); // the watchdog's next sweep (every heartbeat interval / 4)
      expect(status()).toBe('offline');
      const alerts = await waitFor(
        async () => {
          const open = (await second.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body
            .alerts;
          return open.some((x) => x.ruleId === 'agent_offline') && open;
        },
        undefined,
        'agent_offline alert',
      );
      expect(alerts.map((x) => x.ruleId)).toContain('agent_offline');
    } finally {
      await second.stop();
    }
  });
});

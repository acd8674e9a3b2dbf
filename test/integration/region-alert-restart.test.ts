// A region alert says the region's current counts after a restart, even when state.json is one
// write behind the agent registry (each file has its own debounce; a crash between the two
// writes leaves them so). Fault injected: state.json replaced by its previous version.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Region } from '../../shared/model.js';
import {
  connectAgent,
  startTestCore,
  tempDir,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const REGION = 'eu-west-1';

describe('region alerts after a restart', () => {
  let t: TestCore | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  const regionAlert = async (core: TestCore) =>
    (await core.api<{ alerts: Alert[] }>(`/api/v1/alerts?region=${REGION}`)).body.alerts.find(
      (a) => a.ruleId === 'region_status',
    );
  const region = async (core: TestCore) =>
    (await core.api<{ regions: Region[] }>('/api/v1/regions')).body.regions.find(
      (r) => r.id === REGION,
    )!;
  /** state.json's text once it says `text`. */
  const stateSaying = (dataDir: string, text: string) =>
    waitFor(
      async () => {
        // Not there yet, or between the two renames of a write (current → .bak, temp → current).
        const json = await readFile(join(dataDir, 'state.json'), 'utf8').catch(() => '');
        return json.includes(text) ? json : null;
      },
      undefined,
      `state.json saying '${text}'`,
    );

  /** Four agents in the region, `offline` of them closed; state.json copied when it says so. */
  async function seed(dataDir: string, steps: { offline: number; copyAt?: string }[]) {
    const core = await startTestCore({ dataDir, heartbeatIntervalMs: 60_000 });
    const agents: TestAgent[] = [];
    for (let i = 0; i < 4; i++)
      agents.push(await connectAgent(core.addr.ingestUrl, { hostname: `eu-${i}`, region: REGION }));
    let closed = 0;
    for (const step of steps) {
      while (closed < step.offline) await agents[closed++]!.close();
      await waitFor(async () => (await region(core)).onlineCount === 4 - step.offline);
      if (step.copyAt)
        await writeFile(join(dataDir, 'older-state.json'), await stateSaying(dataDir, step.copyAt));
    }
    // A clean stop: the agents still connected keep their status (the console closes them).
    await core.stop({ keepDir: true });
  }

  it('an alert loaded saying 1/4 while the registry has the region at 0/4 says 0/4', async () => {
    const dataDir = await tempDir();
    await seed(dataDir, [{ offline: 3, copyAt: 'failed: 1/4 agents online' }, { offline: 4 }]);
    // The fault: state.json one write behind the registry.
    await copyFile(join(dataDir, 'older-state.json'), join(dataDir, 'state.json'));
    t = await startTestCore({ dataDir, heartbeatIntervalMs: 60_000 });
    expect(await region(t)).toMatchObject({ onlineCount: 0, agentCount: 4, status: 'failed' });
    const alert = await regionAlert(t);
    expect(alert).toMatchObject({ state: 'firing', severity: 'critical', value: 0, lastValue: 0 });
    expect(alert!.message).toContain('failed: 0/4 agents online (0%)');
  });

  it('an alert loaded open on a region the registry has healthy resolves at start', async () => {
    const dataDir = await tempDir();
    // Region failed (1/4) and its alert saved; then the copy, then every agent back.
    await seed(dataDir, [{ offline: 3, copyAt: 'failed: 1/4 agents online' }]);
    // The registry has three agents offline: bring them back in a run between, whose
    // state.json (the alert resolved) is then replaced by the older copy again.
    const mid = await startTestCore({ dataDir, heartbeatIntervalMs: 60_000 });
    const back: TestAgent[] = [];
    for (let i = 0; i < 3; i++)
      back.push(await connectAgent(mid.addr.ingestUrl, { hostname: `eu-${i}`, region: REGION }));
    await waitFor(async () => (await region(mid)).onlineCount >= 3);
    await mid.stop({ keepDir: true });
    await copyFile(join(dataDir, 'older-state.json'), join(dataDir, 'state.json'));

    t = await startTestCore({ dataDir, heartbeatIntervalMs: 60_000 });
    const now = await region(t);
    expect(now.status).toBe('active');
    const alert = await regionAlert(t);
    expect(alert).toMatchObject({ state: 'resolved', resolvedBy: 'auto' });
  });
});

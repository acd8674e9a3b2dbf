// agents.ndjson: what is written when. A new agent or a changed identity at once; status on
// a debounce; heartbeats and counts only at close. Real files; the manual clock drives timers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ManualClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { AgentLog } from '../../electron/core/state/agent-log.js';
import type { Agent } from '../../shared/model.js';
import { readRegistryFile } from '../helpers/registry-file.js';
import { waitFor } from '../helpers/core.js';

const T0 = 1_700_000_000_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-agentlog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function agent(id: string, over: Partial<Agent> = {}): Agent {
  return {
    id,
    regionId: 'us-east-1',
    hostname: `host-${id}`,
    ipAddress: '10.0.0.1',
    type: 'system',
    version: '1.0',
    labels: {},
    status: 'online',
    registeredAt: T0,
    lastHeartbeat: T0,
    statusChangedAt: T0,
    metricsCount: 0,
    alertsCount: 0,
    latest: {},
    ...over,
  };
}

async function setup() {
  const clock = new ManualClock(T0);
  const fleet = new Map<string, Agent>();
  const writes: string[] = [];
  const log = new AgentLog(
    dir,
    { clock, logger: silentLogger, lookup: (id) => fleet.get(id), onWrite: (k) => writes.push(k) },
    { debounceMs: 1_000, flushMs: 5 },
  );
  await log.open();
  /** Let the group-commit timer fire and wait for the write. */
  const settle = async (p: Promise<void>) => {
    clock.advance(5);
    await p;
  };
  const lines = async () => (await readRegistryFile(dir)).lines;
  return { clock, fleet, writes, log, settle, lines };
}

describe('AgentLog', () => {
  it('writes a new agent at once, and a known one only when its identity changed', async () => {
    const { fleet, log, settle, lines } = await setup();
    const a = agent('agt-1');
    fleet.set(a.id, a);
    await settle(log.persist(a));
    expect(await lines()).toBe(1);
    // Reconnecting with nothing changed: durable already, nothing written.
    await log.persist(a);
    expect(await lines()).toBe(1);
    a.version = '1.1';
    await settle(log.persist(a));
    expect(await lines()).toBe(2);
    expect((await readRegistryFile(dir)).agents.get('agt-1')!.version).toBe('1.1');
    await log.close();
  });

  it('writes status changes once per debounce, with the state at that moment', async () => {
    const { clock, fleet, log, settle, lines } = await setup();
    const a = agent('agt-1');
    const b = agent('agt-2');
    fleet.set(a.id, a).set(b.id, b);
    await settle(Promise.all([log.persist(a), log.persist(b)]).then(() => {}));
    a.status = 'offline';
    log.statusChanged(a.id);
    a.status = 'online';
    log.statusChanged(a.id);
    b.status = 'error';
    log.statusChanged(b.id);
    clock.advance(999);
    expect(await lines()).toBe(2);
    clock.advance(1); // the debounce: one upsert per changed agent…
    clock.advance(5); // …in one group commit
    await waitFor(async () => (await lines()) === 4, 5_000, 'the debounced write');
    const { agents } = await readRegistryFile(dir);
    expect([agents.get('agt-1')!.status, agents.get('agt-2')!.status]).toEqual(['online', 'error']);
    await log.close();
    expect(await lines()).toBe(4);
  });

  it('heartbeats and counts are never written alone, only at close', async () => {
    const { clock, fleet, log, settle, lines } = await setup();
    const a = agent('agt-1');
    fleet.set(a.id, a);
    await settle(log.persist(a));
    a.metricsCount = 500;
    a.lastHeartbeat = T0 + 60_000;
    log.touch(a.id);
    clock.advance(60_000);
    expect(await lines()).toBe(1);
    await log.close();
    const { agents, lines: n } = await readRegistryFile(dir);
    expect(n).toBe(2);
    expect(agents.get('agt-1')).toMatchObject({ metricsCount: 500, lastHeartbeat: T0 + 60_000 });
  });

  it('migrates only the agents it does not hold, and a removal is durable', async () => {
    const { clock, fleet, log, settle, lines } = await setup();
    const a = agent('agt-1');
    fleet.set(a.id, a);
    await settle(log.persist(a));
    const older = agent('agt-1', { version: '0.1' });
    const migrated = log.migrate([older, agent('agt-2')]);
    clock.advance(5);
    expect((await migrated).map((x) => x.id)).toEqual(['agt-2']);
    await settle(log.remove('agt-1'));
    expect(await lines()).toBe(3);
    await log.close();
    const reopened = new AgentLog(
      dir,
      { clock: new ManualClock(T0), logger: silentLogger, lookup: () => undefined },
      { debounceMs: 1_000 },
    );
    expect((await reopened.open()).agents.map((x) => x.id)).toEqual(['agt-2']);
    await reopened.close();
  });
});

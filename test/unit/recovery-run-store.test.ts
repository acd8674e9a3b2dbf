// The run store finds an incident's runs through an index (GET /recovery/stats reads the runs of
// every incident): looking one incident up reads only its own runs, never every run the console
// keeps, and the index follows retention and a restart. Real record logs in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecoveryRun } from '../../shared/recovery.js';
import { ManualClock } from '../../electron/core/clock.js';
import { silentLogger } from '../../electron/core/logger.js';
import { RecoveryLog } from '../../electron/core/recovery/recovery-log.js';
import { RunStore } from '../../electron/core/recovery/run-store.js';

const T0 = 1_700_000_000_000;

function run(n: number, incident: number, ended: boolean): RecoveryRun {
  return {
    id: `run-${n}`,
    runbookId: 'disk',
    runbookName: 'Free disk',
    mode: 'automatic',
    incidentId: `inc-${incident}`,
    alertId: `alt-${n}`,
    agentId: `agt-${n % 7}`,
    regionId: 'eu-west-1',
    state: ended ? 'succeeded' : 'verifying',
    guardrail: null,
    reason: null,
    createdAt: T0 + n,
    approvedBy: null,
    approvedAt: null,
    dispatchedAt: T0 + n,
    endedAt: ended ? T0 + n + 1 : null,
    steps: [],
    escalated: false,
  };
}

describe('recovery run store', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  async function open(clock: ManualClock, maxRuns = 1_000): Promise<RunStore> {
    dir ||= await mkdtemp(join(tmpdir(), 'meridian-runs-'));
    const store = new RunStore(
      new RecoveryLog(
        { clock, logger: silentLogger, dataDir: dir },
        { retentionMs: 86_400_000, maxRuns },
      ),
    );
    await store.open();
    return store;
  }

  it("an incident's runs are read through the index: only that incident's runs are touched", async () => {
    const clock = new ManualClock(T0);
    const store = await open(clock);
    // Each run records who reads it once stored.
    const touched = new Set<string>();
    let watching = false;
    for (let n = 0; n < 300; n++) {
      const r = run(n, n % 100, true);
      store.putRun(
        new Proxy(r, {
          get(target, key, receiver) {
            if (watching) touched.add(target.id);
            return Reflect.get(target, key, receiver) as unknown;
          },
        }),
      );
    }
    await store.flush();
    watching = true;
    const mine = store.runsOf('inc-7');
    watching = false;
    expect(mine.map((r) => r.id)).toEqual(['run-7', 'run-107', 'run-207']);
    expect([...touched].sort()).toEqual(['run-107', 'run-207', 'run-7']);
    expect(store.runsOf('inc-404')).toEqual([]);
    await store.close();
  });

  it('the index follows retention and a restart', async () => {
    const clock = new ManualClock(T0 + 10);
    const store = await open(clock, 10);
    for (let n = 0; n < 12; n++) store.putRun(run(n, n < 4 ? 1 : 2, n !== 11));
    store.prune();
    // 11 ended, at most 10 kept: the oldest ended one (run-0, of inc-1) goes.
    expect(store.runsOf('inc-1').map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3']);
    await store.close();
    const again = await open(clock, 10);
    expect(again.runsOf('inc-1').map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(again.runsOf('inc-2')).toHaveLength(8);
    await again.close();
  });
});

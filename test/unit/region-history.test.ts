// The region history: the real Fleet and the real MetricStore (files in a temp dir) on a manual
// clock, so a test steps through minutes and hours exactly.
import { describe, expect, it } from 'vitest';
import type { RegionHistory } from '../../shared/api.js';
import { silentLogger } from '../../electron/core/logger.js';
import { readRegionHistory } from '../../electron/core/fleet/region-history-query.js';
import {
  REGION_HISTORY_COALESCE_MS,
  RegionHistoryRecorder,
} from '../../electron/core/fleet/region-history.js';
import { MetricStore, type MetricStoreOptions } from '../../electron/core/store/metric-store.js';
import { DEFAULT_RETENTION } from '../../electron/core/store/tsdb.js';
import { connectOk, hello, setup } from './support/fleet-fixture.js';
import { useTempDir } from './support/store-fixture.js';

const dir = useTempDir('meridian-region-history-');
const MINUTE = 60_000;

const OPTS: MetricStoreOptions = {
  maxSeriesPerAgent: 100,
  retention: DEFAULT_RETENTION,
  walFlushMs: 5,
  checkpointEveryMs: 24 * 3_600_000,
  checkpointWalBytes: 1e12,
  outOfOrderWindowMs: 0,
  diskBudgetBytes: 1e15,
  headIdleMs: 24 * 3_600_000,
  backend: 'inline',
};

async function rig() {
  const { clock, events, fleet } = setup();
  const open = async () => {
    const store = new MetricStore(dir(), { clock, logger: silentLogger }, OPTS);
    await store.open();
    const recorder = new RegionHistoryRecorder({
      clock,
      fleet,
      events,
      store,
      logger: silentLogger,
    });
    recorder.start();
    return { store, recorder };
  };
  return { clock, fleet, open };
}

/** [online, registered] of the step holding `t`. */
function at(h: RegionHistory, t: number): [number | null, number | null] {
  const p = h.points.find(([start]) => start <= t && t < start + h.step);
  if (!p) throw new Error(`no step holds ${t}`);
  return [p[1], p[2]];
}

function connect(fleet: ReturnType<typeof setup>['fleet'], n: number, region = 'eu-west-1') {
  return Array.from({ length: n }, (_, i) =>
    connectOk(fleet, hello({ hostname: `${region}-h${i}`, region })),
  );
}

describe('region history', () => {
  it('records each change, carries a value across steps until the next point, and shows a dip as the step minimum', async () => {
    const { clock, fleet, open } = await rig();
    const { store, recorder } = await open();
    const t0 = clock.now();
    const agents = connect(fleet, 4);
    clock.advance(REGION_HISTORY_COALESCE_MS);
    clock.advance(5 * MINUTE);
    const tDown = clock.now();
    fleet.disconnect(agents[0]!.agent.id, agents[0]!.connectionId, 'offline');
    fleet.disconnect(agents[1]!.agent.id, agents[1]!.connectionId, 'offline');
    clock.advance(30_000);
    const tBack = clock.now();
    connectOk(fleet, hello({ hostname: 'eu-west-1-h0', region: 'eu-west-1' }));
    clock.advance(10 * MINUTE);

    const h = readRegionHistory(store, 'eu-west-1', '1h', clock.now());
    expect(h.step).toBe(15_000);
    // 240 steps, and one more where `from` was aligned down to a step.
    expect(h.points).toHaveLength(241);
    // Nothing was recorded before the console started.
    expect(at(h, t0 - 10 * MINUTE)).toEqual([null, null]);
    // Between points (one a minute while nothing changes), the last one holds.
    expect(at(h, t0 + 2 * MINUTE + 20_000)).toEqual([4, 4]);
    expect(at(h, tDown + 16_000)).toEqual([2, 4]);
    expect(at(h, tBack + 5 * MINUTE)).toEqual([3, 4]);
    // The step in which two agents dropped holds the fewest online.
    expect(at(h, tDown)[0]).toBe(2);
    // A region that never had an agent has no history.
    expect(at(readRegionHistory(store, 'us-east-1', '1h', clock.now()), tBack)).toEqual([
      null,
      null,
    ]);
    recorder.stop();
    await store.close();
  });

  it('survives a restart, and shows the time the console was down as a gap', async () => {
    const { clock, fleet, open } = await rig();
    let { store, recorder } = await open();
    connect(fleet, 3);
    clock.advance(REGION_HISTORY_COALESCE_MS + 2 * MINUTE);
    const before = clock.now() - MINUTE;
    recorder.stop();
    await store.close();
    clock.advance(20 * MINUTE);
    const down = clock.now() - 10 * MINUTE;
    ({ store, recorder } = await open());
    clock.advance(2 * MINUTE);

    const h = readRegionHistory(store, 'eu-west-1', '1h', clock.now());
    expect(at(h, before)).toEqual([3, 3]);
    expect(at(h, down)).toEqual([null, null]);
    expect(at(h, clock.now() - MINUTE)).toEqual([3, 3]);
    recorder.stop();
    await store.close();
  });

  it('reads a day from 1-minute rollups, keeping a short outage as the step minimum', async () => {
    const { clock, fleet, open } = await rig();
    const { store, recorder } = await open();
    const agents = connect(fleet, 10, 'ap-northeast-1');
    clock.advance(REGION_HISTORY_COALESCE_MS + 90 * MINUTE);
    // Eight agents gone for 20 seconds: a blip that an average over six minutes would hide.
    for (const a of agents.slice(0, 8)) fleet.disconnect(a.agent.id, a.connectionId, 'offline');
    const tBlip = clock.now();
    clock.advance(20_000);
    for (let i = 0; i < 8; i++)
      connectOk(fleet, hello({ hostname: `ap-northeast-1-h${i}`, region: 'ap-northeast-1' }));
    clock.advance(90 * MINUTE);

    const h = readRegionHistory(store, 'ap-northeast-1', '24h', clock.now());
    expect(h.step).toBe(6 * MINUTE);
    expect(at(h, tBlip)).toEqual([2, 10]);
    expect(at(h, tBlip - 30 * MINUTE)).toEqual([10, 10]);
    expect(at(h, tBlip + 30 * MINUTE)).toEqual([10, 10]);
    expect(at(h, clock.now() - 4 * 3_600_000)).toEqual([null, null]);
    recorder.stop();
    await store.close();
  });
});

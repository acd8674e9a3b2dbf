import { Fleet, type FleetOptions } from '../../../electron/core/fleet/fleet.js';
import { ManualClock } from '../../../electron/core/clock.js';
import { CoreEvents } from '../../../electron/core/events.js';
import { counterIds } from '../../../electron/core/ids.js';
import { DEFAULT_REGIONS } from '../../../shared/regions.js';
import type { HelloMessage } from '../../../shared/protocol.js';
import type { AgentStatus, RegionStatus } from '../../../shared/model.js';

/** Shared set-up for the Fleet unit tests (fleet-*.test.ts). */

export const T0 = 1_700_000_000_000;

export function setup(opts: Partial<FleetOptions> = {}) {
  const clock = new ManualClock(T0);
  const events = new CoreEvents();
  const agentChanges: { id: string; status: AgentStatus; previousStatus: AgentStatus | null }[] =
    [];
  const regionChanges: { id: string; status: RegionStatus; previousStatus: RegionStatus | null }[] =
    [];
  events.on('agent.changed', ({ agent, previousStatus }) =>
    agentChanges.push({ id: agent.id, status: agent.status, previousStatus }),
  );
  events.on('region.changed', ({ region, previousStatus }) =>
    regionChanges.push({ id: region.id, status: region.status, previousStatus }),
  );
  const fleet = new Fleet(
    { clock, ids: counterIds(), events },
    {
      heartbeatIntervalMs: 1000,
      missedHeartbeatsBeforeOffline: 3,
      allowUnknownRegions: false,
      restartGraceMs: 0,
      maxAgents: 10_000,
      ...opts,
    },
    DEFAULT_REGIONS,
  );
  return { clock, events, fleet, agentChanges, regionChanges };
}

export function hello(over: Partial<HelloMessage> = {}): HelloMessage {
  return {
    type: 'hello',
    protocol: 1,
    hostname: 'web-1',
    region: 'us-east-1',
    agentType: 'system',
    version: '1.0.0',
    ...over,
  };
}

export function connectOk(fleet: Fleet, h: HelloMessage, ip = '10.0.0.1') {
  const r = fleet.connect(h, ip);
  if (!r.ok) throw new Error(`connect refused: ${r.message}`);
  return r;
}

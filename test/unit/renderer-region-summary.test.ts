// The region page's summaries of the live fleet state: agents by service and status, top
// resource users, open alerts in order, the range in the hash, the history's low point.
import { describe, expect, it } from 'vitest';
import type { Agent, AgentStatus, AgentType, Alert, Severity } from '../../shared/model.js';
import {
  byServiceAndStatus,
  lowestPoint,
  openAlertsOf,
  parseRange,
  topUsers,
  trendWindowFor,
} from '../../renderer/src/views/region/region-summary.js';

let n = 0;
function agent(
  regionId: string,
  type: AgentType,
  status: AgentStatus,
  cpu?: number,
  hostname = `h${++n}`,
): Agent {
  return {
    id: `agt-${++n}`,
    regionId,
    hostname,
    ipAddress: '10.0.0.1',
    type,
    version: '1',
    labels: {},
    status,
    registeredAt: 0,
    lastHeartbeat: 0,
    statusChangedAt: 0,
    metricsCount: 0,
    alertsCount: 0,
    latest: cpu === undefined ? {} : { cpu_usage: cpu },
  };
}

function alert(regionId: string | null, severity: Severity, state: Alert['state'], at: number) {
  return {
    id: `alr-${++n}`,
    subject: { kind: 'agent', regionId, agentId: null },
    severity,
    state,
    createdAt: at,
  } as Alert;
}

describe('region summary', () => {
  it('counts the region’s agents by service and status, services in the usual order', () => {
    const agents = [
      agent('eu', 'database', 'online'),
      agent('eu', 'system', 'offline'),
      agent('eu', 'system', 'online'),
      agent('eu', 'system', 'error'),
      agent('us', 'network', 'online'),
    ];
    expect(byServiceAndStatus(agents, 'eu')).toEqual([
      { service: 'system', counts: { online: 1, offline: 1, error: 1 }, total: 3 },
      { service: 'database', counts: { online: 1, offline: 0, error: 0 }, total: 1 },
    ]);
    expect(byServiceAndStatus(agents, 'ap')).toEqual([]);
  });

  it('ranks online agents of the region by a resource, leaving out stale and missing values', () => {
    const agents = [
      agent('eu', 'system', 'online', 40, 'b'),
      agent('eu', 'system', 'offline', 99, 'stale'),
      agent('eu', 'system', 'online', 91, 'hot'),
      agent('eu', 'system', 'online', undefined, 'quiet'),
      agent('eu', 'system', 'online', 40, 'a'),
      agent('us', 'system', 'online', 98, 'elsewhere'),
    ];
    expect(topUsers(agents, 'eu', 'cpu_usage', 3).map((a) => a.hostname)).toEqual([
      'hot',
      'a',
      'b',
    ]);
  });

  it('lists open alerts of the region: worst first, unacknowledged first, then newest', () => {
    const alerts = [
      alert('eu', 'warning', 'firing', 5),
      alert('eu', 'critical', 'acknowledged', 9),
      alert('eu', 'critical', 'firing', 1),
      alert('eu', 'critical', 'firing', 3),
      alert('eu', 'critical', 'resolved', 10),
      alert('us', 'critical', 'firing', 10),
      alert(null, 'critical', 'firing', 10),
    ];
    expect(openAlertsOf(alerts, 'eu').map((a) => [a.severity, a.state, a.createdAt])).toEqual([
      ['critical', 'firing', 3],
      ['critical', 'firing', 1],
      ['critical', 'acknowledged', 9],
      ['warning', 'firing', 5],
    ]);
  });

  it('reads the range from the hash, with 1h for anything else, and picks the trend window', () => {
    expect(parseRange('range=24h')).toBe('24h');
    expect(parseRange('range=2h')).toBe('1h');
    expect(parseRange('')).toBe('1h');
    expect(['1h', '6h', '24h', '7d'].map((r) => trendWindowFor(parseRange(`range=${r}`)))).toEqual([
      '1h',
      '1h',
      '24h',
      '7d',
    ]);
  });

  it('finds the step with the fewest agents online, skipping unrecorded steps', () => {
    const h = {
      regionId: 'eu',
      range: '1h' as const,
      from: 0,
      to: 60,
      step: 15,
      points: [
        [0, null, null],
        [15, 8, 10],
        [30, 2, 10],
        [45, 2, 9],
      ] as [number, number | null, number | null][],
    };
    expect(lowestPoint(h)).toEqual({ online: 2, registered: 10, at: 30 });
    expect(lowestPoint({ ...h, points: [[0, null, null]] })).toBeNull();
  });
});

// The agent table holds its order while the operator points at it (issue 9: sorted by CPU, the
// row under the mouse changed host within 1.5 s): the frozen rows keep their order and
// membership but show current values, and the count of held-back changes is exact.
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../shared/model.js';
import {
  compareAgents,
  inFrozenOrder,
  pausedChanges,
} from '../../renderer/src/views/agents/agent-list.js';

const agent = (id: string, cpu: number): Agent => ({
  id,
  regionId: 'us-east-1',
  hostname: `host-${id}`,
  ipAddress: '10.0.0.1',
  type: 'system',
  version: '1',
  labels: {},
  status: 'online',
  registeredAt: 0,
  lastHeartbeat: 0,
  statusChangedAt: 0,
  metricsCount: 0,
  alertsCount: 0,
  latest: { cpu_usage: cpu },
});

const byCpu = compareAgents({ key: 'cpu', dir: 'desc' });
const ids = (agents: readonly Agent[]) => agents.map((a) => a.id);

describe('a frozen agent table', () => {
  const frozen = [agent('a', 90), agent('b', 50), agent('c', 10)];

  it('keeps its order while the values move, and shows the new values', () => {
    const now = new Map([
      ['a', agent('a', 5)],
      ['b', agent('b', 99)],
      ['c', agent('c', 60)],
    ]);
    const rows = inFrozenOrder(frozen, now);
    expect(ids(rows)).toEqual(['a', 'b', 'c']);
    expect(rows.map((a) => a.latest.cpu_usage)).toEqual([5, 99, 60]);
    // Followed live, all three would move: b, c, a.
    const live = [...now.values()].sort(byCpu);
    expect(ids(live)).toEqual(['b', 'c', 'a']);
    expect(pausedChanges(frozen, live)).toBe(3);
  });

  it('keeps a departed agent with its last values, and counts arrivals and departures', () => {
    const now = new Map([
      ['a', agent('a', 91)],
      ['b', agent('b', 51)],
      ['d', agent('d', 70)],
    ]);
    const rows = inFrozenOrder(frozen, now);
    expect(ids(rows)).toEqual(['a', 'b', 'c']);
    expect(rows[2]!.latest.cpu_usage).toBe(10);
    const live = [...now.values()].sort(byCpu);
    // d arrives at 2nd place, b moves to 3rd, c leaves; a stays first.
    expect(ids(live)).toEqual(['a', 'd', 'b']);
    expect(pausedChanges(frozen, live)).toBe(3);
  });

  it('holds back nothing when the live order is the frozen one', () => {
    expect(pausedChanges(frozen, frozen)).toBe(0);
    expect(pausedChanges([], [])).toBe(0);
  });
});

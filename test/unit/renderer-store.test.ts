// The renderer's live store drops agents the stream says were retired (decommissioned).
import { describe, expect, it } from 'vitest';
import type { StreamChanges, StreamSnapshot } from '../../shared/api.js';
import { RESOLVED_WINDOW } from '../../shared/api-constants.js';
import type { Incident } from '../../shared/incidents.js';
import type { Agent, Alert } from '../../shared/model.js';
import type { RecoveryRun } from '../../shared/recovery.js';
import { FleetStore, isStale, pictureTime } from '../../renderer/src/api/store.js';

const agent = (id: string): Agent => ({
  id,
  regionId: 'us-east-1',
  hostname: `h-${id}`,
  ipAddress: '10.0.0.1',
  type: 'system',
  version: '1',
  labels: {},
  status: 'offline',
  registeredAt: 0,
  lastHeartbeat: null,
  statusChangedAt: 0,
  metricsCount: 0,
  alertsCount: 0,
  latest: {},
});

const snapshot = (agents: Agent[]): StreamSnapshot => ({
  type: 'snapshot',
  seq: 0,
  serverTime: 0,
  regions: [],
  agents,
  alerts: [],
});

const changes = (over: Partial<StreamChanges>): StreamChanges => ({
  type: 'changes',
  seq: 1,
  serverTime: 0,
  regions: [],
  agents: [],
  removedAgents: [],
  alerts: [],
  ...over,
});

describe('FleetStore', () => {
  it('removes agents listed in removedAgents, and keeps the map when nothing is removed', () => {
    const store = new FleetStore();
    store.apply(snapshot([agent('a'), agent('b'), agent('c')]));
    store.apply(changes({ removedAgents: ['b'] }));
    expect([...store.getState().agents.keys()]).toEqual(['a', 'c']);
    const before = store.getState().agents;
    store.apply(changes({ removedAgents: ['zzz'] }));
    expect(store.getState().agents).toBe(before);
  });

  it('applies changed and removed agents together; removeAgent drops one at once', () => {
    const store = new FleetStore();
    store.apply(snapshot([agent('a')]));
    store.apply(changes({ agents: [agent('n')], removedAgents: ['a'] }));
    expect([...store.getState().agents.keys()]).toEqual(['n']);
    store.removeAgent('n');
    expect(store.getState().agents.size).toBe(0);
  });
});

describe('the picture while the core is unreachable', () => {
  it('is stale once shown and the link is down; its time stops at the last message', () => {
    const store = new FleetStore();
    expect(isStale(store.getState())).toBe(false);
    store.apply({ ...snapshot([]), serverTime: 1_000 });
    const { receivedAt, serverOffsetMs } = store.getState();
    expect(isStale(store.getState())).toBe(false);
    const later = receivedAt! + 60_000;
    expect(pictureTime(store.getState(), later)).toBe(later + serverOffsetMs);
    store.setConnection('down', later + 1_000);
    expect(isStale(store.getState())).toBe(true);
    // Ages stop at the core's time of the last message, however long it stays down.
    expect(pictureTime(store.getState(), later)).toBe(1_000);
    expect(pictureTime(store.getState(), later + 3_600_000)).toBe(1_000);
  });

  it('keeps the same resolved window the stream snapshot sends', () => {
    const store = new FleetStore();
    const resolved = (i: number) =>
      ({ id: `r${i}`, state: 'resolved', resolvedAt: i, updatedAt: i }) as unknown as Alert;
    const alerts = Array.from({ length: RESOLVED_WINDOW + 20 }, (_, i) => resolved(i));
    store.apply({ ...snapshot([]), alerts });
    const kept = [...store.getState().alerts.keys()];
    expect(kept).toHaveLength(RESOLVED_WINDOW);
    // The most recently resolved ones.
    expect(kept).not.toContain('r0');
    expect(kept).toContain(`r${RESOLVED_WINDOW + 19}`);
  });
});

describe('FleetStore incidents', () => {
  const incident = (id: string, updatedAt: number, state: Incident['state'] = 'open') =>
    ({ id, updatedAt, state, resolvedAt: state === 'resolved' ? updatedAt : null }) as Incident;

  it('takes incidents from the snapshot and merges changed ones, newest version kept', () => {
    const store = new FleetStore();
    store.apply({ ...snapshot([]), incidents: [incident('i1', 1), incident('i2', 1)] });
    expect([...store.getState().incidents.keys()]).toEqual(['i1', 'i2']);
    store.apply(changes({ incidents: [incident('i2', 5, 'acknowledged'), incident('i3', 5)] }));
    expect(store.getState().incidents.get('i2')!.state).toBe('acknowledged');
    expect(store.getState().incidents.size).toBe(3);
    // An API answer older than what the stream already said does not win.
    store.upsertIncident(incident('i2', 2));
    expect(store.getState().incidents.get('i2')!.state).toBe('acknowledged');
    store.upsertIncident(incident('i1', 9, 'resolved'));
    expect(store.getState().incidents.get('i1')!.state).toBe('resolved');
  });

  it('keeps the incidents map as it was when a change carries none', () => {
    const store = new FleetStore();
    store.apply({ ...snapshot([]), incidents: [incident('i1', 1)] });
    const before = store.getState().incidents;
    store.apply(changes({}));
    expect(store.getState().incidents).toBe(before);
  });
});

describe('FleetStore recovery runs (issue 12)', () => {
  const run = (id: string, state: RecoveryRun['state'], endedAt: number | null = null) =>
    ({ id, state, createdAt: 0, endedAt }) as RecoveryRun;

  it('takes runs from the snapshot, replaces changed ones by id, and tells its listeners', () => {
    const store = new FleetStore();
    const heard: [string[], boolean][] = [];
    store.onRunUpdates((runs, whole) => heard.push([runs.map((r) => r.id), whole]));
    store.apply({ ...snapshot([]), runs: [run('r1', 'awaiting_approval')] });
    store.apply(changes({ runs: [run('r1', 'queued'), run('r2', 'dry_run', 5)] }));
    expect(store.getState().runs.get('r1')!.state).toBe('queued');
    expect(store.getState().runs.size).toBe(2);
    const before = store.getState().runs;
    store.apply(changes({}));
    expect(store.getState().runs).toBe(before);
    expect(heard).toEqual([
      [['r1'], true],
      [['r1', 'r2'], false],
    ]);
  });

  it('keeps every live run and the 100 most recently ended, as the snapshot does', () => {
    const store = new FleetStore();
    store.apply({ ...snapshot([]), runs: [run('live', 'running')] });
    const ended = Array.from({ length: 120 }, (_, i) => run(`e${i}`, 'succeeded', i));
    store.apply(changes({ runs: ended }));
    const runs = store.getState().runs;
    expect(runs.size).toBe(101);
    expect(runs.has('live')).toBe(true);
    expect(runs.has('e119')).toBe(true);
    expect(runs.has('e19')).toBe(false);
  });
});

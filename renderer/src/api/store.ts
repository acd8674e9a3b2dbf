// The live picture of the fleet, fed by the stream: regions, agents and alerts by id, the
// core's figures, and the connection state. Immutable snapshots for useSyncExternalStore:
// every change makes a new state object (and new maps only for what changed).
import type {
  ConsoleStats,
  StreamChanges,
  StreamSnapshot,
  StreamStats,
} from '../../../shared/api.js';
import { RESOLVED_WINDOW } from '../../../shared/api-constants.js';
import { systemClock } from '../../../shared/clock.js';
import type { Incident } from '../../../shared/incidents.js';
import type { Agent, Alert, Region } from '../../../shared/model.js';
import type { RecoveryRun } from '../../../shared/recovery.js';

/** `unauthorized`: the core answers but refuses our session (stale or missing token). */
export type ConnectionStatus = 'connecting' | 'live' | 'down' | 'unauthorized';

export interface FleetState {
  readonly connection: ConnectionStatus;
  /** Epoch ms of the next reconnect attempt while down. */
  readonly retryAt: number | null;
  /** A snapshot has arrived at least once. */
  readonly loaded: boolean;
  readonly regions: ReadonlyMap<string, Region>;
  readonly agents: ReadonlyMap<string, Agent>;
  readonly alerts: ReadonlyMap<string, Alert>;
  /** Unresolved incidents and the most recently resolved ones (empty from a core without). */
  readonly incidents: ReadonlyMap<string, Incident>;
  /**
   * Recovery runs under way and the most recently ended (empty from a core without recovery):
   * views that show runs refetch their details when this changes.
   */
  readonly runs: ReadonlyMap<string, RecoveryRun>;
  readonly stats: ConsoleStats | null;
  /** Recent samples/s figures, oldest first (one per stats message). */
  readonly rateHistory: readonly number[];
  /** serverTime − local time, so ages use the core's clock. */
  readonly serverOffsetMs: number;
  /** Local epoch ms of the last stream message: how old the picture is while the link is down. */
  readonly receivedAt: number | null;
}

/**
 * Resolved alerts kept beyond the open ones: the same window the stream's snapshot sends, so a
 * reconnect shows the same resolved history as before it.
 */
const MAX_RESOLVED = RESOLVED_WINDOW;
const RATE_HISTORY = 60;

const initialState: FleetState = {
  connection: 'connecting',
  retryAt: null,
  loaded: false,
  regions: new Map(),
  agents: new Map(),
  alerts: new Map(),
  incidents: new Map(),
  runs: new Map(),
  stats: null,
  rateHistory: [],
  serverOffsetMs: 0,
  receivedAt: null,
};

type Listener = () => void;

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((x) => [x.id, x]));
}

function merged<T extends { id: string }>(
  current: ReadonlyMap<string, T>,
  changed: readonly T[],
): ReadonlyMap<string, T> {
  if (changed.length === 0) return current;
  const next = new Map(current);
  for (const item of changed) next.set(item.id, item);
  return next;
}

function without<T>(
  current: ReadonlyMap<string, T>,
  ids: readonly string[],
): ReadonlyMap<string, T> {
  if (!ids.some((id) => current.has(id))) return current;
  const next = new Map(current);
  for (const id of ids) next.delete(id);
  return next;
}

function trimResolved(alerts: ReadonlyMap<string, Alert>): ReadonlyMap<string, Alert> {
  const resolved = [...alerts.values()].filter((a) => a.state === 'resolved');
  if (resolved.length <= MAX_RESOLVED) return alerts;
  resolved.sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
  const next = new Map(alerts);
  for (const old of resolved.slice(MAX_RESOLVED)) next.delete(old.id);
  return next;
}

/** Ended runs kept beside the live ones: as many as the stream's snapshot sends. */
const MAX_ENDED_RUNS = 100;
const LIVE_RUNS: ReadonlySet<RecoveryRun['state']> = new Set([
  'awaiting_approval',
  'deferred',
  'queued',
  'running',
  'verifying',
]);

function trimEndedRuns(runs: ReadonlyMap<string, RecoveryRun>): ReadonlyMap<string, RecoveryRun> {
  const ended = [...runs.values()].filter((r) => !LIVE_RUNS.has(r.state));
  if (ended.length <= MAX_ENDED_RUNS) return runs;
  ended.sort((a, b) => (b.endedAt ?? b.createdAt) - (a.endedAt ?? a.createdAt));
  const next = new Map(runs);
  for (const old of ended.slice(MAX_ENDED_RUNS)) next.delete(old.id);
  return next;
}

/** Resolved incidents kept: as many as the stream's snapshot sends (stream.ts). */
const MAX_RESOLVED_INCIDENTS = 100;

function trimResolvedIncidents(
  incidents: ReadonlyMap<string, Incident>,
): ReadonlyMap<string, Incident> {
  const resolved = [...incidents.values()].filter((i) => i.state === 'resolved');
  if (resolved.length <= MAX_RESOLVED_INCIDENTS) return incidents;
  resolved.sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
  const next = new Map(incidents);
  for (const old of resolved.slice(MAX_RESOLVED_INCIDENTS)) next.delete(old.id);
  return next;
}

export class FleetStore {
  private state: FleetState = initialState;
  private readonly listeners = new Set<Listener>();
  private readonly alertListeners = new Set<(alerts: Alert[]) => void>();
  private readonly incidentListeners = new Set<(incidents: Incident[]) => void>();
  private readonly runListeners = new Set<(runs: RecoveryRun[], snapshot: boolean) => void>();
  private snapshots = 0;

  readonly getState = (): FleetState => this.state;

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Alerts that arrived or changed after the first snapshot (not on it), for notifications.
   * Listeners decide what is new to them.
   */
  onAlertUpdates(listener: (alerts: Alert[]) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  /** Incidents that arrived or changed after the first snapshot, for notifications. */
  onIncidentUpdates(listener: (incidents: Incident[]) => void): () => void {
    this.incidentListeners.add(listener);
    return () => this.incidentListeners.delete(listener);
  }

  /**
   * Runs the stream brought: every snapshot's (`snapshot` true: the whole picture, the first
   * one included) and each change after it. For approval notifications.
   */
  onRunUpdates(listener: (runs: RecoveryRun[], snapshot: boolean) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** How many snapshots have been applied (1 after the first connect, more after reconnects). */
  get snapshotCount(): number {
    return this.snapshots;
  }

  setConnection(connection: ConnectionStatus, retryAt: number | null = null): void {
    if (connection === this.state.connection && retryAt === this.state.retryAt) return;
    this.set({ ...this.state, connection, retryAt });
  }

  /** The stream's fleet messages (tails for charts go elsewhere). */
  apply(msg: StreamSnapshot | StreamChanges | StreamStats): void {
    const receivedAt = systemClock.now();
    const offset = msg.serverTime - receivedAt;
    if (msg.type === 'stats') {
      const stats: ConsoleStats = { ...msg };
      delete (stats as Partial<StreamStats>).type;
      const history = [...this.state.rateHistory, stats.samplesPerSecond].slice(-RATE_HISTORY);
      this.set({ ...this.state, stats, rateHistory: history, serverOffsetMs: offset, receivedAt });
      return;
    }
    if (msg.type === 'snapshot') {
      this.snapshots++;
      this.set({
        ...this.state,
        connection: 'live',
        retryAt: null,
        loaded: true,
        regions: byId(msg.regions),
        agents: byId(msg.agents),
        alerts: trimResolved(byId(msg.alerts)),
        incidents: byId(msg.incidents ?? []),
        runs: byId(msg.runs ?? []),
        serverOffsetMs: offset,
        receivedAt,
      });
      this.emitRuns(msg.runs ?? [], true);
      if (this.snapshots > 1) {
        this.emitAlerts(msg.alerts);
        this.emitIncidents(msg.incidents ?? []);
      }
      return;
    }
    this.set({
      ...this.state,
      regions: merged(this.state.regions, msg.regions),
      // An older core sends no removedAgents.
      agents: without(merged(this.state.agents, msg.agents), msg.removedAgents ?? []),
      alerts: msg.alerts.length
        ? trimResolved(merged(this.state.alerts, msg.alerts))
        : this.state.alerts,
      incidents: msg.incidents?.length
        ? trimResolvedIncidents(merged(this.state.incidents, msg.incidents))
        : this.state.incidents,
      runs: msg.runs?.length ? trimEndedRuns(merged(this.state.runs, msg.runs)) : this.state.runs,
      serverOffsetMs: offset,
      receivedAt,
    });
    if (msg.runs?.length) this.emitRuns(msg.runs, false);
    if (msg.alerts.length) this.emitAlerts(msg.alerts);
    if (msg.incidents?.length) this.emitIncidents(msg.incidents);
  }

  /** Drop an agent the API just retired, before the stream says so. */
  removeAgent(id: string): void {
    const agents = without(this.state.agents, [id]);
    if (agents !== this.state.agents) this.set({ ...this.state, agents });
  }

  /** Put an alert the API just returned (ack/resolve) in place before the stream echoes it. */
  upsertAlert(alert: Alert): void {
    const current = this.state.alerts.get(alert.id);
    if (current && current.updatedAt > alert.updatedAt) return;
    this.set({ ...this.state, alerts: merged(this.state.alerts, [alert]) });
  }

  /** Put an incident the API just returned (ack/assign/…) in place before the stream echoes it. */
  upsertIncident(incident: Incident): void {
    const current = this.state.incidents.get(incident.id);
    if (current && current.updatedAt > incident.updatedAt) return;
    this.set({ ...this.state, incidents: merged(this.state.incidents, [incident]) });
  }

  private emitAlerts(alerts: Alert[]): void {
    for (const listener of this.alertListeners) listener(alerts);
  }

  private emitRuns(runs: RecoveryRun[], snapshot: boolean): void {
    for (const listener of this.runListeners) listener(runs, snapshot);
  }

  private emitIncidents(incidents: Incident[]): void {
    for (const listener of this.incidentListeners) listener(incidents);
  }

  private set(next: FleetState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/** Time on the core's clock, for heartbeat and alert ages. */
export function serverNow(state: FleetState): number {
  return systemClock.now() + state.serverOffsetMs;
}

/**
 * The core's time as far as the picture on screen goes: now while live; while the link is down,
 * the core's time of the last message, so ages stop counting instead of inventing news.
 */
export function pictureTime(state: FleetState, localNow: number): number {
  if (state.connection === 'live' || state.receivedAt === null) {
    return localNow + state.serverOffsetMs;
  }
  return state.receivedAt + state.serverOffsetMs;
}

/** The picture is old: it has been shown before and the link to the core is not up. */
export function isStale(state: FleetState): boolean {
  return state.loaded && state.connection !== 'live';
}

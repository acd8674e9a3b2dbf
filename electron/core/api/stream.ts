import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  type ConsoleStats,
  type StreamChanges,
  type StreamSnapshot,
  type StreamStats,
} from '../../../shared/api.js';
import {
  RESOLVED_WINDOW,
  STREAM_AGENT_REFRESH_MS,
  STREAM_BATCH_MS,
} from '../../../shared/api-constants.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { IncidentManager } from '../incidents/incident-manager.js';
import type { Tails } from './tails.js';
import type { RecoveryRun } from '../../../shared/recovery.js';

/** A viewer that lets this much pile up unread is cut off rather than buffered without end. */
const MAX_VIEWER_BUFFER_BYTES = 8 * 1024 * 1024;
const STATS_EVERY_MS = 1_000;
/** Resolved incidents in the snapshot, besides every unresolved one. */
const RESOLVED_INCIDENTS = 100;

/**
 * /api/v1/stream: a snapshot on connect, then the regions, agents and alerts that changed,
 * coalesced into one message at most every STREAM_BATCH_MS and serialised once for all viewers.
 * An alert that opens or changes state does not wait for that window: it goes out as soon as
 * the work that raised it is done (one `changes` frame for all it raised, whatever the clock
 * says), with the agents and regions it names, so a viewer never sees an alert about an agent
 * it has not been told of. Agent and figure updates keep the window.
 */
export class StreamHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly viewers = new Set<WebSocket>();
  private readonly dirtyAgents = new Set<string>();
  private readonly dirtyRegions = new Set<string>();
  private readonly dirtyAlerts = new Set<string>();
  private readonly removedAgents = new Set<string>();
  private readonly dirtyIncidents = new Set<string>();
  private readonly dirtyRuns = new Set<string>();
  /** Agents with only a heartbeat or new values: sent every STREAM_AGENT_REFRESH_MS, not every batch. */
  private readonly touchedAgents = new Set<string>();
  private touchedFlushedAt = 0;
  /** Alerts that opened or changed state: sent without waiting for the batch window. */
  private readonly urgentAlerts = new Set<string>();
  private urgentPending = false;
  private timer: TimerHandle | null = null;
  private statsTimer: TimerHandle | null = null;
  private seq = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly deps: {
      clock: Clock;
      events: CoreEvents;
      fleet: Fleet;
      alerts: AlertBook;
      stats: () => ConsoleStats;
      tails: Tails;
      incidents?: Pick<IncidentManager, 'current' | 'get'>;
      /** Recovery runs: live and recent ones in the snapshot, changed ones in `changes`. */
      runs?: { current(): RecoveryRun[]; run(id: string): RecoveryRun | undefined };
    },
  ) {
    this.unsubscribe = [
      deps.events.on('agent.changed', ({ agent }) => {
        this.dirtyAgents.add(agent.id);
        this.touchedAgents.delete(agent.id);
        this.dirtyRegions.add(agent.regionId);
        this.schedule();
      }),
      deps.events.on('agent.touched', ({ agent }) => {
        this.touchedAgents.add(agent.id);
      }),
      deps.events.on('agent.removed', ({ agent }) => {
        this.removedAgents.add(agent.id);
        this.dirtyAgents.delete(agent.id);
        this.touchedAgents.delete(agent.id);
        this.dirtyRegions.add(agent.regionId);
        this.schedule();
      }),
      deps.events.on('region.changed', ({ region }) => {
        this.dirtyRegions.add(region.id);
        this.schedule();
      }),
      deps.events.on('alert.changed', ({ alert }) => {
        this.urgentAlerts.add(alert.id);
        this.scheduleUrgent();
      }),
      deps.events.on('alert.revised', ({ alert }) => {
        this.dirtyAlerts.add(alert.id);
        this.schedule();
      }),
      deps.events.on('incident.changed', ({ incident }) => {
        this.dirtyIncidents.add(incident.id);
        this.schedule();
      }),
      deps.events.on('recovery.changed', ({ run }) => {
        this.dirtyRuns.add(run.id);
        this.schedule();
      }),
    ];
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Called by the API server after it has checked host, origin and token. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.viewers.add(ws);
      this.statsTimer ??= this.deps.clock.setInterval(() => this.sendStats(), STATS_EVERY_MS);
      ws.on('message', (data) => {
        const reply = this.deps.tails.handle(ws, String(data));
        if (reply) this.send(ws, JSON.stringify(reply));
      });
      ws.on('close', () => {
        this.viewers.delete(ws);
        this.deps.tails.forget(ws);
        if (this.viewers.size === 0) {
          this.statsTimer?.cancel();
          this.statsTimer = null;
        }
      });
      ws.on('error', () => ws.terminate());
      this.send(ws, JSON.stringify(this.snapshot()));
      this.send(ws, JSON.stringify(this.statsMessage()));
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.urgentAlerts.clear();
    this.statsTimer?.cancel();
    this.unsubscribe.forEach((off) => off());
    for (const ws of this.viewers) ws.close(1001, 'console stopping');
    for (const ws of this.viewers) ws.terminate();
  }

  snapshot(): StreamSnapshot {
    const { fleet, alerts } = this.deps;
    return {
      type: 'snapshot',
      seq: this.seq,
      serverTime: this.deps.clock.now(),
      regions: fleet.regions(),
      agents: fleet.listAgents(),
      alerts: [...alerts.openAlerts(), ...alerts.recentlyResolved(RESOLVED_WINDOW)],
      ...(this.deps.incidents
        ? { incidents: this.deps.incidents.current(RESOLVED_INCIDENTS) }
        : {}),
      ...(this.deps.runs ? { runs: this.deps.runs.current() } : {}),
    };
  }

  private statsMessage(): StreamStats {
    return { type: 'stats', ...this.deps.stats() };
  }

  private sendStats(): void {
    const now = this.deps.clock.now();
    if (this.touchedAgents.size > 0 && now - this.touchedFlushedAt >= STREAM_AGENT_REFRESH_MS) {
      this.touchedFlushedAt = now;
      for (const id of this.touchedAgents) {
        this.dirtyAgents.add(id);
        const regionId = this.deps.fleet.agent(id)?.regionId;
        // Heartbeats move the region's lastHeartbeat in place; send the region along.
        if (regionId) this.dirtyRegions.add(regionId);
      }
      this.touchedAgents.clear();
      this.schedule();
    }
    const text = JSON.stringify(this.statsMessage());
    for (const ws of this.viewers) this.send(ws, text);
    this.deps.tails.tick((ws, msg) => this.send(ws, JSON.stringify(msg)));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = this.deps.clock.setTimeout(() => this.flush(), STREAM_BATCH_MS);
  }

  /**
   * Once the work that raised the alerts is done (a microtask: before the event loop reads
   * the next socket), not on the clock: a batch of samples or a liveness sweep that raises
   * many alerts still makes one frame, and no timer (real or manual) delays it.
   */
  private scheduleUrgent(): void {
    if (this.urgentPending) return;
    this.urgentPending = true;
    queueMicrotask(() => {
      this.urgentPending = false;
      this.flushUrgent();
    });
  }

  /** The alerts that changed state, with the not-yet-sent agents and regions they name. */
  private flushUrgent(): void {
    if (this.urgentAlerts.size === 0) return;
    const { fleet, alerts } = this.deps;
    const changed = [...this.urgentAlerts].flatMap((id) => alerts.get(id) ?? []);
    this.urgentAlerts.clear();
    const agentIds = new Set<string>();
    const regionIds = new Set<string>();
    const removed: string[] = [];
    for (const alert of changed) {
      this.dirtyAlerts.delete(alert.id);
      const { agentId, regionId } = alert.subject;
      if (agentId && this.dirtyAgents.delete(agentId)) agentIds.add(agentId);
      if (agentId && this.removedAgents.delete(agentId) && !fleet.agent(agentId))
        removed.push(agentId);
      if (regionId && this.dirtyRegions.delete(regionId)) regionIds.add(regionId);
    }
    this.broadcast({
      type: 'changes',
      seq: ++this.seq,
      serverTime: this.deps.clock.now(),
      regions: [...regionIds].flatMap((id) => fleet.region(id) ?? []),
      agents: [...agentIds].flatMap((id) => fleet.agent(id) ?? []),
      removedAgents: removed,
      alerts: changed,
    });
  }

  private flush(): void {
    this.timer = null;
    const { fleet, alerts } = this.deps;
    const changes: StreamChanges = {
      type: 'changes',
      seq: ++this.seq,
      serverTime: this.deps.clock.now(),
      regions: [...this.dirtyRegions].flatMap((id) => fleet.region(id) ?? []),
      agents: [...this.dirtyAgents].flatMap((id) => fleet.agent(id) ?? []),
      // An id retired and registered afresh within one batch is simply in `agents`.
      removedAgents: [...this.removedAgents].filter((id) => !fleet.agent(id)),
      alerts: [...this.dirtyAlerts].flatMap((id) => alerts.get(id) ?? []),
      ...(this.dirtyIncidents.size > 0
        ? {
            incidents: [...this.dirtyIncidents].flatMap((id) => this.deps.incidents?.get(id) ?? []),
          }
        : {}),
      ...(this.dirtyRuns.size > 0
        ? { runs: [...this.dirtyRuns].flatMap((id) => this.deps.runs?.run(id) ?? []) }
        : {}),
    };
    this.dirtyIncidents.clear();
    this.dirtyRuns.clear();
    this.dirtyAgents.clear();
    this.removedAgents.clear();
    this.dirtyRegions.clear();
    this.dirtyAlerts.clear();
    this.broadcast(changes);
  }

  private broadcast(changes: StreamChanges): void {
    if (this.viewers.size === 0) return;
    const text = JSON.stringify(changes);
    for (const ws of this.viewers) this.send(ws, text);
  }

  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_VIEWER_BUFFER_BYTES) {
      ws.close(1013, 'slow viewer: reconnect for a fresh snapshot');
      ws.terminate();
      return;
    }
    ws.send(text);
  }
}

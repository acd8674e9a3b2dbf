import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreMetrics } from '../metrics.js';
import { refuseConnection } from './refuse.js';

export type PortLabel = 'ingest' | 'api';

export interface GuardLimits {
  /** Connections still in their handshake (ingest: before an authenticated upgrade; API: before the first request's headers). */
  maxHandshaking: number;
  maxHandshakingPerSource: number;
  /** All connections, whatever their state. */
  maxTotal: number;
  /** A connection still in its handshake after this long is cut. */
  handshakeTimeoutMs: number;
}

/** How long a client refused for a full port should wait; a handshake slot frees within this. */
export const RETRY_AFTER_FULL_S = 5;

interface Pending {
  source: string;
  timer: TimerHandle;
}

/** The address a connection comes from, IPv4-mapped IPv6 written as plain IPv4. */
export function sourceOf(socket: { remoteAddress?: string | undefined }): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/**
 * Caps and a handshake deadline for one listening port, checked on every TCP accept so that
 * slow or idle connections cannot take all of the process's file descriptors. A connection is
 * "handshaking" from accept until `settled()` (the authenticated upgrade, or the API's first
 * request), then "established" until it closes. Node's own headersTimeout is only checked every
 * connectionsCheckingInterval (30 s by default), hence a timer per socket.
 *
 * When the handshake cap is full, the newcomer takes the slot of the oldest connection of the
 * source holding the most, if that source holds more than the newcomer's would: one address
 * trickling headers cannot lock out everyone else.
 */
export class ConnectionGuard {
  private readonly handshaking = new Map<Socket, Pending>();
  private readonly bySource = new Map<string, Set<Socket>>();
  private readonly established = new Set<Socket>();
  /**
   * Handshaking sockets by peer address and port. Behind TLS the request's socket is the TLS
   * socket wrapping the one `connection` gave: the peer finds the one whose deadline to stop.
   */
  private readonly byPeer = new Map<string, Socket>();

  constructor(
    private readonly deps: { clock: Clock; metrics: CoreMetrics },
    private readonly port: PortLabel,
    private readonly limits: GuardLimits,
  ) {
    this.report();
  }

  /** Watch every connection `server` accepts. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  get establishedCount(): number {
    return this.established.size;
  }

  get handshakingCount(): number {
    return this.handshaking.size;
  }

  /** The handshake is done: stop its deadline, count it as established. Idempotent. */
  settled(presented: Socket): void {
    const socket = this.handshaking.has(presented)
      ? presented
      : (this.byPeer.get(peerOf(presented)) ?? presented);
    const pending = this.handshaking.get(socket);
    if (!pending) return;
    this.forgetPending(socket, pending);
    if (!socket.destroyed) this.established.add(socket);
    this.report();
  }

  /** Count a refusal that the port's own code made (429, 503 at the upgrade …). */
  refused(reason: string): void {
    this.deps.metrics.connectionsRefused.inc({ port: this.port, reason });
  }

  /** Stop every deadline (the server is closing its connections itself). */
  stop(): void {
    for (const p of this.handshaking.values()) p.timer.cancel();
  }

  private admit(socket: Socket): void {
    const source = sourceOf(socket);
    const fromSource = this.bySource.get(source);
    if ((fromSource?.size ?? 0) >= this.limits.maxHandshakingPerSource) {
      return this.refuse(
        socket,
        'source_limit',
        'too many connections from your address are still in their handshake',
      );
    }
    const full =
      this.handshaking.size >= this.limits.maxHandshaking ||
      this.handshaking.size + this.established.size >= this.limits.maxTotal;
    if (full && !this.evictFor(source)) {
      const reason =
        this.handshaking.size >= this.limits.maxHandshaking
          ? 'handshake_limit'
          : 'connection_limit';
      return this.refuse(socket, reason, 'the console has too many open connections; retry later');
    }
    const timer = this.deps.clock.setTimeout(() => {
      if (!this.handshaking.has(socket)) return;
      this.refused('handshake_timeout');
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    this.handshaking.set(socket, { source, timer });
    this.byPeer.set(peerOf(socket), socket);
    if (fromSource) fromSource.add(socket);
    else this.bySource.set(source, new Set([socket]));
    socket.once('close', () => this.closed(socket));
    this.report();
  }

  /** Cut the oldest handshaking connection of the largest holder, if it holds more than `source` would. */
  private evictFor(source: string): boolean {
    const mine = (this.bySource.get(source)?.size ?? 0) + 1;
    let victim: Set<Socket> | null = null;
    for (const set of this.bySource.values()) {
      if (set.size > mine && (!victim || set.size > victim.size)) victim = set;
    }
    const oldest = victim?.values().next().value;
    if (!oldest) return false;
    this.refused('handshake_evicted');
    const pending = this.handshaking.get(oldest);
    if (pending) this.forgetPending(oldest, pending);
    oldest.destroy();
    return true;
  }

  private refuse(socket: Socket, reason: string, message: string): void {
    this.refused(reason);
    refuseConnection(socket, 503, reason, message, { 'Retry-After': String(RETRY_AFTER_FULL_S) });
  }

  private closed(socket: Socket): void {
    const pending = this.handshaking.get(socket);
    if (pending) this.forgetPending(socket, pending);
    this.established.delete(socket);
    this.report();
  }

  private forgetPending(socket: Socket, pending: Pending): void {
    pending.timer.cancel();
    this.handshaking.delete(socket);
    if (this.byPeer.get(peerOf(socket)) === socket) this.byPeer.delete(peerOf(socket));
    const set = this.bySource.get(pending.source);
    set?.delete(socket);
    if (set?.size === 0) this.bySource.delete(pending.source);
  }

  private report(): void {
    const gauge = this.deps.metrics.connectionsOpen;
    gauge.set({ port: this.port, state: 'handshake' }, this.handshaking.size);
    gauge.set({ port: this.port, state: 'established' }, this.established.size);
  }
}

/** A connection's far end, the same for a TCP socket and the TLS socket over it. */
const peerOf = (socket: Socket) => `${socket.remoteAddress}|${socket.remotePort}`;

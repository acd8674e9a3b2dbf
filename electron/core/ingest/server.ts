import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLOSE, MAX_FRAME_BYTES, type ActionMessage } from '../../../shared/protocol.js';
import {
  MAX_RELAY_FRAME_BYTES,
  RELAY_ID_PREFIX,
  RELAY_PATH,
} from '../../../shared/relay-protocol.js';
import type { RelayHub } from '../relay/central/relay-hub.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { ConnectionGuard, RETRY_AFTER_FULL_S, sourceOf } from '../net/connection-guard.js';
import { watchAcceptErrors } from '../net/accept-errors.js';
import type { NetLimits } from '../net/limits.js';
import { refuseConnection } from '../net/refuse.js';
import { replyError } from '../remote-write/http-reply.js';
import type { RemoteWriteReceiver } from '../remote-write/receiver.js';
import { AuthThrottle } from './auth-throttle.js';
import type { IngestCredentials } from './ingest-auth.js';
import { AgentSession, type IngestHandler } from './session.js';
import { bearerToken } from './tokens.js';

export interface IngestOptions {
  host: string;
  port: number;
  /** Agent keys and the enrolment secret. */
  credentials: IngestCredentials;
  /** Serve wss:// with this certificate (chain) and key; null: plain ws://. */
  tls: { cert: string; key: string } | null;
  pingIntervalMs: number;
  maxSendBufferBytes: number;
  limits: NetLimits;
}

export interface IngestDeps {
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  handler: IngestHandler;
  /** Each refused agent token (wrong or missing, or refused unchecked while throttled). */
  onAuthRefused?: (source: string, reason: 'unauthorized' | 'auth_rate_limited') => void;
  /** HTTP endpoints beside the WebSocket (Prometheus remote write). */
  http?: Pick<RemoteWriteReceiver, 'endpoint' | 'serve'>;
  /** Regional relays' links, at /relay (electron/core/relay/central/). */
  relays?: Pick<RelayHub, 'accept' | 'disconnectKey' | 'endAll' | 'terminateAll'>;
}

const INGEST_PATHS = new Set(['/', '/ingest']);

/**
 * The agents' WebSocket port. Authentication happens at the HTTP upgrade, so a bad token
 * never gets a WebSocket; browsers (any Origin header) are refused outright.
 */
export class IngestServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  /** Relay links: larger frames (compressed batches of a whole region). */
  private readonly relayWss: WebSocketServer;
  private readonly sessions = new Set<AgentSession>();
  private readonly byAgent = new Map<string, AgentSession>();
  private pinger: TimerHandle | null = null;
  private readonly guard: ConnectionGuard;
  private readonly throttle: AuthThrottle;
  /** The one check of an agent credential, for the WebSocket upgrade and the HTTP endpoints. */

  constructor(
    private readonly deps: IngestDeps,
    private readonly opts: IngestOptions,
  ) {
    // Node listens on every interface for an empty host; the ingest port must say where.
    if (!/^\S+$/.test(opts.host)) throw new Error(`ingest host '${opts.host}' is not a host`);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
    });
    this.relayWss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_RELAY_FRAME_BYTES,
      perMessageDeflate: false,
    });
    const { limits } = opts;
    const serverOptions = {
      // Backstops only, later than the guard's per-socket deadline, which is what cuts (and
      // counts) a slow handshake.
      headersTimeout: limits.ingestHandshakeTimeoutMs * 2,
      requestTimeout: limits.ingestHandshakeTimeoutMs * 3,
      connectionsCheckingInterval: limits.ingestHandshakeTimeoutMs,
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const endpoint = deps.http?.endpoint((req.url ?? '/').split('?')[0]!) ?? null;
      if (endpoint) return this.serveHttp(req, res, endpoint);
      res.writeHead(426, {
        'Content-Type': 'application/json',
        Upgrade: 'websocket',
        Connection: 'close',
      });
      res.end(
        JSON.stringify({
          error: { code: 'upgrade_required', message: 'the ingest port speaks WebSocket only' },
        }),
      );
      void req;
    };
    this.http = opts.tls
      ? createTlsServer({ ...serverOptions, cert: opts.tls.cert, key: opts.tls.key }, onRequest)
      : createServer(serverOptions, onRequest);
    this.guard = new ConnectionGuard(deps, 'ingest', {
      maxHandshaking: limits.ingestMaxUnauthenticated,
      maxHandshakingPerSource: limits.ingestMaxUnauthenticatedPerSource,
      maxTotal: limits.ingestMaxUnauthenticated + limits.ingestMaxAgentConnections,
      handshakeTimeoutMs: limits.ingestHandshakeTimeoutMs,
    });
    this.guard.attach(this.http);
    this.throttle = new AuthThrottle(deps.clock, {
      failuresBeforeCooldown: limits.authFailuresBeforeCooldown,
      windowMs: limits.authFailureWindowMs,
      cooldownMs: limits.authCooldownMs,
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket as Socket, head));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => resolve());
    });
    watchAcceptErrors(this.http, 'ingest', this.deps);
    this.pinger = this.deps.clock.setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
    return (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.pinger?.cancel();
    this.guard.stop();
    for (const s of this.sessions) s.end(CLOSE.shuttingDown, 'console stopping');
    this.deps.relays?.endAll();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    // Give peers a moment to answer the close handshake, then cut whatever is left.
    await new Promise((r) => setTimeout(r, 50));
    for (const s of this.sessions) s.terminate();
    this.deps.relays?.terminateAll();
    this.http.closeAllConnections();
    await closed;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Send an action on the agent's live connection (the recovery service's AgentLink). */
  sendAction(agentId: string, msg: ActionMessage): boolean {
    return this.byAgent.get(agentId)?.sendAction(msg) ?? false;
  }

  /** The actions the agent's live connection offered in its hello; null when not connected. */
  offeredActions(agentId: string): readonly string[] | null {
    return this.byAgent.get(agentId)?.offeredActions ?? null;
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    // Node drops its own error listener on an upgraded socket: a reset must not crash us.
    socket.on('error', () => socket.destroy());
    const source = sourceOf(socket);
    // A source that guessed wrong too often is answered without its token being looked at.
    const waitMs = this.throttle.blockedForMs(source);
    if (waitMs > 0) {
      this.guard.refused('auth_rate_limited');
      this.deps.onAuthRefused?.(source, 'auth_rate_limited');
      const retryAfter = Math.ceil(waitMs / 1000);
      return refuseConnection(
        socket,
        429,
        'auth_rate_limited',
        `too many wrong agent tokens from ${source}; retry in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const isRelay = path === RELAY_PATH && this.deps.relays !== undefined;
    if (!INGEST_PATHS.has(path) && !isRelay)
      return this.refuse(socket, 404, 'not_found', `no ingest endpoint at ${path}`);
    if (req.headers.origin !== undefined) {
      return this.refuse(
        socket,
        403,
        'browser_origin',
        'browsers may not connect to the ingest port',
      );
    }
    const token = bearerToken(req.headers.authorization);
    const auth = token ? this.opts.credentials.authenticate(token) : null;
    if (!auth || auth.kind === 'refused') {
      this.throttle.failed(source);
      this.deps.onAuthRefused?.(source, 'unauthorized');
      if (auth?.reason === 'revoked')
        return this.refuse(socket, 401, 'key_revoked', 'this agent key was revoked');
      return this.refuse(
        socket,
        401,
        'unauthorized',
        'missing or wrong agent key or enrolment secret (Authorization: Bearer <token>)',
      );
    }
    this.throttle.succeeded(source);
    // A relay's key opens only /relay, an agent's key only the agents' path.
    const relayKey = auth.kind === 'key' && auth.agentId.startsWith(RELAY_ID_PREFIX);
    if (auth.kind === 'key' && relayKey !== isRelay)
      return this.refuse(
        socket,
        403,
        'not_a_relay',
        isRelay
          ? 'an agent key cannot open a relay link'
          : 'a relay key cannot connect as an agent',
      );
    if (this.guard.establishedCount >= this.opts.limits.ingestMaxAgentConnections) {
      this.guard.refused('agent_connection_limit');
      return refuseConnection(
        socket,
        503,
        'agent_connection_limit',
        `the console holds its maximum of ${this.opts.limits.ingestMaxAgentConnections} agent connections; retry later`,
        { 'Retry-After': String(RETRY_AFTER_FULL_S) },
      );
    }
    if (isRelay) {
      return this.relayWss.handleUpgrade(req, socket, head, (ws) => {
        this.guard.settled(socket);
        this.deps.relays!.accept(ws, source, auth);
      });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.guard.settled(socket);
      const session = new AgentSession(
        ws,
        source,
        auth,
        { ...this.deps, credentials: this.opts.credentials },
        { maxSendBufferBytes: this.opts.maxSendBufferBytes },
        (s) => this.registered(s),
      );
      this.sessions.add(session);
      this.deps.metrics.agentsConnected.set(this.sessions.size);
      ws.on('close', () => {
        this.sessions.delete(session);
        if (session.agentId && this.byAgent.get(session.agentId) === session)
          this.byAgent.delete(session.agentId);
        this.deps.metrics.agentsConnected.set(this.sessions.size);
      });
    });
  }

  /** Close every connection authenticated with this key (it was revoked); how many there were. */
  disconnectKey(keyId: string): number {
    let n = this.deps.relays?.disconnectKey(keyId) ?? 0;
    for (const s of this.sessions) {
      if (s.keyId === keyId) {
        s.close(CLOSE.keyRevoked, 'this agent key was revoked by an operator', false);
        n++;
      }
    }
    return n;
  }

  /**
   * An HTTP endpoint (remote write): the same gate as the upgrade (throttle, no browsers, the
   * agent credential), then the connection counts as established and the endpoint serves it.
   */
  private serveHttp(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: Parameters<NonNullable<IngestDeps['http']>['serve']>[2],
  ): void {
    const source = sourceOf(req.socket);
    const refuse = (status: number, code: string, message: string, headers = {}) => {
      this.deps.metrics.remoteWrite.requests.inc({ endpoint, outcome: code });
      replyError(res, status, code, message, headers);
    };
    const waitMs = this.throttle.blockedForMs(source);
    if (waitMs > 0) {
      this.guard.refused('auth_rate_limited');
      const retryAfter = Math.ceil(waitMs / 1000);
      return refuse(
        429,
        'auth_rate_limited',
        `too many wrong agent tokens from ${source}; retry in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    if (req.headers.origin !== undefined)
      return refuse(403, 'browser_origin', 'browsers may not write to the ingest port');
    // An agent key or the enrolment secret (senders such as Prometheus cannot enrol).
    const token = bearerToken(req.headers.authorization);
    const auth = token ? this.opts.credentials.authenticate(token) : null;
    if (!auth || auth.kind === 'refused') {
      this.throttle.failed(source);
      this.deps.onAuthRefused?.(source, 'unauthorized');
      return refuse(
        401,
        auth?.reason === 'revoked' ? 'key_revoked' : 'unauthorized',
        'missing or wrong agent key or enrolment secret (Authorization: Bearer <token>)',
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    this.throttle.succeeded(source);
    if (auth.kind === 'key' && auth.agentId.startsWith(RELAY_ID_PREFIX))
      return refuse(403, 'not_a_relay', "a relay's key cannot write as an agent");
    this.guard.settled(req.socket);
    this.deps.http!.serve(req, res, endpoint, source);
  }

  /** One live connection per agent: a newer one replaces the older. */
  private registered(session: AgentSession): void {
    const id = session.agentId!;
    const previous = this.byAgent.get(id);
    this.byAgent.set(id, session);
    if (previous && previous !== session)
      previous.end(CLOSE.replaced, 'a newer connection took over');
  }

  private refuse(socket: Duplex, status: number, reason: string, message: string): void {
    this.deps.metrics.framesRejected.inc({ reason });
    refuseConnection(
      socket,
      status,
      reason,
      message,
      status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
    );
  }

  /** Peers that did not answer the last ping are dead: drop them (their agents go offline). */
  private pingAll(): void {
    for (const s of this.sessions) {
      if (!s.alive) {
        this.deps.metrics.framesRejected.inc({ reason: 'ping_timeout' });
        s.terminate();
      } else s.ping();
    }
  }
}

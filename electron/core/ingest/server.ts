import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLOSE, MAX_FRAME_BYTES } from '../../../shared/protocol.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { AgentSession, type IngestHandler } from './session.js';
import { bearerToken, tokensEqual } from './tokens.js';

export interface IngestOptions {
  host: string;
  port: number;
  agentToken: string;
  pingIntervalMs: number;
  maxSendBufferBytes: number;
}

export interface IngestDeps {
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  handler: IngestHandler;
}

const INGEST_PATHS = new Set(['/', '/ingest']);

/**
 * The agents' WebSocket port. Authentication happens at the HTTP upgrade, so a bad token
 * never gets a WebSocket; browsers (any Origin header) are refused outright.
 */
export class IngestServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<AgentSession>();
  private readonly byAgent = new Map<string, AgentSession>();
  private pinger: TimerHandle | null = null;

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
    this.http = createServer((req, res) => {
      res.writeHead(426, { 'Content-Type': 'application/json', Upgrade: 'websocket' });
      res.end(
        JSON.stringify({
          error: { code: 'upgrade_required', message: 'the ingest port speaks WebSocket only' },
        }),
      );
      void req;
    });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.pinger = this.deps.clock.setInterval(() => this.pingAll(), this.opts.pingIntervalMs);
    return (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.pinger?.cancel();
    for (const s of this.sessions) s.end(CLOSE.shuttingDown, 'console stopping');
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    // Give peers a moment to answer the close handshake, then cut whatever is left.
    await new Promise((r) => setTimeout(r, 50));
    for (const s of this.sessions) s.terminate();
    this.http.closeAllConnections();
    await closed;
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node drops its own error listener on an upgraded socket: a reset must not crash us.
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0]!;
    if (!INGEST_PATHS.has(path))
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
    if (!token || !tokensEqual(token, this.opts.agentToken)) {
      return this.refuse(
        socket,
        401,
        'unauthorized',
        'missing or wrong agent token (Authorization: Bearer <token>)',
      );
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = (socket as Socket).remoteAddress ?? '';
      const session = new AgentSession(
        ws,
        remote.replace(/^::ffff:/, ''),
        this.deps,
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
    const body = JSON.stringify({ error: { code: reason, message } });
    const head = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
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

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

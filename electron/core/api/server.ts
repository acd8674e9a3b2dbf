import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { API_PREFIX, STREAM_PATH } from '../../../shared/api-constants.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { watchAcceptErrors } from '../net/accept-errors.js';
import { ConnectionGuard } from '../net/connection-guard.js';
import { refuseConnection } from '../net/refuse.js';
import { ApiAccess, isPageNavigation } from './access.js';
import {
  HttpError,
  isRawFile,
  readJsonBody,
  sendError,
  sendJson,
  sendRawFile,
} from './http-util.js';
import { matchRoute, routeHasBody, runRoute, type ApiServices } from './router.js';
import { FEDERATE_PATH, serveFederate } from './route-federate.js';
import type { FederationSource } from '../interop/federation.js';
import { sendUnauthorizedPage } from './static.js';
import type { StreamHub } from './stream.js';

export interface ApiServerOptions {
  port: number;
  sessionToken: string;
  /** All open connections: REST, keep-alive, stream viewers. */
  maxConnections: number;
  /** A new connection must send its first request's headers within this. */
  headerTimeoutMs: number;
}

export interface ApiServerDeps {
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  services: ApiServices;
  stream: StreamHub;
  /** The series /federate exposes (electron/core/interop/). */
  federation: FederationSource;
  /** A request that presented the session token (the audit trail records a client's first). */
  sessionUsed?(req: IncomingMessage, via: 'bearer' | 'query' | 'cookie'): Promise<unknown>;
  /** Serves the renderer's files; returns false when it has no such file. */
  serveStatic(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    setCookie: string | null,
  ): Promise<boolean>;
}

/** The console's HTTP port: REST, the stream, /metrics, /healthz and the renderer. Loopback only. */
export class ApiServer {
  private readonly http: Server;
  private readonly access: ApiAccess;
  private readonly guard: ConnectionGuard;

  constructor(
    private readonly deps: ApiServerDeps,
    private readonly opts: ApiServerOptions,
  ) {
    this.access = new ApiAccess(opts.sessionToken);
    this.http = createServer(
      {
        // The guard's deadline covers a connection's first request; Node's, set later so the
        // guard's fires (and is counted) first, covers later keep-alive requests. Upgraded
        // sockets (the stream) leave the HTTP server and are subject to neither.
        headersTimeout: opts.headerTimeoutMs * 2,
        requestTimeout: Math.max(60_000, opts.headerTimeoutMs * 3),
        connectionsCheckingInterval: 1_000,
      },
      (req, res) => {
        this.guard.settled(req.socket);
        this.handle(req, res).catch((err: unknown) => this.fail(res, err));
      },
    );
    // Loopback only, so per-source caps mean nothing here: the total cap keeps a local flood
    // from taking the descriptors the rest of the process needs.
    this.guard = new ConnectionGuard(deps, 'api', {
      maxHandshaking: Infinity,
      maxHandshakingPerSource: Infinity,
      maxTotal: opts.maxConnections,
      handshakeTimeoutMs: opts.headerTimeoutMs,
    });
    this.guard.attach(this.http);
    this.http.on('upgrade', (req, socket, head) => {
      this.guard.settled(socket as Socket);
      this.onUpgrade(req, socket, head);
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      // Never beyond loopback: the session token is the only lock on this port.
      this.http.listen(this.opts.port, '127.0.0.1', () => resolve());
    });
    watchAcceptErrors(this.http, 'api', this.deps);
    const port = (this.http.address() as AddressInfo).port;
    this.access.setPort(port);
    return port;
  }

  async stop(): Promise<void> {
    this.guard.stop();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      throw new HttpError(400, 'bad_url', 'the request path is not a valid URL');
    }
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    const refusal = this.access.check(req, url);
    if (refusal?.status === 401 && isPageNavigation(req, url)) {
      // A person at a browser: say how to get in (still a 401, still counted).
      this.deps.metrics.httpRejected.inc({ reason: refusal.code });
      return sendUnauthorizedPage(req, res);
    }
    if (refusal) throw this.refused(refusal);
    const via = this.access.presented(req, url);
    if (via) await this.deps.sessionUsed?.(req, via);
    const method = req.method ?? 'GET';
    if (url.pathname === '/metrics') {
      const text = await this.deps.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': this.deps.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (url.pathname === FEDERATE_PATH)
      return serveFederate(method, url, res, this.deps.federation);
    if (url.pathname.startsWith(`${API_PREFIX}/`)) {
      const match = matchRoute(method, url.pathname);
      const body = routeHasBody(match) ? await readJsonBody(req) : undefined;
      const query = Object.fromEntries(url.searchParams);
      delete query.token;
      const result = await runRoute(match, query, body, this.deps.services);
      // A file (the compliance export) goes out as itself, not as JSON.
      if (isRawFile(result)) return sendRawFile(res, result.rawFile);
      return sendJson(res, 200, result);
    }
    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, 'method_not_allowed', `${method} ${url.pathname}`);
    const setCookie = url.searchParams.has('token') ? this.access.sessionCookie() : null;
    if (await this.deps.serveStatic(req, res, url.pathname, setCookie)) return;
    throw new HttpError(404, 'not_found', `nothing at ${url.pathname}`);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node drops its own error listener on an upgraded socket: a reset must not crash us.
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      this.deps.metrics.httpRejected.inc({ reason: 'bad_url' });
      return refuseConnection(socket, 400, 'bad_url', 'the request path is not a valid URL');
    }
    const refusal =
      url.pathname === STREAM_PATH
        ? this.access.check(req, url)
        : { status: 404, code: 'not_found', message: `no stream at ${url.pathname}` };
    if (refusal) {
      this.deps.metrics.httpRejected.inc({ reason: refusal.code });
      return refuseConnection(socket, refusal.status, refusal.code, refusal.message);
    }
    this.deps.stream.accept(req, socket, head);
  }

  private refused(r: { status: number; code: string; message: string }): HttpError {
    return new HttpError(r.status, r.code, r.message);
  }

  private fail(res: ServerResponse, err: unknown): void {
    const httpErr =
      err instanceof HttpError
        ? err
        : new HttpError(500, 'internal', 'internal error; see the console log');
    if (!(err instanceof HttpError))
      this.deps.logger.error('API request failed', { error: String(err) });
    this.deps.metrics.httpRejected.inc({ reason: httpErr.code });
    if (res.headersSent) return void res.destroy();
    sendError(res, httpErr);
  }
}

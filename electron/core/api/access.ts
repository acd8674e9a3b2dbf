import type { IncomingMessage } from 'node:http';
import { extname } from 'node:path';
import { API_PREFIX } from '../../../shared/api-constants.js';
import { bearerToken, tokensEqual } from '../ingest/tokens.js';

export const SESSION_COOKIE = 'meridian_session';

/**
 * Who may use the API port: requests addressed to this loopback host (DNS rebinding
 * defence), from no browser origin or our own, carrying the session token.
 */
export class ApiAccess {
  private port = 0;

  constructor(private readonly sessionToken: string) {}

  setPort(port: number): void {
    this.port = port;
  }

  get ownOrigins(): string[] {
    return [
      `http://127.0.0.1:${this.port}`,
      `http://localhost:${this.port}`,
      `http://[::1]:${this.port}`,
    ];
  }

  /** Returns a refusal (status + code + message) or null when allowed. */
  check(req: IncomingMessage, url: URL): { status: number; code: string; message: string } | null {
    const host = req.headers.host ?? '';
    if (!this.ownOrigins.includes(`http://${host}`)) {
      return { status: 403, code: 'bad_host', message: `host '${host}' is not this console` };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.ownOrigins.includes(origin)) {
      return {
        status: 403,
        code: 'foreign_origin',
        message: `origin '${origin}' may not use this console`,
      };
    }
    if (!this.presented(req, url)) {
      return { status: 401, code: 'unauthorized', message: 'missing or wrong session token' };
    }
    return null;
  }

  /** How the request carried the right session token, or null when it did not. */
  presented(req: IncomingMessage, url: URL): 'bearer' | 'query' | 'cookie' | null {
    const candidates = [
      ['bearer', bearerToken(req.headers.authorization)],
      ['query', url.searchParams.get('token')],
      ['cookie', cookieToken(req)],
    ] as const;
    const [via, token] = candidates.find(([, t]) => t) ?? ['bearer', null];
    return token && tokensEqual(token, this.sessionToken) ? via : null;
  }

  /** Set on the first page load (?token=) so reloads and the stream work without the token in the URL. */
  sessionCookie(): string {
    return `${SESSION_COOKIE}=${this.sessionToken}; HttpOnly; SameSite=Strict; Path=/`;
  }
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return null;
}

/**
 * A browser opening a console page (the address bar, a bookmark, a reload): a GET or HEAD of a
 * page route (not the API, not /metrics, not a file) that accepts HTML. Refusals of these get
 * a readable page; everything else (scripts, the API, assets) keeps the JSON error.
 */
export function isPageNavigation(req: IncomingMessage, url: URL): boolean {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.pathname;
  if (
    path === API_PREFIX ||
    path.startsWith(`${API_PREFIX}/`) ||
    path === '/metrics' ||
    path === '/federate'
  )
    return false;
  if (extname(path) !== '' && extname(path) !== '.html') return false;
  return /(^|,)\s*text\/html\b/i.test(req.headers.accept ?? '');
}

// Where the core is and how to prove we may use it: the desktop preload hands over the API
// base and token; in a browser the page came from the core itself, so the origin is the API
// and the HttpOnly session cookie (set by the first `/?token=` load) authenticates.
import { desktopBridge } from '../desktop-bridge';

export interface Endpoint {
  /** e.g. http://127.0.0.1:4780 (no trailing slash). */
  apiBase: string;
  /** Bearer token when known; null means rely on the session cookie. */
  token: string | null;
}

/** Read `?token=` once and take it out of the address bar (and history) right away. */
function takeTokenFromUrl(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  return token;
}

export async function resolveEndpoint(): Promise<Endpoint> {
  const bridge = desktopBridge();
  if (bridge) {
    const session = await bridge.session();
    return { apiBase: session.apiBase.replace(/\/+$/, ''), token: session.token };
  }
  return { apiBase: window.location.origin, token: takeTokenFromUrl() };
}

export function streamUrl(endpoint: Endpoint, path: string): string {
  const url = new URL(path, endpoint.apiBase);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  // Browsers cannot set headers on a WebSocket: the token goes in the query when we have it
  // (desktop), otherwise the same-origin cookie is sent.
  if (endpoint.token) url.searchParams.set('token', endpoint.token);
  return url.toString();
}

// What the desktop window may do: which navigations, requests, permissions and IPC senders
// are allowed. Plain functions over URLs and strings, so they are unit-tested without Electron.
import { CONTENT_SECURITY_POLICY } from '../core/api/static.js';

/** The window's CSP: the same one the core's static handler sends (script-src 'self'). */
export const CSP = CONTENT_SECURITY_POLICY;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The origin of a URL ('http://127.0.0.1:4780'), or null when it has none. */
export function originOf(url: string): string | null {
  const u = parse(url);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return null;
  return u.origin;
}

/** Top-level or frame navigation: only within the console's own origin. */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/**
 * Any network request of the window's session: http(s) and ws(s) only to the console's own
 * host and port (the renderer is fully offline: map data is bundled). data:/blob: stay
 * allowed (the CSP governs them); devtools pages work when opened.
 */
export function isAllowedRequest(url: string, appOrigin: string): boolean {
  const u = parse(url);
  const app = parse(appOrigin);
  if (!u || !app) return false;
  switch (u.protocol) {
    case 'http:':
    case 'https:':
      return u.origin === app.origin;
    case 'ws:':
    case 'wss:':
      return (
        u.host === app.host && (u.protocol === 'wss:') === (app.protocol === 'https:') && !!u.host
      );
    case 'data:':
    case 'blob:':
    case 'devtools:':
      return true;
    default:
      return false;
  }
}

/** Permission requests and checks: notifications only, and only for the console's own pages. */
export function permissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
  appOrigin: string,
): boolean {
  if (permission !== 'notifications') return false;
  return requestingUrl !== undefined && originOf(requestingUrl) === appOrigin;
}

/** The frame an IPC message came from, as much of Electron's WebFrameMain as is checked. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/** IPC handlers answer only the console's own top-level page, never a subframe or other site. */
export function isTrustedSender(frame: SenderFrame | null | undefined, appOrigin: string): boolean {
  if (!frame || frame.parent !== null) return false;
  return originOf(frame.url) === appOrigin;
}

/** Response headers with our CSP set (replacing any other, whatever its case): defence in depth. */
export function withCsp(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CSP];
  return out;
}

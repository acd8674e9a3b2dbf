import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** The same policy the Electron window applies: our own scripts only. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const PLACEHOLDER = `<!doctype html><html><head><meta charset="utf-8"><title>Meridian</title></head>
<body style="font-family:system-ui;background:#0f1420;color:#d8dee9;padding:2rem">
<h1>Meridian console</h1><p>The console core is running. The renderer has not been built into this install yet.</p>
<ul><li><a style="color:#88c0d0" href="/api/v1/regions">/api/v1/regions</a></li>
<li><a style="color:#88c0d0" href="/api/v1/agents">/api/v1/agents</a></li>
<li><a style="color:#88c0d0" href="/api/v1/alerts?state=open">/api/v1/alerts?state=open</a></li>
<li><a style="color:#88c0d0" href="/metrics">/metrics</a></li></ul></body></html>`;

/**
 * Serves the built renderer from `root` (single-page app: unknown paths get index.html),
 * or a small placeholder page when there is no build.
 */
export function createStaticHandler(root: string | null) {
  return async (
    _req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    setCookie: string | null,
  ): Promise<boolean> => {
    const headers: Record<string, string> = {
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...(setCookie ? { 'Set-Cookie': setCookie } : {}),
    };
    if (!root) {
      if (pathname !== '/') return false;
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html']! });
      res.end(PLACEHOLDER);
      return true;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return false; // malformed %-encoding: nothing here (a JSON 404)
    }
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const file = join(root, rel);
    if (!file.startsWith(root + sep) && file !== root) return false;
    for (const candidate of extname(rel) ? [file] : [join(root, 'index.html')]) {
      try {
        const body = await readFile(candidate);
        res.writeHead(200, {
          ...headers,
          'Content-Type': TYPES[extname(candidate)] ?? 'application/octet-stream',
        });
        res.end(body);
        return true;
      } catch {
        return false;
      }
    }
    return false;
  };
}

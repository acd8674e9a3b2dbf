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
 * What a browser shows when it opens the console without its session (no token in the link, or
 * the cookie of an earlier launch): how to get in, instead of a raw JSON refusal. No script, no
 * external resource: it passes the same CSP as the console.
 */
const UNAUTHORIZED_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="dark light">
<title>Meridian — open the console link</title>
<style>body{font:15px/1.55 system-ui,sans-serif;background:#0f1420;color:#e3e8f0;margin:0;padding:12vh 1.5rem}
main{max-width:38rem;margin:0 auto}h1{font-size:1.35rem;margin:0 0 1rem}code,pre{font:13px ui-monospace,monospace}
pre{background:#1a2130;border:1px solid #2c3547;border-radius:6px;padding:.7rem .9rem;overflow-x:auto;color:#e3e8f0}
p,li{color:#c5cdd9}strong{color:#fff}</style></head>
<body><main data-testid="unauthorized-page">
<h1>This console needs its session link</h1>
<p>Meridian only answers a browser that carries the console's session token. It is part of the
console link, and it changes every time the console starts, so a bookmark or an old tab stops working.</p>
<ul>
<li><strong>Started with <code>meridian serve</code>?</strong> It printed the link when it started; open that
(on the line that starts with <code>console</code>):
<pre>console  http://127.0.0.1:4780/?token=…</pre></li>
<li><strong>Using the desktop app?</strong> It opens the console by itself; there is no link to copy.
Bring its window to the front, or start it again.</li>
</ul>
<p>Lost the output of <code>meridian serve</code>? Restart it to get a new link.</p>
</main></body></html>`;

/** A 401 as a page, for a browser navigation without the session (see isPageNavigation). */
export function sendUnauthorizedPage(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(401, {
    'Content-Type': TYPES['.html']!,
    'Content-Length': Buffer.byteLength(UNAUTHORIZED_PAGE),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : UNAUTHORIZED_PAGE);
}

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

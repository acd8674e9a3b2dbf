// GET /federate?match[]=<selector>…: the console's series for a Prometheus to scrape. Behind
// the same access check as every API route (session token as a bearer, a cookie or ?token=).
import type { ServerResponse } from 'node:http';
import { EXPOSITION_CONTENT_TYPE } from '../interop/exposition.js';
import { federate, parseMatches, type FederationSource } from '../interop/federation.js';
import { SelectorError } from '../interop/selector.js';
import { HttpError } from './http-util.js';

export const FEDERATE_PATH = '/federate';

export function serveFederate(
  method: string,
  url: URL,
  res: ServerResponse,
  source: FederationSource,
): void {
  if (method !== 'GET' && method !== 'HEAD')
    throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${FEDERATE_PATH}`);
  let selectors;
  try {
    selectors = parseMatches(url.searchParams.getAll('match[]'));
  } catch (err) {
    if (!(err instanceof SelectorError)) throw err;
    throw new HttpError(400, 'invalid_selector', err.message, 'match[]');
  }
  const text = federate(source, selectors);
  res.writeHead(200, {
    'Content-Type': EXPOSITION_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(method === 'HEAD' ? undefined : text);
}

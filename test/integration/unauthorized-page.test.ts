// Issue 9, "first contact": a browser that opens the console without its session gets a small
// HTML page (still a 401) saying where the link comes from; scripts and the API keep the JSON
// refusal. Real HTTP against the real core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TOKEN, startTestCore, type TestCore } from '../helpers/core.js';

/** What Chromium sends when the address bar opens a page. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore();
});
afterAll(async () => {
  await t?.stop();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${t.addr.apiUrl}${path}`, { method, headers });

async function expectJson401(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({
    error: { code: 'unauthorized', message: 'missing or wrong session token' },
  });
}

describe('the console without its session', () => {
  it('answers a browser opening a page with a readable 401 page', async () => {
    const before = await t.metric('meridian_api_requests_rejected_total', {
      reason: 'unauthorized',
    });
    for (const path of ['/', '/index.html', '/alerts']) {
      const res = await get(path, { Accept: BROWSER_ACCEPT });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<code>meridian serve</code>');
      expect(html).toContain('desktop app');
      expect(html).not.toContain('<script');
      expect(html).not.toContain(SESSION_TOKEN);
    }
    // Still refusals, and counted as such.
    expect(await t.metric('meridian_api_requests_rejected_total', { reason: 'unauthorized' })).toBe(
      before + 3,
    );
  });

  it('says the same to a browser whose session cookie is from an earlier launch', async () => {
    const res = await get('/', { Accept: BROWSER_ACCEPT, Cookie: 'meridian_session=old-launch' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('This console needs its session link');
    const head = await get('/', { Accept: BROWSER_ACCEPT }, 'HEAD');
    expect(head.status).toBe(401);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('keeps the JSON 401 for the API, /metrics, files and non-HTML clients', async () => {
    await expectJson401(await get('/api/v1/regions', { Accept: BROWSER_ACCEPT }));
    await expectJson401(await get('/api/v1/regions', { Accept: 'application/json' }));
    await expectJson401(await get('/metrics', { Accept: BROWSER_ACCEPT }));
    await expectJson401(await get('/assets/index.js', { Accept: '*/*' }));
    await expectJson401(await get('/', { Accept: 'application/json' }));
    await expectJson401(await get('/'));
    const post = await fetch(`${t.addr.apiUrl}/`, {
      method: 'POST',
      headers: { Accept: BROWSER_ACCEPT },
    });
    await expectJson401(post);
  });

  it('serves the console to the same navigation with the token', async () => {
    const res = await get(`/?token=${SESSION_TOKEN}`, { Accept: BROWSER_ACCEPT });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toContain('meridian_session=');
  });
});

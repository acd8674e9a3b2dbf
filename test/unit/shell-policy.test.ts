import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/core/api/static.js';
import {
  CSP,
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  originOf,
  permissionAllowed,
  withCsp,
} from '../../electron/shell/policy.js';
import { windowOptions } from '../../electron/shell/window.js';
import { MIN_CONTENT_HEIGHT, MIN_CONTENT_WIDTH } from '../../shared/layout.js';

const APP = 'http://127.0.0.1:4780';

describe('windowOptions', () => {
  it('isolates the renderer: sandbox, context isolation, no Node, web security on', () => {
    const opts = windowOptions('/app/dist/electron/preload.js');
    expect(opts.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('cannot be made narrower than the page is laid out for (the content area, not the frame)', () => {
    const opts = windowOptions('/p.js');
    expect(opts).toMatchObject({
      useContentSize: true,
      minWidth: MIN_CONTENT_WIDTH,
      minHeight: MIN_CONTENT_HEIGHT,
    });
  });

  it('shows the window only once painted, on the dark background', () => {
    const opts = windowOptions('/p.js');
    expect(opts.show).toBe(false);
    expect(opts.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(opts.icon).toBeUndefined();
  });
});

describe('isAllowedNavigation', () => {
  it('allows the console origin, any path', () => {
    expect(isAllowedNavigation(`${APP}/`, APP)).toBe(true);
    expect(isAllowedNavigation(`${APP}/alerts?state=firing#x`, APP)).toBe(true);
  });

  it('refuses other sites, ports, hosts and schemes', () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:4781/',
      'http://localhost:4780/',
      'https://127.0.0.1:4780/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAllowedNavigation(url, APP), url).toBe(false);
    }
  });

  it('is not fooled by credentials or look-alike hosts', () => {
    expect(isAllowedNavigation('http://127.0.0.1:4780@evil.example/', APP)).toBe(false);
    expect(isAllowedNavigation('http://127.0.0.1.evil.example:4780/', APP)).toBe(false);
  });
});

describe('isAllowedRequest', () => {
  it('allows the API, the stream and the renderer files on the console port', () => {
    expect(isAllowedRequest(`${APP}/api/v1/alerts`, APP)).toBe(true);
    expect(isAllowedRequest('ws://127.0.0.1:4780/api/v1/stream', APP)).toBe(true);
    expect(isAllowedRequest(`${APP}/assets/index.js`, APP)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA', APP)).toBe(true);
  });

  it('refuses anything off the console port (the renderer is offline by design)', () => {
    expect(isAllowedRequest('https://tile.openstreetmap.org/1/1/1.png', APP)).toBe(false);
    expect(isAllowedRequest('ws://127.0.0.1:4781/', APP)).toBe(false);
    expect(isAllowedRequest('wss://127.0.0.1:4780/api/v1/stream', APP)).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd', APP)).toBe(false);
    expect(isAllowedRequest('garbage', APP)).toBe(false);
  });
});

describe('permissionAllowed', () => {
  it('grants notifications to the console page only', () => {
    expect(permissionAllowed('notifications', `${APP}/`, APP)).toBe(true);
    expect(permissionAllowed('notifications', APP, APP)).toBe(true);
    expect(permissionAllowed('notifications', 'https://example.com/', APP)).toBe(false);
    expect(permissionAllowed('notifications', undefined, APP)).toBe(false);
  });

  it('refuses every other permission', () => {
    for (const p of [
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'usb',
      'unknown',
    ]) {
      expect(permissionAllowed(p, `${APP}/`, APP), p).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  it('answers the console top-level page', () => {
    expect(isTrustedSender({ url: `${APP}/alerts`, parent: null }, APP)).toBe(true);
  });

  it('refuses subframes, other origins and gone frames', () => {
    expect(isTrustedSender({ url: `${APP}/`, parent: {} }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'about:blank', parent: null }, APP)).toBe(false);
    expect(isTrustedSender(null, APP)).toBe(false);
    expect(isTrustedSender(undefined, APP)).toBe(false);
  });
});

describe('CSP', () => {
  it('is the core policy, scripts from self only', () => {
    expect(CSP).toBe(CONTENT_SECURITY_POLICY);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toContain('unsafe-eval');
    expect(CSP).toContain("object-src 'none'");
  });

  it('withCsp replaces any policy, whatever the header case, and keeps the rest', () => {
    const out = withCsp({
      'content-security-policy': ['script-src *'],
      'Content-Type': ['text/html'],
    });
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] });
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CSP] });
  });

  it('originOf only knows http(s) origins', () => {
    expect(originOf('http://127.0.0.1:4780/x?y')).toBe(APP);
    expect(originOf('file:///x')).toBeNull();
    expect(originOf('nope')).toBeNull();
  });
});

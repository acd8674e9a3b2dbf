// The browser tab carries the count of alerts that need someone (issue 9: operators keep the
// console in a background tab): "(3) Meridian" and a favicon with a badge.
import { describe, expect, it } from 'vitest';
import type { Alert, AlertState, Severity } from '../../shared/model.js';
import { faviconHref, faviconSvg, tabBadge, tabTitle } from '../../renderer/src/lib/tab-badge.js';

const alert = (state: AlertState, severity: Severity): Alert =>
  ({ id: `${state}-${severity}`, state, severity }) as Alert;

describe('tab badge', () => {
  it('counts firing and pending alerts, not acknowledged or resolved ones', () => {
    const badge = tabBadge([
      alert('firing', 'warning'),
      alert('pending', 'info'),
      alert('acknowledged', 'critical'),
      alert('resolved', 'critical'),
    ]);
    expect(badge).toEqual({ count: 2, worst: 'warning' });
    expect(tabTitle(badge)).toBe('(2) Meridian');
    expect(tabBadge([alert('firing', 'info'), alert('firing', 'critical')]).worst).toBe('critical');
  });

  it('says nothing extra when nothing fires, and caps long counts', () => {
    expect(tabTitle({ count: 0, worst: null })).toBe('Meridian');
    expect(tabTitle({ count: 1234, worst: 'critical' })).toBe('(99+) Meridian');
  });

  it('draws the count on the favicon, as a data: URL the CSP allows', () => {
    const svg = faviconSvg({ count: 7, worst: 'critical' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>7</text>');
    expect(faviconSvg({ count: 0, worst: null })).not.toContain('<text');
    const href = faviconHref({ count: 12, worst: 'warning' });
    expect(href.startsWith('data:image/svg+xml,')).toBe(true);
    expect(decodeURIComponent(href.slice('data:image/svg+xml,'.length))).toContain('>12</text>');
  });
});

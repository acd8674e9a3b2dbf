// The browser tab carries the count of alerts that need someone, so a console left in a
// background tab still says "look at me": "(3) Meridian" and the favicon with a badge. Pure.
import type { Alert } from '../../../shared/model.js';

export const BASE_TITLE = 'Meridian';

export interface TabBadge {
  /** Firing (and pending) alerts, the ones nobody has acknowledged yet: what a background tab
   * should call someone for (the nav badge counts every open alert at the worst severity). */
  count: number;
  /** The worst severity among them, null when none. */
  worst: 'critical' | 'warning' | 'info' | null;
}

const RANK = { info: 1, warning: 2, critical: 3 } as const;

export function tabBadge(alerts: Iterable<Alert>): TabBadge {
  let count = 0;
  let worst: TabBadge['worst'] = null;
  for (const a of alerts) {
    if (a.state !== 'firing' && a.state !== 'pending') continue;
    count++;
    if (worst === null || RANK[a.severity] > RANK[worst]) worst = a.severity;
  }
  return { count, worst };
}

function countText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

export function tabTitle(badge: TabBadge): string {
  return badge.count > 0 ? `(${countText(badge.count)}) ${BASE_TITLE}` : BASE_TITLE;
}

const BADGE_FILL = { critical: '#cf2e36', warning: '#f0a429', info: '#4c9aff' } as const;
const BADGE_TEXT = { critical: '#ffffff', warning: '#1b1300', info: '#ffffff' } as const;

/** The console's mark (public/favicon.svg) with a count badge in its top-right corner. */
export function faviconSvg(badge: TabBadge): string {
  const mark =
    '<rect width="32" height="32" rx="7" fill="#0f1520"/>' +
    '<circle cx="16" cy="16" r="9" fill="none" stroke="#4c9aff" stroke-width="2.5"/>' +
    '<path d="M16 7v18M7 16h18" stroke="#4c9aff" stroke-width="1.5" opacity=".6"/>';
  if (badge.count === 0 || badge.worst === null) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${mark}<circle cx="21" cy="12" r="3" fill="#36c98e"/></svg>`;
  }
  const text = countText(badge.count);
  const width = text.length === 1 ? 18 : text.length === 2 ? 24 : 32;
  const x = 32 - width;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${mark}` +
    `<rect x="${x}" y="0" width="${width}" height="18" rx="9" fill="${BADGE_FILL[badge.worst]}"/>` +
    `<text x="${x + width / 2}" y="14" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" ` +
    `font-size="${text.length > 2 ? 12 : 14}" font-weight="700" fill="${BADGE_TEXT[badge.worst]}">${text}</text></svg>`
  );
}

/** As a data: URL (the CSP's img-src allows `data:`; nothing is fetched). */
export function faviconHref(badge: TabBadge): string {
  return `data:image/svg+xml,${encodeURIComponent(faviconSvg(badge))}`;
}

import type { Alert } from '../../shared/model.js';

/** Firing criticals: what the tray and the dock/taskbar badge count (acknowledged ones are in hand). */
export function countFiringCritical(alerts: Iterable<Pick<Alert, 'severity' | 'state'>>): number {
  let n = 0;
  for (const a of alerts) if (a.severity === 'critical' && a.state === 'firing') n++;
  return n;
}

export interface TrayText {
  tooltip: string;
  /** Short text for a badge or the macOS menu-bar title; '' when there is nothing to show. */
  badge: string;
  /** For app.setBadgeCount (0 clears it). */
  badgeCount: number;
}

export function trayText(firingCritical: number): TrayText {
  const n = Number.isFinite(firingCritical) ? Math.max(0, Math.floor(firingCritical)) : 0;
  if (n === 0) return { tooltip: 'Meridian — no firing critical alerts', badge: '', badgeCount: 0 };
  return {
    tooltip: `Meridian — ${n} firing critical alert${n === 1 ? '' : 's'}`,
    badge: n > 99 ? '99+' : String(n),
    badgeCount: n,
  };
}

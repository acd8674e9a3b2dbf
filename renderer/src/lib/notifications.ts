// Browser (Web Notification API) alerts for new critical alerts. Never used in the desktop
// window: there the main process shows native notifications, and showing both would double up.
import { useSyncExternalStore } from 'react';
import type { Alert } from '../../../shared/model';
import type { FleetStore } from '../api/store';
import { navigate } from './route';

/** More new criticals than this in one update become a single summary notification. */
const BURST_LIMIT = 3;

export type NotifyPermission = NotificationPermission | 'unsupported';

const permissionListeners = new Set<() => void>();

function supported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

function readPermission(): NotifyPermission {
  return supported() ? window.Notification.permission : 'unsupported';
}

let permission: NotifyPermission = readPermission();

function setPermission(p: NotifyPermission): void {
  permission = p;
  for (const l of permissionListeners) l();
}

export function useNotifyPermission(): NotifyPermission {
  return useSyncExternalStore(
    (cb) => {
      permissionListeners.add(cb);
      return () => permissionListeners.delete(cb);
    },
    () => permission,
  );
}

/** Ask once, from a click (browsers ignore requests made without a user gesture). */
export async function requestNotifyPermission(): Promise<NotifyPermission> {
  if (!supported()) return 'unsupported';
  if (window.Notification.permission !== 'default') {
    setPermission(window.Notification.permission);
    return permission;
  }
  setPermission(await window.Notification.requestPermission());
  return permission;
}

export function notificationTitle(alert: Alert, hostname: string | null, region: string | null) {
  return `${alert.severity.toUpperCase()} · ${hostname ?? region ?? 'console'}`;
}

/** Watches the store and raises one notification per critical alert not seen firing before. */
export class WebNotifier {
  private readonly seen = new Set<string>();
  private seeded = false;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly store: FleetStore) {}

  start(): void {
    const seed = () => {
      const state = this.store.getState();
      if (this.seeded || !state.loaded) return;
      this.seeded = true;
      // What the first snapshot already holds is not news.
      for (const a of state.alerts.values()) if (a.severity === 'critical') this.seen.add(a.id);
    };
    seed();
    this.offs.push(this.store.subscribe(seed));
    this.offs.push(this.store.onAlertUpdates((alerts) => this.onAlerts(alerts)));
  }

  stop(): void {
    this.offs.splice(0).forEach((off) => off());
  }

  private onAlerts(alerts: Alert[]): void {
    const fresh = alerts.filter(
      (a) => a.severity === 'critical' && a.state === 'firing' && !this.seen.has(a.id),
    );
    if (fresh.length === 0) return;
    for (const a of fresh) this.seen.add(a.id);
    if (!supported() || window.Notification.permission !== 'granted') return;
    const shown = fresh.length > BURST_LIMIT + 1 ? fresh.slice(0, BURST_LIMIT) : fresh;
    for (const alert of shown) this.show(alert);
    const rest = fresh.length - shown.length;
    if (rest > 0) {
      this.raise(
        `CRITICAL · ${rest} more alerts`,
        `${rest} more critical alerts are firing`,
        'meridian-burst',
        null,
      );
    }
  }

  private show(alert: Alert): void {
    const { agents, regions } = this.store.getState();
    const agent = alert.subject.agentId ? agents.get(alert.subject.agentId) : undefined;
    const region = alert.subject.regionId ? regions.get(alert.subject.regionId) : undefined;
    const title = notificationTitle(
      alert,
      agent?.hostname ?? null,
      region?.name ?? alert.subject.regionId,
    );
    const where = region ? ` · ${region.name}` : '';
    this.raise(title, `${alert.message}${where}`, alert.id, alert.id);
  }

  private raise(title: string, body: string, tag: string, alertId: string | null): void {
    try {
      const n = new window.Notification(title, { body, tag });
      n.onclick = () => {
        window.focus();
        navigate('alerts', alertId);
        n.close();
      };
    } catch {
      // Some platforms only allow notifications from a service worker; the queue still shows it.
    }
  }
}

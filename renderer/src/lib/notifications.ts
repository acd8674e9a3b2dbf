// Browser (Web Notification API) notifications, one per critical incident. Never used in the
// desktop window: there the main process shows native notifications, and showing both would
// double up.
import { useSyncExternalStore } from 'react';
import type { Incident } from '../../../shared/incidents';
import type { FleetStore } from '../api/store';
import {
  incidentNotices,
  seedShown,
  type IncidentNotice,
  type ShownIncidents,
} from './incident-notices';
import { navigate } from './route';

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

/**
 * Watches the store and raises one notification per incident (incident-notices.ts decides):
 * later alerts in it replace that notification quietly, with the new count.
 */
export class WebNotifier {
  private shown: ShownIncidents = new Map();
  private seeded = false;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly store: FleetStore) {}

  start(): void {
    const seed = () => {
      const state = this.store.getState();
      if (this.seeded || !state.loaded) return;
      this.seeded = true;
      // What the first snapshot already holds is not news.
      this.shown = seedShown(state.incidents.values());
    };
    seed();
    this.offs.push(this.store.subscribe(seed));
    this.offs.push(this.store.onIncidentUpdates((incidents) => this.onIncidents(incidents)));
  }

  stop(): void {
    this.offs.splice(0).forEach((off) => off());
  }

  private onIncidents(incidents: Incident[]): void {
    const { agents, regions } = this.store.getState();
    const { notices, shown } = incidentNotices(this.shown, incidents, {
      hostname: (id) => agents.get(id)?.hostname ?? null,
      regionName: (id) => regions.get(id)?.name ?? null,
    });
    this.shown = shown;
    if (!supported() || window.Notification.permission !== 'granted') return;
    for (const notice of notices) this.show(notice);
  }

  private show(notice: IncidentNotice): void {
    const { title, body, tag, renotify, silent } = notice;
    try {
      // `renotify` is in the spec but not yet in TypeScript's DOM types.
      const options: NotificationOptions & { renotify: boolean } = {
        body,
        tag,
        renotify,
        silent,
      };
      const n = new window.Notification(title, options);
      n.onclick = () => {
        window.focus();
        navigate('incidents', notice.incidentId);
        n.close();
      };
    } catch {
      // Some platforms only allow notifications from a service worker; the Incidents view shows it.
    }
  }
}

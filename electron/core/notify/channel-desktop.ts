// Native (Electron) and browser notifications, per incident: the first names the incident;
// later alerts in it replace that notification quietly with the new count (same tag) instead
// of popping again; an escalation pops again. The Electron shell and the stream subscribe.
import { alertCount, type NotificationMessage, type SendResult } from './message.js';

export interface DesktopNotice {
  incidentId: string;
  /** Replace the notification with this tag (one per incident) rather than add one. */
  tag: string;
  title: string;
  body: string;
  alertCount: number;
  /** A count update: replace without sound or pop-up. */
  silent: boolean;
  kind: NotificationMessage['kind'];
}

export class DesktopNotices {
  private readonly listeners = new Set<(n: DesktopNotice) => void>();

  /** Subscribe; returns the unsubscribe. */
  on(fn: (n: DesktopNotice) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get listening(): boolean {
    return this.listeners.size > 0;
  }

  send(msg: NotificationMessage): SendResult {
    const notice = desktopNotice(msg);
    for (const fn of this.listeners) fn(notice);
    return { ok: true, status: null, error: null, retryable: false };
  }
}

export function desktopNotice(msg: NotificationMessage): DesktopNotice {
  const i = msg.incident;
  const n = alertCount(i);
  const sev = i.severity.toUpperCase();
  const head =
    msg.kind === 'resolved'
      ? 'RESOLVED'
      : msg.kind === 'escalation'
        ? `${sev} · not acknowledged`
        : msg.kind === 'test'
          ? 'TEST'
          : sev;
  const where = i.regionId ? ` · ${i.regionId}` : '';
  return {
    incidentId: i.id,
    tag: `incident-${i.id}`,
    title: `${head} · ${i.title}`,
    body: `${n} alert${n === 1 ? '' : 's'}${where}`,
    alertCount: n,
    silent: msg.kind === 'update',
    kind: msg.kind,
  };
}

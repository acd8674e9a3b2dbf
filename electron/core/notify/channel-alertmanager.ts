// Alertmanager's webhook payload (version "4"), so receivers written for Alertmanager
// (PagerDuty bridges, ticket bots, alertmanager-webhook-logger…) take Meridian's incidents
// as they are. One incident is one Alertmanager group; its alerts are the group's alerts.
import { createHash } from 'node:crypto';
import type { NotificationMessage } from './message.js';

/** Alertmanager's "no end yet" (Go's zero time). */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

/** Alertmanager caps a group's alerts too (max_alerts); receivers see truncatedAlerts. */
const MAX_ALERTS = 100;

export function alertmanagerPayload(
  msg: NotificationMessage,
  receiver: string,
): AlertmanagerPayload {
  const i = msg.incident;
  const status = i.state === 'resolved' ? 'resolved' : 'firing';
  const iso = (ms: number) => new Date(ms).toISOString();
  const base: Record<string, string> = { incident: i.id };
  if (i.regionId) base.region = i.regionId;
  const url = msg.consoleUrl ? `${msg.consoleUrl}/#/incidents/${encodeURIComponent(i.id)}` : '';
  const refs = i.alerts.length > 0 ? i.alerts : [null];
  const alerts = refs.slice(0, MAX_ALERTS).map((ref): AlertmanagerAlert => {
    const labels: Record<string, string> = {
      ...base,
      alertname: ref?.ruleId ?? 'incident',
      severity: ref?.severity ?? i.severity,
      ...(i.agentId ? { agent: i.agentId } : {}),
      ...(ref ? { alert_id: ref.alertId } : {}),
      ...(ref?.effect ? { effect: 'true' } : {}),
    };
    return {
      status,
      labels,
      annotations: { summary: i.title },
      startsAt: iso(ref?.joinedAt ?? i.openedAt),
      endsAt: i.resolvedAt !== null ? iso(i.resolvedAt) : ZERO_TIME,
      generatorURL: url,
      fingerprint: fingerprint(labels),
    };
  });
  const common = commonLabels(alerts.map((a) => a.labels));
  return {
    version: '4',
    groupKey: `{}:{incident="${i.id}"}`,
    truncatedAlerts: Math.max(0, refs.length - MAX_ALERTS),
    status,
    receiver,
    groupLabels: { incident: i.id },
    commonLabels: common,
    commonAnnotations: { summary: i.title },
    externalURL: msg.consoleUrl ?? '',
    alerts,
  };
}

/** Labels every alert shares with the same value (as Alertmanager computes commonLabels). */
function commonLabels(all: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = all;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((l) => l[k] === v)),
  );
}

/** 16 hex digits over the sorted labels, like Alertmanager's (not bit-identical: not needed). */
function fingerprint(labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u00ff${labels[k]}\u00ff`)
    .join('');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

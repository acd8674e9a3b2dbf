// What a notification says, whatever carries it: one incident, why it goes out now, and how
// many alerts it groups (later alerts update that count instead of paging again).
import type { Incident } from '../../../shared/incidents.js';
import type { ChannelConfig, NotificationKind } from '../../../shared/notify.js';

export interface NotificationMessage {
  kind: NotificationKind;
  incident: Incident;
  /** Escalation step and round, for pages and escalations. */
  step: number | null;
  round: number | null;
  sentAt: number;
  /** The console's URL (no token), for links; null when not known. */
  consoleUrl: string | null;
  /** Why it goes out of turn (a recovery failed), with the action's output. */
  note?: { text: string; output?: string };
}

/** Output attached to a message is cut to this many characters. */
export const NOTE_OUTPUT_CHARS = 2_000;

/** What a channel reports back for one try. */
export interface SendResult {
  ok: boolean;
  /** HTTP status or SMTP reply code, when there was one. */
  status: number | null;
  error: string | null;
  /** Worth trying again (network error, timeout, 5xx, 429, SMTP 4xx); false for 4xx and the like. */
  retryable: boolean;
}

export type Transport = (channel: ChannelConfig, msg: NotificationMessage) => Promise<SendResult>;

/** Alerts that page: effects (inhibited) do not count as their own. */
export function alertCount(incident: Incident): number {
  return incident.alerts.length;
}

export function subjectLine(msg: NotificationMessage): string {
  const { incident } = msg;
  const sev = incident.severity.toUpperCase();
  const prefix =
    msg.kind === 'resolved'
      ? 'RESOLVED'
      : msg.kind === 'test'
        ? 'TEST'
        : msg.kind === 'escalation'
          ? `${sev} · escalated`
          : sev;
  return `[${prefix}] ${incident.title}`;
}

export function bodyLines(msg: NotificationMessage): string[] {
  const { incident } = msg;
  const n = alertCount(incident);
  const where = [
    incident.regionId ? `region ${incident.regionId}` : null,
    incident.agentId ? `agent ${incident.agentId}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `Incident ${incident.id}: ${incident.title}`,
    `Severity ${incident.severity}, state ${incident.state}, ${n} alert${n === 1 ? '' : 's'}${where ? `, ${where}` : ''}.`,
    `Opened ${new Date(incident.openedAt).toISOString()}.`,
  ];
  if (msg.note) {
    lines.push(msg.note.text);
    if (msg.note.output) lines.push('Output:', msg.note.output.slice(0, NOTE_OUTPUT_CHARS));
  } else if (msg.kind === 'escalation' && msg.step !== null)
    lines.push(
      `Not acknowledged: escalation step ${msg.step + 1}${msg.round ? ` (round ${msg.round + 1})` : ''}.`,
    );
  if (msg.kind === 'test') lines.push('A test from Meridian: this channel works.');
  if (msg.consoleUrl)
    lines.push(`${msg.consoleUrl}/#/incidents/${encodeURIComponent(incident.id)}`);
  return lines;
}

/** A made-up incident for test sends: plainly labelled, never stored. */
export function testIncident(now: number): Incident {
  return {
    id: 'test',
    title: 'Test notification from Meridian',
    severity: 'info',
    state: 'open',
    grouping: 'single',
    regionId: null,
    agentId: null,
    causeAlertId: null,
    alerts: [],
    owner: null,
    openedAt: now,
    updatedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationStep: null,
    nextEscalationAt: null,
    flapping: false,
    suppressedBy: null,
    timeline: [],
  };
}

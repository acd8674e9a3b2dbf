// The generic webhook: Meridian's own JSON, signed when the channel has a secret.
import type { ChannelConfig } from '../../../shared/notify.js';
import { postJson, type FetchFn } from './http-post.js';
import {
  alertCount,
  NOTE_OUTPUT_CHARS,
  type NotificationMessage,
  type SendResult,
} from './message.js';
import { signatureHeaders } from './signature.js';

/** The body a generic webhook receives (documented in docs/notifications.md). */
export function webhookPayload(msg: NotificationMessage) {
  const i = msg.incident;
  return {
    version: 'meridian.notify/1',
    kind: msg.kind,
    sentAt: msg.sentAt,
    step: msg.step,
    round: msg.round,
    /** Present when it escalates out of turn: a recovery failed (with the action's output). */
    ...(msg.note
      ? {
          note: {
            text: msg.note.text,
            output: msg.note.output?.slice(0, NOTE_OUTPUT_CHARS) ?? null,
          },
        }
      : {}),
    incident: {
      id: i.id,
      title: i.title,
      severity: i.severity,
      state: i.state,
      regionId: i.regionId,
      agentId: i.agentId,
      causeAlertId: i.causeAlertId,
      alertCount: alertCount(i),
      owner: i.owner,
      openedAt: i.openedAt,
      acknowledgedAt: i.acknowledgedAt,
      acknowledgedBy: i.acknowledgedBy,
      resolvedAt: i.resolvedAt,
      url: msg.consoleUrl ? `${msg.consoleUrl}/#/incidents/${encodeURIComponent(i.id)}` : null,
    },
  };
}

/** POST `body` to the channel's URL, signed with its secret when it has one. */
export function postSigned(
  fetchFn: FetchFn,
  channel: Extract<ChannelConfig, { kind: 'webhook' | 'alertmanager' | 'slack' }>,
  body: string,
  now: number,
  timeoutMs: number,
): Promise<SendResult> {
  const headers =
    'secret' in channel && channel.secret ? signatureHeaders(channel.secret, body, now) : {};
  return postJson(fetchFn, channel.url, body, headers, timeoutMs);
}

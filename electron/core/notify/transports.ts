// Which code carries a message for each kind of channel.
import type { ChannelConfig } from '../../../shared/notify.js';
import { alertmanagerPayload } from './channel-alertmanager.js';
import type { DesktopNotices } from './channel-desktop.js';
import { sendEmail } from './channel-email.js';
import { slackPayload } from './channel-slack.js';
import { postSigned, webhookPayload } from './channel-webhook.js';
import type { FetchFn } from './http-post.js';
import type { NotificationMessage, SendResult, Transport } from './message.js';

export interface TransportDeps {
  fetch: FetchFn;
  desktop: DesktopNotices;
  timeoutMs: number;
  now(): number;
}

export function createTransport(deps: TransportDeps): Transport {
  return async (channel: ChannelConfig, msg: NotificationMessage): Promise<SendResult> => {
    switch (channel.kind) {
      case 'webhook':
        return postSigned(
          deps.fetch,
          channel,
          JSON.stringify(webhookPayload(msg)),
          deps.now(),
          deps.timeoutMs,
        );
      case 'alertmanager':
        return postSigned(
          deps.fetch,
          channel,
          JSON.stringify(alertmanagerPayload(msg, channel.name)),
          deps.now(),
          deps.timeoutMs,
        );
      case 'slack':
        return postSigned(
          deps.fetch,
          channel,
          JSON.stringify(slackPayload(msg)),
          deps.now(),
          deps.timeoutMs,
        );
      case 'email':
        return sendEmail(channel, msg, deps.timeoutMs);
      case 'desktop':
        return deps.desktop.send(msg);
    }
  };
}

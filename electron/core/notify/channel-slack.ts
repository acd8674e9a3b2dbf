// Slack's incoming-webhook message: `text` (the notification preview and the fallback) and
// Block Kit `blocks`. Mattermost and Rocket.Chat take the same body.
import { bodyLines, subjectLine, type NotificationMessage } from './message.js';

const MAX_TEXT = 3000; // Slack's limit for a section's text

export function slackPayload(msg: NotificationMessage) {
  const subject = subjectLine(msg);
  const lines = bodyLines(msg);
  return {
    text: subject,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subject.slice(0, 150) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: lines.map(escapeMrkdwn).join('\n').slice(0, MAX_TEXT) },
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Meridian · incident \`${msg.incident.id}\`` }],
      },
    ],
  };
}

/** Slack's three control characters; names from agents must not become mentions or links. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

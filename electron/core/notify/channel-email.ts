// Email over SMTP with nodemailer (well kept, speaks STARTTLS, AUTH, pipelining and reports
// SMTP reply codes; an SMTP client is no thing to hand-write). One connection per message:
// pages are rare, and a channel edited between two of them must not reuse an old transport.
import nodemailer from 'nodemailer';
import type { ChannelConfig } from '../../../shared/notify.js';
import { bodyLines, subjectLine, type NotificationMessage, type SendResult } from './message.js';

export type EmailChannel = Extract<ChannelConfig, { kind: 'email' }>;

export async function sendEmail(
  channel: EmailChannel,
  msg: NotificationMessage,
  timeoutMs: number,
): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.secure ?? false,
    ...(channel.user !== undefined
      ? { auth: { user: channel.user, pass: channel.password ?? '' } }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: subjectLine(msg),
      text: bodyLines(msg).join('\n'),
      headers: { 'X-Meridian-Incident': msg.incident.id },
    });
    const code = Number(/^(\d{3})/.exec(String(info.response ?? ''))?.[1] ?? 250);
    return { ok: true, status: code, error: null, retryable: false };
  } catch (err) {
    const e = err as Error & { responseCode?: number; code?: string };
    const code = e.responseCode ?? null;
    // 4xx replies are transient by SMTP's own definition; 5xx are permanent.
    return {
      ok: false,
      status: code,
      error: `${e.code ? `${e.code}: ` : ''}${e.message}`.slice(0, 300),
      retryable: code === null || (code >= 400 && code < 500),
    };
  } finally {
    transport.close();
  }
}

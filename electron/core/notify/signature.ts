// Signed webhooks, as Stripe and Slack sign theirs: the receiver recomputes
// HMAC-SHA256(secret, "<timestamp>.<raw body>") and compares in constant time; the timestamp
// (seconds, in its own header) lets it refuse replays older than a few minutes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../shared/notify.js';

export function signatureHeaders(
  secret: string,
  body: string,
  nowMs: number,
): Record<string, string> {
  const ts = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: `sha256=${sign(secret, ts, body)}` };
}

function sign(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * What a receiver runs (exported for receivers written in TypeScript and for tests): true when
 * the signature matches and the timestamp is within `toleranceMs` of `nowMs`.
 */
export function verifySignature(
  secret: string,
  body: string,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
  toleranceMs = 300_000,
): boolean {
  if (!timestamp || !signature?.startsWith('sha256=')) return false;
  if (!/^[0-9]{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp) * 1000) > toleranceMs) return false;
  const want = Buffer.from(sign(secret, timestamp, body), 'hex');
  const got = Buffer.from(signature.slice('sha256='.length), 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

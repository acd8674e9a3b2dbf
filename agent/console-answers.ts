// How the reference agent reads the console's close codes and `error` codes: which mean stop,
// wait long, retry soon, pause, or "stored, minus some samples". Pure, so the rules are in one
// place (docs/protocol.md, "Delivery" and "Close codes", says the same).
import { CLOSE, ERROR_CODES, isFatalCloseCode } from '../shared/protocol-codes.js';
import type { HeldOffCode } from './uplink-events.js';

export type CloseVerdict =
  | { kind: 'fatal'; reason: string }
  /** Reconnecting soon would meet the same answer, but an operator may change that: wait long. */
  | { kind: 'held_off'; code: HeldOffCode }
  | { kind: 'retry'; problem: string };

const HELD_OFF: ReadonlySet<number> = new Set([
  CLOSE.unknownRegion.code,
  CLOSE.replaced.code,
  CLOSE.agentLimit.code,
]);

export function judgeClose(
  code: number,
  reason: string,
  ctx: { wasWelcomed: boolean; lastProblem: string },
): CloseVerdict {
  if (isFatalCloseCode(code))
    return { kind: 'fatal', reason: `closed by the console: ${code} ${reason}` };
  if (HELD_OFF.has(code)) return { kind: 'held_off', code: code as HeldOffCode };
  if (ctx.lastProblem) return { kind: 'retry', problem: ctx.lastProblem };
  if (code === CLOSE.shuttingDown.code)
    return { kind: 'retry', problem: 'the console is shutting down (1001)' };
  if (code === 1006) {
    return {
      kind: 'retry',
      problem: ctx.wasWelcomed ? 'connection lost (1006)' : 'connection failed (1006)',
    };
  }
  return { kind: 'retry', problem: `closed by the console: ${code}${reason ? ` ${reason}` : ''}` };
}

/** Codes meaning "the batch was acked, some samples were not stored": never resend for them. */
const DROPPED_CODES: ReadonlySet<string> = new Set([
  ERROR_CODES.outOfOrder,
  ERROR_CODES.tooOld,
  ERROR_CODES.seriesLimit,
  ERROR_CODES.futureTimestamp,
]);

export function isSamplesDroppedCode(code: string): boolean {
  return DROPPED_CODES.has(code);
}

/** With no retryAfterMs, and the most a console may ask for (a bad value must not silence us). */
const DEFAULT_PAUSE_MS = 5_000;
const MAX_PAUSE_MS = 10 * 60_000;

/** How long an `ingest_paused` answer holds batches back. */
export function pauseMs(retryAfterMs: number | undefined): number {
  return Math.min(MAX_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS));
}

import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { WebSocket } from 'ws';
import {
  StreamRequest,
  type StreamTail,
  type StreamTailError,
  TailRequest,
} from '../../../shared/api.js';
import type { QueryRangeResult } from '../../../shared/analysis.js';
import {
  MAX_TAILS_PER_VIEWER,
  PARTIAL_SETTLE_MS,
  TAIL_MAX_STEP_MS,
  TAIL_MIN_STEP_MS,
} from '../../../shared/api-constants.js';
import { hasProtoKey } from '../json-guard.js';

const checkRequest = TypeCompiler.Compile(StreamRequest);
const checkTail = TypeCompiler.Compile(TailRequest);
/** Each tick re-reads at least this much history, so a late sample still reaches the chart. */
const TAIL_WINDOW_MS = 5_000;

export type TailQuery = (
  q: TailRequest['query'] & { from: string; to: string; step: string },
) => QueryRangeResult;

/**
 * Live tails of chart series, per viewer: `tail`/`untail` requests in, points out once a second
 * at the chart's step. Each tick re-sends the steps that may still change (the one filling, the
 * ones not settled, one more), computed here like any range query: so a live sum, percentile
 * or series count is the same figure a reload would give.
 */
export class Tails {
  private readonly byViewer = new Map<WebSocket, Map<string, TailRequest['query']>>();

  constructor(
    private readonly run: TailQuery,
    private readonly now: () => number,
  ) {}

  /** A message from a viewer; returns a reply to send, if any. */
  handle(ws: WebSocket, text: string): StreamTailError | null {
    let msg: unknown;
    try {
      msg = hasProtoKey(text) ? null : JSON.parse(text);
    } catch {
      msg = null;
    }
    if (!checkRequest.Check(msg)) {
      // Name the field for a malformed tail (the union's own error only says "no variant").
      const checker =
        (msg as { type?: unknown } | null)?.type === 'tail' ? checkTail : checkRequest;
      const first = msg === null ? null : checker.Errors(msg).First();
      return {
        type: 'tail_error',
        id: '',
        message: `bad request${first ? ` at ${first.path || '/'}: ${first.message}` : ': not JSON'}`,
      };
    }
    let tails = this.byViewer.get(ws);
    if (!tails) this.byViewer.set(ws, (tails = new Map()));
    if (msg.type === 'untail') {
      tails.delete(msg.id);
      return null;
    }
    const step = Number(msg.query.step ?? TAIL_MIN_STEP_MS);
    if (step < TAIL_MIN_STEP_MS || step > TAIL_MAX_STEP_MS) {
      return {
        type: 'tail_error',
        id: msg.id,
        message: `bad request at /query/step: ${TAIL_MIN_STEP_MS} to ${TAIL_MAX_STEP_MS} ms`,
      };
    }
    if (!tails.has(msg.id) && tails.size >= MAX_TAILS_PER_VIEWER) {
      return {
        type: 'tail_error',
        id: msg.id,
        message: `at most ${MAX_TAILS_PER_VIEWER} tails per viewer`,
      };
    }
    tails.set(msg.id, msg.query);
    return null;
  }

  forget(ws: WebSocket): void {
    this.byViewer.delete(ws);
  }

  /** Once a second: the latest points of every tail, to its viewer. */
  tick(send: (ws: WebSocket, msg: StreamTail | StreamTailError) => void): void {
    const now = this.now();
    for (const [ws, tails] of this.byViewer) {
      for (const [id, query] of tails) {
        const step = Number(query.step ?? TAIL_MIN_STEP_MS);
        // Through the step holding `now`, back over every step not yet settled and one more.
        const to = now - (now % step) + step;
        const steps = Math.max(
          Math.ceil(TAIL_WINDOW_MS / step),
          Math.ceil(PARTIAL_SETTLE_MS / step) + 2,
        );
        try {
          const result = this.run({
            ...query,
            from: String(to - steps * step),
            to: String(to),
            step: String(step),
          });
          const line = result.series[0];
          send(ws, {
            type: 'tail',
            id,
            serverTime: now,
            points: line?.points ?? [],
            ...(line?.seriesCounts ? { seriesCounts: line.seriesCounts } : {}),
          });
        } catch (err) {
          tails.delete(id);
          send(ws, { type: 'tail_error', id, message: (err as Error).message });
        }
      }
    }
  }
}

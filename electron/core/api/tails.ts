import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { WebSocket } from 'ws';
import {
  StreamRequest,
  type StreamTail,
  type StreamTailError,
  TailRequest,
} from '../../../shared/api.js';
import type { QueryRangeResult } from '../../../shared/analysis.js';
import { MAX_TAILS_PER_VIEWER } from '../../../shared/api-constants.js';
import { hasProtoKey } from '../json-guard.js';

const checkRequest = TypeCompiler.Compile(StreamRequest);
const checkTail = TypeCompiler.Compile(TailRequest);
/** Each tick re-reads this much history, so a late sample still reaches the chart. */
const TAIL_WINDOW_MS = 5_000;
const TAIL_STEP_MS = 1_000;

export type TailQuery = (
  q: TailRequest['query'] & { from: string; to: string; step: string },
) => QueryRangeResult;

/** Live tails of chart series, per viewer: `tail`/`untail` requests in, one-second points out. */
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
    const to = now - (now % TAIL_STEP_MS) + TAIL_STEP_MS;
    for (const [ws, tails] of this.byViewer) {
      for (const [id, query] of tails) {
        try {
          const result = this.run({
            ...query,
            from: String(to - TAIL_WINDOW_MS),
            to: String(to),
            step: String(TAIL_STEP_MS),
          });
          send(ws, { type: 'tail', id, serverTime: now, points: result.series[0]?.points ?? [] });
        } catch (err) {
          tails.delete(id);
          send(ws, { type: 'tail_error', id, message: (err as Error).message });
        }
      }
    }
  }
}

// Live tails of chart series over the stream: each subscriber gets an id, its `tail` request
// is (re)sent whenever the link is (re)established, and the console's one-second points are
// routed back to it by id. Unsubscribing sends `untail`.
import type {
  StreamRequest,
  StreamTail,
  StreamTailError,
  TailRequest,
} from '../../../shared/api.js';
import { MAX_TAILS_PER_VIEWER } from '../../../shared/api-constants.js';

export type TailQuery = TailRequest['query'];
export type TailListener = (msg: StreamTail | StreamTailError) => void;

interface Subscription {
  query: TailQuery;
  listener: TailListener;
}

export class TailSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  private next = 0;

  constructor(
    /** Sends a request; false when the link is down (the request is re-sent on reconnect). */
    private readonly send: (request: StreamRequest) => boolean,
  ) {}

  get size(): number {
    return this.subs.size;
  }

  /**
   * Follow a series; returns the unsubscribe function. Beyond the console's limit per viewer
   * the listener gets a tail_error at once and nothing is sent.
   */
  add(query: TailQuery, listener: TailListener): () => void {
    const id = `t${++this.next}`;
    if (this.subs.size >= MAX_TAILS_PER_VIEWER) {
      listener({
        type: 'tail_error',
        id,
        message: `at most ${MAX_TAILS_PER_VIEWER} live series at once`,
      });
      return () => {};
    }
    this.subs.set(id, { query, listener });
    this.send({ type: 'tail', id, query });
    return () => {
      if (!this.subs.delete(id)) return;
      this.send({ type: 'untail', id });
    };
  }

  /** After a (re)connect: the console forgot our tails with the old socket. */
  resendAll(): void {
    for (const [id, { query }] of this.subs) this.send({ type: 'tail', id, query });
  }

  dispatch(msg: StreamTail | StreamTailError): void {
    const sub = this.subs.get(msg.id);
    if (!sub) return;
    // The console stops a tail whose query fails; so do we, to resend nothing on reconnect.
    if (msg.type === 'tail_error') this.subs.delete(msg.id);
    sub.listener(msg);
  }
}

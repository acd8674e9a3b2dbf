// The agent's store-and-forward queue: every metrics/events batch stays here, in seq order,
// until the console acks it. It remembers when each batch was last put on the current
// connection, so the uplink can tell what a reconnect or a pause must send again and what
// has waited too long for its ack.

interface Entry {
  frame: string;
  /** Clock time it was last sent on the current connection; null: not sent on it yet. */
  sentAt: number | null;
  /** How many times it was sent at all (any connection). */
  sends: number;
}

export interface OutboxBatch {
  seq: number;
  frame: string;
  /** Sent at least once before (so sending it now is a resend). */
  resend: boolean;
}

export class Outbox {
  // A Map iterates in insertion order, and seqs are inserted rising: iteration is seq order.
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly maxBatches: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Queue a batch; returns how many of the oldest batches were dropped to stay in bounds. */
  add(seq: number, frame: string): number {
    this.entries.set(seq, { frame, sentAt: null, sends: 0 });
    let dropped = 0;
    while (this.entries.size > this.maxBatches) {
      this.entries.delete(this.entries.keys().next().value!);
      dropped++;
    }
    return dropped;
  }

  /** The console stored it: forget it. False when it was not waiting (a repeated ack). */
  ack(seq: number): boolean {
    return this.entries.delete(seq);
  }

  /** Batches not yet sent on the current connection, oldest first. */
  unsent(): OutboxBatch[] {
    const out: OutboxBatch[] = [];
    for (const [seq, e] of this.entries) {
      if (e.sentAt === null) out.push({ seq, frame: e.frame, resend: e.sends > 0 });
    }
    return out;
  }

  /**
   * Up to `limit` batches sent at or before `sentBefore` and still unacked, in seq order. When
   * more are due, the ones waiting longest since their last send go first, so a batch the
   * console keeps failing cannot hold the others back.
   */
  overdue(sentBefore: number, limit: number): OutboxBatch[] {
    const due: (OutboxBatch & { sentAt: number })[] = [];
    for (const [seq, e] of this.entries) {
      if (e.sentAt !== null && e.sentAt <= sentBefore)
        due.push({ seq, frame: e.frame, resend: true, sentAt: e.sentAt });
    }
    if (due.length > limit) due.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq);
    return due
      .slice(0, limit)
      .sort((a, b) => a.seq - b.seq)
      .map(({ seq, frame, resend }) => ({ seq, frame, resend }));
  }

  markSent(seq: number, at: number): void {
    const e = this.entries.get(seq);
    if (!e) return;
    e.sentAt = at;
    e.sends++;
  }

  /** A new connection, or a pause: every unacked batch has to go (again). */
  forgetSent(): void {
    for (const e of this.entries.values()) e.sentAt = null;
  }
}

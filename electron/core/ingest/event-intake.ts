// Agents' event batches, taken in turns. A batch used to be stored and run through detection
// the moment its frame was read, so one read of the sockets could mean sixteen batches of 500
// events back to back (hundreds of ms on a busy machine) before the next frame, or a timer,
// got a turn: a burst of failed logins from another agent waited behind all of them for its
// detection. Now each read frame only queues; the events are handled in slices of at most
// SLICE events, at most TURN events a turn, with the sockets read again between turns, and
// each slice is taken from the agent with the fewest events waiting: an agent sending a few
// events is not held up by one sending many (fair queuing by agent). An agent's events keep
// their order; its batch is acked once its last slice is on disk, as before.
import type { AgentEvent, EventsMessage } from '../../../shared/protocol.js';

/** Events of one agent handled at once. */
const SLICE = 250;
/** Events handled before the sockets (and timers) get a turn again. */
const TURN = 1_000;
/** Queued events past which a turn takes everything (an intake falling behind drains). */
const MAX_QUEUED = 200_000;

type Store = (agentId: string, events: AgentEvent[], arrivedAt: number) => Promise<void>;

interface Slice {
  events: AgentEvent[];
  arrivedAt: number;
  done: (durable: Promise<void>) => void;
}

interface AgentQueue {
  slices: Slice[];
  /** Events in `slices`. */
  events: number;
}

export class EventIntake {
  private readonly waiting = new Map<string, AgentQueue>();
  private queued = 0;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** How a turn is scheduled: after the pending I/O (setImmediate). */
    private readonly later: (fn: () => void) => void = setImmediate,
  ) {}

  /** Queue a batch; resolves once all of it is stored and durable. */
  submit(agentId: string, msg: EventsMessage, arrivedAt: number): Promise<void> {
    const events = msg.events;
    if (events.length === 0) return Promise.resolve();
    let queue = this.waiting.get(agentId);
    if (!queue) this.waiting.set(agentId, (queue = { slices: [], events: 0 }));
    const parts: Promise<void>[] = [];
    for (let i = 0; i < events.length; i += SLICE) {
      const part = events.slice(i, i + SLICE);
      const slices = queue.slices;
      // Resolved with the store's promise: it settles as that one does.
      parts.push(new Promise<void>((done) => slices.push({ events: part, arrivedAt, done })));
      queue.events += part.length;
      this.queued += part.length;
    }
    this.schedule();
    return parts.length === 1 ? parts[0]! : Promise.all(parts).then(() => undefined);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    let budget = this.queued > MAX_QUEUED ? Infinity : TURN;
    while (budget > 0 && this.waiting.size > 0) {
      const [agentId, queue] = this.fewest();
      const slice = queue.slices.shift()!;
      queue.events -= slice.events.length;
      if (queue.slices.length === 0) this.waiting.delete(agentId);
      this.queued -= slice.events.length;
      budget -= slice.events.length;
      let durable: Promise<void>;
      try {
        durable = this.store(agentId, slice.events, slice.arrivedAt);
      } catch (err) {
        durable = Promise.reject(err as Error);
      }
      slice.done(durable);
    }
    if (this.waiting.size > 0) this.schedule();
  }

  /** The agent with the fewest events waiting (the first such, on a tie). */
  private fewest(): [string, AgentQueue] {
    let best: [string, AgentQueue] | null = null;
    for (const entry of this.waiting) if (!best || entry[1].events < best[1].events) best = entry;
    return best!;
  }
}

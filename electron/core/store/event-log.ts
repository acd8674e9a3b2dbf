import type { Severity, StoredEvent } from '../../../shared/model.js';

export interface EventFilter {
  regionId?: string;
  agentId?: string;
  category?: StoredEvent['category'];
  severity?: Severity;
  limit?: number;
}

// Attributes are part of an event's identity: two failed logins in the same second with the
// same message but different users are two events.
const identity = (e: Pick<StoredEvent, 'agentId' | 'ts' | 'source' | 'message' | 'attributes'>) =>
  `${e.agentId}\u0001${e.ts}\u0001${e.source}\u0001${e.message}\u0001${JSON.stringify(e.attributes)}`;

/**
 * Agent events (security, log, change), newest kept, oldest dropped past `capacity`.
 * An event already held (same agent, time, source and message: a batch resent after a
 * lost ack) is stored once.
 */
export class EventLog {
  private events: StoredEvent[] = [];
  private held = new Set<string>();

  constructor(private readonly capacity: number) {}

  load(events: readonly StoredEvent[]): void {
    this.events = events.slice(-this.capacity);
    this.held = new Set(this.events.map(identity));
  }

  /** Returns false for a duplicate. */
  add(event: StoredEvent): boolean {
    const key = identity(event);
    if (this.held.has(key)) return false;
    this.events.push(event);
    this.held.add(key);
    // Trim in chunks so a full log does not shift the array on every event.
    if (this.events.length > this.capacity * 1.1) this.load(this.events);
    return true;
  }

  all(): StoredEvent[] {
    return this.events.slice(-this.capacity);
  }

  list(filter: EventFilter = {}): StoredEvent[] {
    const limit = filter.limit ?? 500;
    const out: StoredEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i]!;
      if (filter.regionId && e.regionId !== filter.regionId) continue;
      if (filter.agentId && e.agentId !== filter.agentId) continue;
      if (filter.category && e.category !== filter.category) continue;
      if (filter.severity && e.severity !== filter.severity) continue;
      out.push(e);
    }
    return out;
  }
}

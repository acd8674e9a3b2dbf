import type { Severity, StoredEvent } from '../../../shared/model.js';

export interface EventFilter {
  regionId?: string;
  agentId?: string;
  category?: StoredEvent['category'];
  severity?: Severity;
  limit?: number;
}

/** Agent events (security, log, change), newest kept, oldest dropped past `capacity`. */
export class EventLog {
  private events: StoredEvent[] = [];

  constructor(private readonly capacity: number) {}

  load(events: readonly StoredEvent[]): void {
    this.events = events.slice(-this.capacity);
  }

  add(event: StoredEvent): void {
    this.events.push(event);
    // Trim in chunks so a full log does not shift the array on every event.
    if (this.events.length > this.capacity * 1.1) this.events = this.events.slice(-this.capacity);
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

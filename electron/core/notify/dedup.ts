// Stage 2, dedup: one message per incident, escalation step and channel. A step run twice (a
// duplicate event, a restart racing a timer) or a channel named twice in one step sends once.
export class Dedup {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 20_000) {}

  /** True the first time `key` is seen (and remembers it). */
  admit(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.max) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  /** An incident is over: its keys can go. */
  forget(incidentId: string): void {
    for (const k of this.seen) if (k.startsWith(`${incidentId}|`)) this.seen.delete(k);
  }
}

export const dedupKey = (
  incidentId: string,
  generation: number,
  round: number,
  step: number,
  channelId: string,
) => `${incidentId}|${generation}|${round}|${step}|${channelId}`;

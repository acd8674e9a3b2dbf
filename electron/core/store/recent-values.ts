/**
 * The newest value of every series, in memory, with a cap on series per agent (a
 * misbehaving agent inventing label values must not grow the console without bound).
 * The time-series store with history replaces this when it lands.
 */
export class RecentValues {
  private readonly byAgent = new Map<string, Map<string, { ts: number; value: number }>>();

  constructor(private readonly maxSeriesPerAgent: number) {}

  /**
   * Record a sample. Returns 'new' or 'newer' when stored, 'stale' for a sample not newer
   * than the one held (a resend), 'limit' when it would open a series past the cap.
   */
  put(
    agentId: string,
    key: string,
    ts: number,
    value: number,
  ): 'new' | 'newer' | 'stale' | 'limit' {
    let series = this.byAgent.get(agentId);
    if (!series) this.byAgent.set(agentId, (series = new Map()));
    const held = series.get(key);
    if (held) {
      if (ts <= held.ts) return 'stale';
      held.ts = ts;
      held.value = value;
      return 'newer';
    }
    if (series.size >= this.maxSeriesPerAgent) return 'limit';
    series.set(key, { ts, value });
    return 'new';
  }

  get(agentId: string, key: string): { ts: number; value: number } | undefined {
    return this.byAgent.get(agentId)?.get(key);
  }

  seriesCount(agentId: string): number {
    return this.byAgent.get(agentId)?.size ?? 0;
  }

  totalSeries(): number {
    let n = 0;
    for (const m of this.byAgent.values()) n += m.size;
    return n;
  }
}

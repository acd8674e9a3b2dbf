// Per-second rates of scraped counters. The console judges values as they arrive (rules,
// anomalies, charts) and computes no rates itself, so a counter's rate travels beside it.

/** A series' identity: its name and labels, in a stable order. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `${name}\u0000${keys.map((k) => `${k}\u0001${labels[k]}`).join('\u0000')}`;
}

interface Reading {
  value: number;
  ts: number;
}

/**
 * The previous reading of each counter, for the rate since then. A counter that went down was
 * reset (its process restarted): as Prometheus' rate() does, it counts as having restarted
 * from zero, so the increase is its whole new value. Series not seen in a scrape are
 * forgotten, so a vanished series costs nothing.
 */
export class CounterRates {
  private last = new Map<string, Reading>();
  private next = new Map<string, Reading>();
  /** Resets seen since this tracker was made (for the agent's log and the tests). */
  resets = 0;

  /** The rate per second since the previous reading of this series, or null for a first one. */
  rate(key: string, value: number, ts: number): number | null {
    const before = this.last.get(key);
    this.next.set(key, { value, ts });
    if (!before || ts <= before.ts) return null;
    const seconds = (ts - before.ts) / 1000;
    if (value < before.value) {
      this.resets++;
      return value / seconds;
    }
    return (value - before.value) / seconds;
  }

  /** One scrape is done: what it read becomes the baseline, and only that. */
  endScrape(): void {
    this.last = this.next;
    this.next = new Map();
  }

  /** The target could not be read: keep the baseline for when it answers again. */
  abandonScrape(): void {
    this.next = new Map();
  }
}

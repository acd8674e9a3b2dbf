// Flapping: an alert (one rule on one subject) that fires again and again. Counted per
// (rule, subject) over a sliding window; past the limit it is flapping until it has been
// quiet for a whole window.

export interface FlapOptions {
  /** More fires than this within `windowMs` is flapping. */
  maxFires: number;
  windowMs: number;
}

export const DEFAULT_FLAP: FlapOptions = { maxFires: 3, windowMs: 10 * 60_000 };

export class FlapDetector {
  private readonly fires = new Map<string, number[]>();

  constructor(private readonly opts: FlapOptions = DEFAULT_FLAP) {}

  get windowMs(): number {
    return this.opts.windowMs;
  }

  /** Count a fire; true when the key is flapping now. */
  fired(key: string, now: number): boolean {
    const list = this.recent(key, now);
    list.push(now);
    this.fires.set(key, list);
    return list.length > this.opts.maxFires;
  }

  isFlapping(key: string, now: number): boolean {
    return this.recent(key, now).length > this.opts.maxFires;
  }

  /** Fired within the window (a fresh fire would count with these). */
  firedRecently(key: string, now: number): boolean {
    return this.recent(key, now).length > 0;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.fires.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length === 0) this.fires.delete(key);
    else this.fires.set(key, list);
    return list;
  }
}

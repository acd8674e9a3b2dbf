/** Exponential backoff: each `next()` waits longer, up to `maxMs`, until `reset()`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly opts: {
      initialMs: number;
      maxMs: number;
      /**
       * 'full': uniform in [0, step) — spreads a thousand agents reconnecting after a console
       * restart (AWS architecture blog, "full jitter"). 'around': step × [0.75, 1.25) — a
       * long wait that must stay long (a replaced agent should not come straight back).
       */
      jitter: 'full' | 'around';
    },
    private readonly random: () => number,
  ) {}

  next(): number {
    const step = Math.min(this.opts.maxMs, this.opts.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const r = this.random();
    return Math.round(this.opts.jitter === 'full' ? r * step : step * (0.75 + r / 2));
  }

  reset(): void {
    this.attempt = 0;
  }
}

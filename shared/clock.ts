// Time is passed in, never read from globals, so tests drive hours of timers in milliseconds.
// In shared/ because the core, the agent and the simulator all take one.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall time, epoch ms. */
  now(): number;
  /** Monotonic ms with sub-ms resolution, for measuring latencies. */
  monotonic(): number;
  /** Run `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Run `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/** The one place real time is read; everything else is handed a Clock. */
export const systemClock: Clock = {
  // eslint-disable-next-line no-restricted-properties
  now: () => Date.now(),
  // eslint-disable-next-line no-restricted-properties
  monotonic: () => performance.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

interface ManualTimer {
  due: number;
  every: number | null;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to: `advance(ms)` fires every timer due on the way. */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  /** How far wall time was stepped away from monotonic time (`stepWall`). */
  private wallOffset = 0;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current + this.wallOffset;
  }

  /**
   * Step the wall clock (an NTP correction, a user changing the time) without time passing:
   * `now()` jumps, `monotonic()` and timers do not.
   */
  stepWall(ms: number): void {
    this.wallOffset += ms;
  }

  monotonic(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.timers
        .filter((t) => !t.cancelled && t.due <= target)
        .sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      if (next.every === null) next.cancelled = true;
      else next.due += next.every;
      next.fn();
      this.timers = this.timers.filter((t) => !t.cancelled);
    }
    this.current = target;
  }

  private add(fn: () => void, ms: number, every: number | null): TimerHandle {
    const timer: ManualTimer = { due: this.current + Math.max(0, ms), every, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }
}

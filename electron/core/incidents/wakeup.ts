// One timer that fires at an instant of wall time, however far off: long waits are cut into
// steps of at most MAX_STEP_MS (timers cannot wait for ever, and the wall clock may be stepped),
// and an early wake only re-arms.
import type { Clock, TimerHandle } from '../clock.js';

const MAX_STEP_MS = 60 * 60_000;

export class Wakeup {
  private timer: TimerHandle | null = null;
  private due: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly fn: () => void,
  ) {}

  /** Fire at `at` (epoch ms), replacing any earlier plan; null: never. */
  at(at: number | null): void {
    this.timer?.cancel();
    this.timer = null;
    this.due = at;
    if (at === null) return;
    const wait = Math.max(0, at - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.wake(), Math.min(wait, MAX_STEP_MS));
  }

  cancel(): void {
    this.at(null);
  }

  private wake(): void {
    this.timer = null;
    if (this.due === null) return;
    if (this.clock.now() < this.due) return this.at(this.due);
    this.due = null;
    this.fn();
  }
}

import type { Clock, TimerHandle } from '../clock.js';

/**
 * keep_firing_for: once a rule's condition is gone its alert stays open this long, and is
 * resolved only if the condition has not come back meanwhile (a brief dip does not resolve
 * and re-page).
 */
export class KeepFiring {
  private readonly timers = new Map<string, { ruleId: string; timer: TimerHandle }>();

  constructor(private readonly clock: Clock) {}

  /** Resolve later, unless `holdAgain` comes first; a clear already waiting keeps its time. */
  clearLater(ruleId: string, subjectKey: string, ms: number, clear: () => void): void {
    const key = `${ruleId}|${subjectKey}`;
    if (this.timers.has(key)) return;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(key);
      clear();
    }, ms);
    this.timers.set(key, { ruleId, timer });
  }

  /** The condition holds again: the alert stays open. */
  holdAgain(ruleId: string, subjectKey: string): void {
    const key = `${ruleId}|${subjectKey}`;
    this.timers.get(key)?.timer.cancel();
    this.timers.delete(key);
  }

  /** Forget the waits of rules no longer in force (their alerts are resolved by the caller). */
  keepOnly(ruleIds: ReadonlySet<string>): void {
    for (const [key, t] of this.timers) {
      if (ruleIds.has(t.ruleId)) continue;
      t.timer.cancel();
      this.timers.delete(key);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) t.timer.cancel();
    this.timers.clear();
  }
}

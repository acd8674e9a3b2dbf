// Resolving by hand can be undone for a few seconds: the resolve is held here, in the viewer,
// and only sent to the core when the undo window ends (or at once when the page goes away).
//
// Why not resolve at once and "un-resolve" on undo: the core has no such transition, and one
// would be wrong there. A resolved alert has left its (rule, subject) slot, so the evaluator may
// already have opened a new alert for the same condition; a resolve also notifies (desktop,
// channels) and is recorded, and an undo would add a second notification and record for a
// slip of the finger. Holding it costs nothing the core can see: until the window ends, no one
// else was told anything.
import { systemClock, type Clock, type TimerHandle } from '../../../shared/clock.js';
import type { ActionOutcome } from './action-outcome.js';

/** How long "Undo" is offered. */
export const UNDO_WINDOW_MS = 6_000;

export interface HeldResolve {
  key: number;
  ids: readonly string[];
  comment: string | undefined;
  /** Local epoch ms when the resolve is sent. */
  sendAt: number;
  /** `silenced`: done, but the core covered still-holding conditions with a silence. */
  status: 'held' | 'sending' | 'failed' | 'silenced';
  /** Why sending failed (status 'failed'). */
  message: string | null;
  /** The silences the core made instead of a bare resolve (status 'silenced'). */
  silenced?: { alertId: string; silenceId: string; endsAt: number }[];
}

export type CommitResolve = (
  ids: readonly string[],
  comment: string | undefined,
  opts: { keepalive: boolean },
) => Promise<ActionOutcome>;

export class ResolveHold {
  private entries: readonly HeldResolve[] = [];
  private held: ReadonlySet<string> = new Set();
  private readonly timers = new Map<number, TimerHandle>();
  private readonly listeners = new Set<() => void>();
  private next = 0;

  constructor(
    private readonly commit: CommitResolve,
    private readonly clock: Clock = systemClock,
    private readonly windowMs = UNDO_WINDOW_MS,
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The toasts to show, oldest first. */
  readonly list = (): readonly HeldResolve[] => this.entries;

  /** Alerts whose resolve is held or being sent: the queues show them as gone already. */
  readonly heldIds = (): ReadonlySet<string> => this.held;

  /** Hold a resolve of these alerts; returns its key (for undo). */
  hold(ids: readonly string[], comment?: string): number {
    const key = ++this.next;
    const trimmed = comment?.trim() || undefined;
    this.set([
      ...this.entries,
      {
        key,
        ids: [...ids],
        comment: trimmed,
        sendAt: this.clock.now() + this.windowMs,
        status: 'held',
        message: null,
      },
    ]);
    this.timers.set(
      key,
      this.clock.setTimeout(() => void this.send(key, false), this.windowMs),
    );
    return key;
  }

  /** Drop a held resolve: nothing was sent, the alerts come back as they are. */
  undo(key: number): void {
    const entry = this.entries.find((e) => e.key === key);
    if (!entry || entry.status !== 'held') return;
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.set(this.entries.filter((e) => e.key !== key));
  }

  /** Forget a failure (or silenced-resolve) notice. */
  dismiss(key: number): void {
    const entry = this.entries.find((e) => e.key === key);
    if (entry?.status === 'failed' || entry?.status === 'silenced')
      this.set(this.entries.filter((e) => e.key !== key));
  }

  /** Send everything held now: the page is going away (keepalive lets the requests finish). */
  flush(): void {
    for (const e of this.entries) if (e.status === 'held') void this.send(e.key, true);
  }

  private async send(key: number, keepalive: boolean): Promise<void> {
    const entry = this.entries.find((e) => e.key === key);
    if (!entry || entry.status !== 'held') return;
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.replace({ ...entry, status: 'sending' });
    let outcome: ActionOutcome;
    try {
      outcome = await this.commit(entry.ids, entry.comment, { keepalive });
    } catch (err) {
      outcome = {
        done: [],
        failed: entry.ids.map((id) => ({ id, message: String((err as Error)?.message ?? err) })),
      };
    }
    if (outcome.failed.length === 0) {
      if (outcome.silenced?.length) {
        // The operator must see that it was not a plain resolve: it will come back.
        this.replace({ ...entry, status: 'silenced', silenced: outcome.silenced });
        return;
      }
      this.set(this.entries.filter((e) => e.key !== key));
      return;
    }
    // The ones that failed come back to their queue; the notice says why.
    const first = outcome.failed[0]!.message;
    this.replace({
      ...entry,
      ids: outcome.failed.map((f) => f.id),
      status: 'failed',
      message: first,
    });
  }

  private replace(entry: HeldResolve): void {
    this.set(this.entries.map((e) => (e.key === entry.key ? entry : e)));
  }

  private set(entries: readonly HeldResolve[]): void {
    this.entries = entries;
    const held = new Set<string>();
    for (const e of entries)
      if (e.status === 'held' || e.status === 'sending') for (const id of e.ids) held.add(id);
    this.held = held;
    for (const l of this.listeners) l();
  }
}

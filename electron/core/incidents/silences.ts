// Silences: matchers, creator, comment, start and end. An active silence keeps matching alerts
// from paging (they are still recorded, with `suppressedBy`). Kept in <data-dir>/silences.ndjson
// (a RecordLog: each change one durable line), expired ones for SILENCE_RETENTION_MS.
import { join } from 'node:path';
import type { Matcher, Silence, SilenceState, SilenceView } from '../../../shared/silences.js';
import type { Clock } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { RecordLog } from '../state/record-log.js';
import { ConflictError, InputError, NotFoundError } from './incident-errors.js';
import {
  checkSelective,
  compileMatchers,
  matchesAll,
  type AlertLabels,
  type CompiledMatcher,
} from './matchers.js';
import { Wakeup } from './wakeup.js';

export const SILENCE_LOG_FILE = 'silences.ndjson';
/** Expired silences stay listed this long (Alertmanager keeps them 120 h). */
export const SILENCE_RETENTION_MS = 5 * 86_400_000;
/** A reminder goes out this long before a silence ends (or half its span, if shorter). */
export const SILENCE_REMINDER_MS = 15 * 60_000;

export type SilenceChange = 'started' | 'ended' | 'expiring' | 'created';

export interface NewSilence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  fromAlertId?: string | null;
  fromIncidentId?: string | null;
}

export interface SilenceBookDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  dataDir: string;
  /** A silence started, ended (expired or expired early), is about to end, or was created. */
  onChange?(silence: SilenceView, change: SilenceChange): void;
}

function isSilence(raw: unknown, key: string): raw is Silence {
  const s = raw as Partial<Silence> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    s.id === key &&
    Array.isArray(s.matchers) &&
    typeof s.startsAt === 'number' &&
    typeof s.endsAt === 'number' &&
    typeof s.createdBy === 'string'
  );
}

export class SilenceBook {
  private readonly silences = new Map<string, Silence>();
  private readonly compiled = new Map<string, CompiledMatcher[]>();
  /** What each silence's last reported phase was, so a wake reports each change once. */
  private readonly phase = new Map<string, SilenceState | 'reminded'>();
  private readonly log: RecordLog<Silence>;
  private readonly wakeup: Wakeup;

  constructor(private readonly deps: SilenceBookDeps) {
    this.log = new RecordLog<Silence>({
      path: join(deps.dataDir, SILENCE_LOG_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isSilence(raw, key) ? raw : null),
      onError: (err) => deps.logger.error('silence log write failed', { error: err.message }),
    });
    this.wakeup = new Wakeup(deps.clock, () => this.tick());
  }

  async open(): Promise<void> {
    const { records } = await this.log.open();
    const now = this.deps.clock.now();
    for (const s of records.values()) {
      try {
        this.index(s);
      } catch {
        continue; // a matcher this version cannot compile: drop the silence, keep the rest
      }
      this.phase.set(s.id, this.stateOf(s, now));
    }
    this.prune(now);
    this.plan();
  }

  close(): Promise<void> {
    this.wakeup.cancel();
    return this.log.close();
  }

  /** Check a new silence's matchers and span; throws InputError naming the field. */
  validate(input: Pick<NewSilence, 'matchers' | 'startsAt' | 'endsAt'>): CompiledMatcher[] {
    const compiled = compileMatchers(input.matchers);
    checkSelective(compiled);
    if (input.endsAt <= input.startsAt)
      throw new InputError('endsAt: must be after startsAt', 'endsAt');
    if (input.endsAt <= this.deps.clock.now())
      throw new InputError('endsAt: must be in the future', 'endsAt');
    return compiled;
  }

  /** Write what is pending; resolves once it is durable (the API answers after this). */
  flush(): Promise<void> {
    return this.log.flush();
  }

  /** Takes effect at once; durable after the next flush (group commit). */
  create(input: NewSilence): SilenceView {
    this.validate(input);
    const now = this.deps.clock.now();
    const silence: Silence = {
      id: this.deps.ids('sil'),
      matchers: input.matchers,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment,
      createdAt: now,
      updatedAt: now,
      expiredBy: null,
      fromAlertId: input.fromAlertId ?? null,
      fromIncidentId: input.fromIncidentId ?? null,
    };
    this.index(silence);
    void this.log.upsert(silence.id, silence);
    const view = this.view(silence, now);
    this.phase.set(silence.id, view.state);
    this.deps.onChange?.(view, 'created');
    if (view.state === 'active') this.deps.onChange?.(view, 'started');
    this.plan();
    return view;
  }

  /** End a silence now (expire early). An expired one is a 409. */
  expire(id: string, by: string): SilenceView {
    const silence = this.silences.get(id);
    if (!silence) throw new NotFoundError(`no silence ${id}`);
    const now = this.deps.clock.now();
    if (this.stateOf(silence, now) === 'expired')
      throw new ConflictError(`silence ${id} has already expired`, 'expired');
    const wasActive = this.stateOf(silence, now) === 'active';
    silence.endsAt = now;
    if (silence.startsAt > now) silence.startsAt = now;
    silence.expiredBy = by;
    silence.updatedAt = now;
    void this.log.upsert(id, silence);
    const view = this.view(silence, now);
    this.phase.set(id, 'expired');
    if (wasActive) this.deps.onChange?.(view, 'ended');
    this.plan();
    return view;
  }

  get(id: string): SilenceView | undefined {
    const s = this.silences.get(id);
    return s && this.view(s, this.deps.clock.now());
  }

  list(state?: SilenceState): SilenceView[] {
    const now = this.deps.clock.now();
    const out: SilenceView[] = [];
    for (const s of this.silences.values()) {
      const v = this.view(s, now);
      if (!state || v.state === state) out.push(v);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The first active silence matching these labels, or null. */
  matching(labels: AlertLabels): Silence | null {
    const now = this.deps.clock.now();
    for (const s of this.silences.values()) {
      if (this.stateOf(s, now) !== 'active') continue;
      if (matchesAll(this.compiled.get(s.id)!, labels)) return s;
    }
    return null;
  }

  isActive(id: string): boolean {
    const s = this.silences.get(id);
    return s !== undefined && this.stateOf(s, this.deps.clock.now()) === 'active';
  }

  stateOf(s: Silence, now: number): SilenceState {
    if (now >= s.endsAt) return 'expired';
    return now < s.startsAt ? 'pending' : 'active';
  }

  private view(s: Silence, now: number): SilenceView {
    return { ...s, state: this.stateOf(s, now) };
  }

  private index(s: Silence): void {
    this.compiled.set(s.id, compileMatchers(s.matchers));
    this.silences.set(s.id, s);
  }

  private reminderAt(s: Silence): number {
    return s.endsAt - Math.min(SILENCE_REMINDER_MS, (s.endsAt - s.startsAt) / 2);
  }

  /** Report each silence whose phase moved (started, reminder due, ended), then plan again. */
  private tick(): void {
    const now = this.deps.clock.now();
    for (const s of this.silences.values()) {
      const last = this.phase.get(s.id);
      const state = this.stateOf(s, now);
      if (state === 'active' && last === 'pending') {
        this.phase.set(s.id, 'active');
        this.deps.onChange?.(this.view(s, now), 'started');
      }
      if (state === 'active' && this.phase.get(s.id) === 'active' && now >= this.reminderAt(s)) {
        this.phase.set(s.id, 'reminded');
        this.deps.onChange?.(this.view(s, now), 'expiring');
      }
      if (state === 'expired' && last !== 'expired') {
        this.phase.set(s.id, 'expired');
        // One that never started (created and ended while the console was down) ends quietly.
        if (last !== 'pending') this.deps.onChange?.(this.view(s, now), 'ended');
      }
    }
    this.prune(now);
    this.plan();
  }

  private plan(): void {
    const now = this.deps.clock.now();
    let next: number | null = null;
    const consider = (t: number) => {
      if (t > now && (next === null || t < next)) next = t;
    };
    for (const s of this.silences.values()) {
      const phase = this.phase.get(s.id);
      if (phase === 'expired') continue;
      consider(s.startsAt);
      if (phase !== 'reminded') consider(this.reminderAt(s));
      consider(s.endsAt);
    }
    // Something due already (reminder time passed while pending): look again at once.
    this.wakeup.at(next ?? null);
  }

  private prune(now: number): void {
    for (const s of [...this.silences.values()]) {
      if (now - s.endsAt < SILENCE_RETENTION_MS) continue;
      this.silences.delete(s.id);
      this.compiled.delete(s.id);
      this.phase.delete(s.id);
      void this.log.delete(s.id);
    }
  }
}

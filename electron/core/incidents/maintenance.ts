// Maintenance windows: regions or agents under planned work, once or every week in a named
// time zone. While one is on, alerts about what it covers are recorded but not paged, and a
// covered region shows the status `maintenance`. Kept in <data-dir>/maintenance.ndjson.
import { join } from 'node:path';
import type {
  MaintenanceBody,
  MaintenanceSchedule,
  MaintenanceView,
  MaintenanceWindow,
} from '../../../shared/silences.js';
import type { AlertSubject } from '../../../shared/model.js';
import type { Clock } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { RecordLog } from '../state/record-log.js';
import { InputError, NotFoundError } from './incident-errors.js';
import { currentOrNext, isActive, nextBoundary } from './maintenance-schedule.js';
import { Wakeup } from './wakeup.js';
import { isTimeZone } from '../../../shared/zoned-time.js';

export const MAINTENANCE_LOG_FILE = 'maintenance.ndjson';

export interface MaintenanceBookDeps {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  dataDir: string;
  /** Region ids the console knows: a window naming another is refused. */
  knownRegion(id: string): boolean;
  /** The set of windows in force changed (one started or ended, or was edited). */
  onChange?(active: readonly MaintenanceWindow[]): void;
}

function isWindow(raw: unknown, key: string): raw is MaintenanceWindow {
  const w = raw as Partial<MaintenanceWindow> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    w.id === key &&
    Array.isArray(w.regions) &&
    Array.isArray(w.agents) &&
    typeof w.schedule === 'object' &&
    w.schedule !== null
  );
}

export class MaintenanceBook {
  private readonly windows = new Map<string, MaintenanceWindow>();
  private readonly log: RecordLog<MaintenanceWindow>;
  private readonly wakeup: Wakeup;
  /** Ids of the windows in force as last reported. */
  private activeIds = '';

  constructor(private readonly deps: MaintenanceBookDeps) {
    this.log = new RecordLog<MaintenanceWindow>({
      path: join(deps.dataDir, MAINTENANCE_LOG_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isWindow(raw, key) ? raw : null),
      onError: (err) => deps.logger.error('maintenance log write failed', { error: err.message }),
    });
    this.wakeup = new Wakeup(deps.clock, () => this.refresh());
  }

  async open(): Promise<void> {
    const { records } = await this.log.open();
    for (const w of records.values()) this.windows.set(w.id, w);
    this.refresh();
  }

  close(): Promise<void> {
    this.wakeup.cancel();
    return this.log.close();
  }

  list(): MaintenanceView[] {
    const now = this.deps.clock.now();
    return [...this.windows.values()]
      .map((w) => this.view(w, now))
      .sort((a, b) => (a.nextStart ?? Infinity) - (b.nextStart ?? Infinity));
  }

  get(id: string): MaintenanceView | undefined {
    const w = this.windows.get(id);
    return w && this.view(w, this.deps.clock.now());
  }

  /** Write what is pending; resolves once it is durable (the API answers after this). */
  flush(): Promise<void> {
    return this.log.flush();
  }

  create(body: MaintenanceBody, by: string): MaintenanceView {
    const schedule = this.validate(body);
    const now = this.deps.clock.now();
    const w: MaintenanceWindow = {
      id: this.deps.ids('mnt'),
      name: body.name,
      comment: body.comment ?? '',
      regions: [...new Set(body.regions ?? [])],
      agents: [...new Set(body.agents ?? [])],
      schedule,
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    };
    return this.save(w);
  }

  update(id: string, body: MaintenanceBody): MaintenanceView {
    const old = this.windows.get(id);
    if (!old) throw new NotFoundError(`no maintenance window ${id}`);
    const schedule = this.validate(body);
    return this.save({
      ...old,
      name: body.name,
      comment: body.comment ?? '',
      regions: [...new Set(body.regions ?? [])],
      agents: [...new Set(body.agents ?? [])],
      schedule,
      updatedAt: this.deps.clock.now(),
    });
  }

  remove(id: string): MaintenanceView {
    const w = this.windows.get(id);
    if (!w) throw new NotFoundError(`no maintenance window ${id}`);
    const view = this.view(w, this.deps.clock.now());
    this.windows.delete(id);
    void this.log.delete(id);
    this.refresh();
    return view;
  }

  /** The window in force that covers this subject (its agent or its region), or null. */
  covering(subject: Pick<AlertSubject, 'regionId' | 'agentId'>): MaintenanceWindow | null {
    const now = this.deps.clock.now();
    for (const w of this.windows.values()) {
      const covers =
        (subject.regionId !== null && w.regions.includes(subject.regionId)) ||
        (subject.agentId !== null && w.agents.includes(subject.agentId));
      if (covers && isActive(w.schedule, now)) return w;
    }
    return null;
  }

  /** Regions under a window now. */
  regionsUnderMaintenance(): Set<string> {
    const now = this.deps.clock.now();
    const out = new Set<string>();
    for (const w of this.windows.values())
      if (isActive(w.schedule, now)) for (const r of w.regions) out.add(r);
    return out;
  }

  /** Check the body; returns its schedule in the stored form. Throws InputError naming the field. */
  private validate(body: MaintenanceBody): MaintenanceSchedule {
    const regions = body.regions ?? [];
    const agents = body.agents ?? [];
    if (regions.length === 0 && agents.length === 0)
      throw new InputError('regions: name at least one region or agent', 'regions');
    regions.forEach((r, i) => {
      if (!this.deps.knownRegion(r))
        throw new InputError(`regions/${i}: no region ${r}`, `regions/${i}`);
    });
    const s = body.schedule;
    const need = <T>(value: T | undefined, field: string): T => {
      if (value === undefined)
        throw new InputError(
          `schedule/${field}: required for a ${s.kind} window`,
          `schedule/${field}`,
        );
      return value;
    };
    if (s.kind === 'once') {
      const startsAt = need(s.startsAt, 'startsAt');
      const endsAt = need(s.endsAt, 'endsAt');
      if (endsAt <= startsAt)
        throw new InputError('schedule/endsAt: must be after startsAt', 'schedule/endsAt');
      if (endsAt <= this.deps.clock.now())
        throw new InputError('schedule/endsAt: must be in the future', 'schedule/endsAt');
      return { kind: 'once', startsAt, endsAt };
    }
    const timeZone = need(s.timeZone, 'timeZone');
    if (!isTimeZone(timeZone))
      throw new InputError(
        `schedule/timeZone: '${timeZone}' is not an IANA time zone (e.g. Europe/Berlin)`,
        'schedule/timeZone',
      );
    return {
      kind: 'weekly',
      days: [...new Set(need(s.days, 'days'))],
      time: need(s.time, 'time'),
      durationMinutes: need(s.durationMinutes, 'durationMinutes'),
      timeZone,
    };
  }

  private save(w: MaintenanceWindow): MaintenanceView {
    this.windows.set(w.id, w);
    void this.log.upsert(w.id, w);
    this.refresh(true);
    return this.view(w, this.deps.clock.now());
  }

  private view(w: MaintenanceWindow, now: number): MaintenanceView {
    const o = currentOrNext(w.schedule, now);
    return {
      ...w,
      active: o !== null && o.start <= now && now < o.end,
      nextStart: o?.start ?? null,
      nextEnd: o?.end ?? null,
    };
  }

  /** Report the windows in force when they changed, then wake at the next boundary. */
  private refresh(edited = false): void {
    const now = this.deps.clock.now();
    const active = [...this.windows.values()].filter((w) => isActive(w.schedule, now));
    const ids = active.map((w) => w.id).join(',');
    if (edited || ids !== this.activeIds) {
      this.activeIds = ids;
      this.deps.onChange?.(active);
    }
    let next: number | null = null;
    for (const w of this.windows.values()) {
      const t = nextBoundary(w.schedule, now);
      if (t !== null && (next === null || t < next)) next = t;
    }
    this.wakeup.at(next);
  }
}

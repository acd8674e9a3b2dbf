// The one way an incident changes: an entry in its timeline, then an 'incident.changed'
// announcement (for the notifier and the stream) and a debounced write to the incident log.
// The query side, the operator actions, the alert joiner and the suppression bookkeeping all
// change incidents through here, so none of them can forget to persist or announce.
import type { Incident, IncidentState, TimelineEntry } from '../../../shared/incidents.js';
import type { Alert, Severity } from '../../../shared/model.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { ReplayStats } from '../state/record-log.js';
import type { AlertBook } from './alert-book.js';
import { IncidentIndex } from './incident-index.js';
import { IncidentLog, type IncidentLogOptions } from './incident-log.js';
import { appendEntry, type ChangeReason } from './incident-timeline.js';
import { isOpen } from './lifecycle.js';

export interface IncidentRecorderDeps {
  clock: Clock;
  events: CoreEvents;
  logger: Logger;
  dataDir: string;
  alerts: AlertBook;
}

export class IncidentRecorder {
  readonly index = new IncidentIndex();
  private readonly log: IncidentLog;
  /** Flapping incidents waiting out a quiet window before they resolve. */
  private readonly quiet = new Map<string, TimerHandle>();
  /** An operator action in progress: the alert changes it causes are theirs, not news. */
  private actor: { by: string } | null = null;

  constructor(
    private readonly deps: IncidentRecorderDeps,
    opts: IncidentLogOptions,
  ) {
    this.log = new IncidentLog(
      { ...deps, lookup: (id) => this.index.get(id) },
      { retentionMs: opts.retentionMs, maxBytes: opts.maxBytes, debounceMs: opts.debounceMs },
    );
  }

  get logPath(): string {
    return this.log.path;
  }

  /** Load the incident log into the index. */
  async open(): Promise<ReplayStats> {
    const { incidents, stats } = await this.log.open();
    for (const i of incidents) this.index.add(i);
    return stats;
  }

  async close(): Promise<void> {
    for (const t of this.quiet.values()) t.cancel();
    this.quiet.clear();
    await this.log.close();
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  /** Drop incidents past retention or the size bound, from the log and the index. */
  prune(): void {
    for (const id of this.log.prune(this.index.all())) this.index.drop(id);
  }

  /** The incident's alerts the alert book still holds. */
  alertsOf(incident: Incident): Alert[] {
    return incident.alerts.flatMap((r) => this.deps.alerts.get(r.alertId) ?? []);
  }

  openAlertsOf(incident: Incident): Alert[] {
    return this.alertsOf(incident).filter((a) => isOpen(a.state));
  }

  /** Whether the incident's cause alert (a region's status alert) is still open. */
  causeOpen(incident: Incident): boolean {
    if (!incident.causeAlertId) return false;
    const cause = this.deps.alerts.get(incident.causeAlertId);
    return cause !== undefined && isOpen(cause.state);
  }

  add(incident: Incident, entry: TimelineEntry): void {
    appendEntry(incident, entry);
  }

  /** Announce the change and have it written (the incident's `updatedAt` is now). */
  changed(
    incident: Incident,
    previousState: IncidentState | null,
    previousSeverity: Severity | null,
    reason: ChangeReason,
  ): void {
    incident.updatedAt = this.deps.clock.now();
    this.log.changed(incident.id);
    this.deps.events.emit('incident.changed', {
      incident,
      previousState,
      previousSeverity,
      reason,
    });
  }

  /** A timeline entry that changes nothing else, announced as 'updated' (pages nobody). */
  note(incident: Incident, entry: TimelineEntry): void {
    this.add(incident, entry);
    this.changed(incident, incident.state, incident.severity, 'updated');
  }

  comment(incident: Incident, by: string, text: string): void {
    this.note(incident, { at: this.deps.clock.now(), kind: 'commented', by, text });
  }

  resolve(incident: Incident, by: string, text: string): void {
    const previous = incident.state;
    const now = this.deps.clock.now();
    incident.state = 'resolved';
    incident.resolvedAt = now;
    incident.nextEscalationAt = null;
    this.cancelQuiet(incident);
    this.add(incident, { at: now, kind: 'resolved', by, text });
    this.changed(incident, previous, incident.severity, 'state');
  }

  /** The operator whose action is in progress, if any. */
  get acting(): { by: string } | null {
    return this.actor;
  }

  /** Run an operator's action: alert changes it causes are attributed to them, not news. */
  withActor(by: string, fn: () => void): void {
    const outer = this.actor;
    this.actor = { by };
    try {
      fn();
    } finally {
      this.actor = outer;
    }
  }

  waitingQuiet(incident: Incident): boolean {
    return this.quiet.has(incident.id);
  }

  /** Run `then` once the flapping incident has stayed quiet `ms` (cancelled by a re-fire). */
  awaitQuiet(incident: Incident, ms: number, then: () => void): void {
    this.quiet.set(
      incident.id,
      this.deps.clock.setTimeout(() => {
        this.quiet.delete(incident.id);
        then();
      }, ms),
    );
  }

  cancelQuiet(incident: Incident): void {
    this.quiet.get(incident.id)?.cancel();
    this.quiet.delete(incident.id);
  }
}

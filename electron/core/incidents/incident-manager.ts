// Incidents: what the operator triages. Follows the alert book ('alert.changed'), puts each
// firing alert into an incident (grouping.ts), keeps the incident's severity, state, owner and
// timeline, and announces every change as 'incident.changed' for the notification pipeline and
// the stream. Incidents live in the incident log (incident-log.ts), not in state.json.
//
// This is the one face the rest of the core sees; the work is done by parts it wires together,
// each one concept:
//   incident-recorder.ts    the incidents held (incident-index.ts), the incident log, and the
//                           one way an incident changes (timeline entry, announce, write)
//   incident-timeline.ts    pure rules on an incident record (new, bounds, severity)
//   alert-joiner.ts         what the alerts do: joining, grouping, reopening, flapping
//   incident-suppression.ts silences, maintenance windows and region inhibition
//   incident-actions.ts     what operators and the notifier do
//   incident-search.ts      finding incidents
import type { Incident, TimelineEntry } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { AlertBook } from './alert-book.js';
import { AlertJoiner } from './alert-joiner.js';
import type { AlertRole } from './grouping.js';
import { IncidentActions } from './incident-actions.js';
import type { IncidentOptions } from './incident-options.js';
import { IncidentRecorder } from './incident-recorder.js';
import { currentIncidents, searchIncidents, type IncidentFilter } from './incident-search.js';
import { IncidentSuppression } from './incident-suppression.js';

export interface IncidentManagerDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  logger: Logger;
  dataDir: string;
  alerts: AlertBook;
  /** What the alert's rule is about: an agent going offline, a region's status, or else. */
  role(alert: Pick<Alert, 'ruleId'>): AlertRole;
  /** The silence or maintenance window covering the alert now (its id), or null. */
  suppressedBy(alert: Alert): string | null;
}

export class IncidentManager {
  private readonly recorder: IncidentRecorder;
  private readonly suppression: IncidentSuppression;
  private readonly joiner: AlertJoiner;
  private readonly actions: IncidentActions;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly deps: IncidentManagerDeps,
    opts: IncidentOptions,
  ) {
    this.recorder = new IncidentRecorder(deps, opts);
    const parts = { ...deps, recorder: this.recorder };
    this.suppression = new IncidentSuppression(parts);
    this.joiner = new AlertJoiner({ ...parts, suppression: this.suppression }, opts);
    this.actions = new IncidentActions(parts);
    this.off.push(
      deps.events.on('alert.changed', (e) => this.joiner.alertChanged(e.alert, e.previousState)),
      deps.events.on('alert.revised', ({ alert }) => this.joiner.alertRevised(alert)),
    );
  }

  get logPath(): string {
    return this.recorder.logPath;
  }

  /** Load the incident log (before the alert book loads, so restored alerts find theirs). */
  async open(): Promise<void> {
    const stats = await this.recorder.open();
    if (stats.corrupt + stats.invalid > 0)
      this.deps.logger.warn('incident log lines skipped', { ...stats });
    this.prune();
  }

  /**
   * After the alert book has loaded: open alerts no incident holds (the log was behind) are
   * placed; unresolved incidents none of whose alerts is open resolve.
   */
  reconcile(): void {
    this.joiner.reconcile();
  }

  async close(): Promise<void> {
    this.off.forEach((f) => f());
    await this.recorder.close();
  }

  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /** Drop incidents past retention or the size bound (at start, and daily from the core). */
  prune(): void {
    this.recorder.prune();
  }

  // ── finding incidents ─────────────────────────────────────────────────────────────────────

  get(id: string): Incident | undefined {
    return this.recorder.index.get(id);
  }

  list(filter: IncidentFilter = {}): Incident[] {
    return searchIncidents(this.recorder.index.all(), filter, this.deps.clock.now());
  }

  /** Unresolved incidents and the `resolved` most recently resolved (the stream's snapshot). */
  current(resolved: number): Incident[] {
    return currentIncidents(this.recorder.index.all(), resolved, this.deps.clock.now());
  }

  incidentOf(alert: Pick<Alert, 'id'>): Incident | undefined {
    return this.recorder.index.of(alert);
  }

  /** The incident's alerts the alert book still holds. */
  alertsOf(incident: Incident): Alert[] {
    return this.recorder.alertsOf(incident);
  }

  openAlertsOf(incident: Incident): Alert[] {
    return this.recorder.openAlertsOf(incident);
  }

  // ── suppression ───────────────────────────────────────────────────────────────────────────

  /** Set the alert's `suppressedBy` and `inhibitedBy` before the alert book announces it. */
  annotate(alert: Alert): void {
    this.suppression.annotate(alert);
  }

  /** Silences or maintenance windows changed: alerts' and incidents' suppression follow. */
  suppressionChanged(): void {
    this.suppression.changed();
  }

  /** A silence or window is about to end: say so in the timeline of what it holds quiet. */
  remind(suppressorId: string, text: string): void {
    this.suppression.remind(suppressorId, text);
  }

  // ── operator and notifier actions ─────────────────────────────────────────────────────────

  acknowledge(id: string, by: string, comment?: string): Incident {
    return this.actions.acknowledge(id, by, comment);
  }

  /** Resolve every open alert of the incident (the caller made silences for held ones). */
  resolve(id: string, by: string, comment?: string): Incident {
    return this.actions.resolve(id, by, comment);
  }

  assign(id: string, owner: string | null, by: string): Incident {
    return this.actions.assign(id, owner, by);
  }

  comment(id: string, text: string, by: string): Incident {
    return this.actions.comment(id, text, by);
  }

  /** A notifier's timeline entry ('notified', …) with the escalation step it reached. */
  record(
    id: string,
    entry: TimelineEntry,
    escalation?: { step: number | null; nextAt: number | null },
  ): Incident {
    return this.actions.record(id, entry, escalation);
  }

  /** The notifier's escalation step and when the next one is due (no timeline entry). */
  setEscalation(
    id: string,
    step: number | null,
    nextAt: number | null,
    nextTo?: readonly string[],
  ): void {
    this.actions.setEscalation(id, step, nextAt, nextTo);
  }
}

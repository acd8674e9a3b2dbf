// The incident side of the core in one place: silences, maintenance windows, the incident
// manager and manual resolves, wired to each other, to the fleet and to the rule evaluator.
// The core creates it, opens it between loading the fleet and the alerts, and closes it.
import type { SilenceBody, SilenceView } from '../../../shared/silences.js';
import type { Alert } from '../../../shared/model.js';
import type { Rule } from '../../../shared/rules.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { AlertBook } from './alert-book.js';
import type { RuleEvaluator } from './evaluator.js';
import type { AlertRole } from './grouping.js';
import { InputError } from './incident-errors.js';
import { IncidentManager } from './incident-manager.js';
import type { IncidentOptions } from './incident-options.js';
import { MaintenanceBook } from './maintenance.js';
import { ManualResolve } from './manual-resolve.js';
import {
  alertLabels,
  compileMatchers,
  matchersForAlert,
  matchesAll,
  type AgentLookup,
} from './matchers.js';
import { Operators } from './operators.js';
import { SilenceBook } from './silences.js';
import { regionStatusForHealth } from '../../../shared/regions.js';

export interface IncidentServicesDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  logger: Logger;
  dataDir: string;
  fleet: Fleet;
  alerts: AlertBook;
  evaluator: RuleEvaluator;
  rules(): readonly Rule[];
  operators: readonly string[];
  options: IncidentOptions;
}

const PRUNE_EVERY_MS = 6 * 60 * 60_000;

export class IncidentServices {
  readonly silences: SilenceBook;
  readonly maintenance: MaintenanceBook;
  readonly manager: IncidentManager;
  readonly resolver: ManualResolve;
  readonly operators: Operators;
  private pruneTimer: TimerHandle | null = null;
  private readonly agentOf: AgentLookup;

  constructor(private readonly deps: IncidentServicesDeps) {
    const { clock, ids, logger, dataDir, fleet } = deps;
    this.agentOf = (id) => fleet.agent(id);
    this.operators = new Operators(deps.operators);
    this.silences = new SilenceBook({
      clock,
      ids,
      logger,
      dataDir,
      onChange: (silence, change) => {
        deps.events.emit('silence.changed', { silence, change });
        if (change === 'started') this.manager.suppressionChanged();
        if (change === 'ended') {
          this.manager.suppressionChanged();
          this.recheck();
        }
        if (change === 'expiring')
          this.manager.remind(
            silence.id,
            `silence ${silence.id} ends at ${new Date(silence.endsAt).toISOString()}`,
          );
      },
    });
    this.maintenance = new MaintenanceBook({
      clock,
      ids,
      logger,
      dataDir,
      knownRegion: (id) => fleet.region(id) !== undefined,
      onChange: () => {
        fleet.setMaintenance(this.maintenance.regionsUnderMaintenance());
        this.manager.suppressionChanged();
      },
    });
    this.manager = new IncidentManager(
      {
        clock,
        ids,
        events: deps.events,
        logger,
        dataDir,
        alerts: deps.alerts,
        role: (a) => this.role(a.ruleId),
        suppressedBy: (a) => this.suppressedBy(a),
      },
      deps.options,
    );
    this.resolver = new ManualResolve({
      clock,
      alerts: deps.alerts,
      silences: this.silences,
      incidents: this.manager,
      holds: (a) => this.holds(a),
    });
  }

  /** Before the alert book loads (restored alerts find their incidents). */
  async open(): Promise<void> {
    await Promise.all([this.silences.open(), this.maintenance.open(), this.manager.open()]);
  }

  /** After alerts and rules are loaded: adopt strays, re-raise what a silence no longer covers. */
  started(): void {
    this.manager.reconcile();
    this.recheck();
    this.pruneTimer = this.deps.clock.setInterval(() => this.manager.prune(), PRUNE_EVERY_MS);
  }

  async close(): Promise<void> {
    this.pruneTimer?.cancel();
    await Promise.all([this.manager.close(), this.silences.close(), this.maintenance.close()]);
  }

  /** For the alert book: `suppressedBy`, `inhibitedBy` before an alert is announced. */
  annotate(alert: Alert): void {
    this.manager.annotate(alert);
  }

  /** A new silence from a body: its matchers, or those of the alert or incident it names. */
  createSilence(body: SilenceBody, by: string): SilenceView {
    const { matchers, startsAt, endsAt } = this.silenceSpan(body);
    return this.silences.create({
      matchers,
      startsAt,
      endsAt,
      createdBy: by,
      comment: body.comment ?? '',
      fromAlertId: body.alertId ?? null,
      fromIncidentId: body.incidentId ?? null,
    });
  }

  /** What the silence would match among open alerts now (and their incidents). */
  previewSilence(body: SilenceBody) {
    const span = this.silenceSpan(body);
    const compiled = this.silences.validate(span);
    const alerts = this.deps.alerts
      .openAlerts()
      .filter((a) => matchesAll(compiled, alertLabels(a, this.agentOf)));
    const incidents = [...new Set(alerts.flatMap((a) => a.incidentId ?? []))];
    return { matchers: span.matchers, alerts, incidents };
  }

  private silenceSpan(body: SilenceBody) {
    const now = this.deps.clock.now();
    const startsAt = body.startsAt ?? now;
    const endsAt =
      body.endsAt ?? (body.durationMinutes ? startsAt + body.durationMinutes * 60_000 : null);
    if (endsAt === null) throw new InputError('endsAt: give endsAt or durationMinutes', 'endsAt');
    let matchers = body.matchers;
    if (!matchers && body.alertId) {
      const alert = this.deps.alerts.get(body.alertId);
      if (!alert) throw new InputError(`alertId: no alert ${body.alertId}`, 'alertId');
      matchers = matchersForAlert(alert);
    }
    if (!matchers && body.incidentId) {
      const incident = this.manager.get(body.incidentId);
      if (!incident)
        throw new InputError(`incidentId: no incident ${body.incidentId}`, 'incidentId');
      matchers = incident.regionId
        ? [{ name: 'region', op: '=', value: incident.regionId }]
        : incident.agentId
          ? [{ name: 'agent', op: '=', value: incident.agentId }]
          : this.manager.alertsOf(incident).slice(0, 1).flatMap(matchersForAlert);
      if (incident.regionId && incident.agentId)
        matchers.push({ name: 'agent', op: '=', value: incident.agentId });
    }
    if (!matchers || matchers.length === 0)
      throw new InputError('matchers: give matchers, alertId or incidentId', 'matchers');
    compileMatchers(matchers);
    return { matchers, startsAt, endsAt };
  }

  private role(ruleId: string): AlertRole {
    const rule = this.deps.rules().find((r) => r.id === ruleId);
    if (rule?.kind === 'agent_offline') return 'offline';
    if (rule?.kind === 'region_status') return 'region';
    return 'other';
  }

  private suppressedBy(alert: Alert): string | null {
    const window = this.maintenance.covering(alert.subject);
    if (window) return window.id;
    return this.silences.matching(alertLabels(alert, this.agentOf))?.id ?? null;
  }

  /** Whether a status condition (agent offline, region unhealthy) still holds. */
  private holds(alert: Alert): boolean {
    const role = this.role(alert.ruleId);
    const { agentId, regionId } = alert.subject;
    if (role === 'offline' && agentId) {
      const agent = this.deps.fleet.agent(agentId);
      return agent !== undefined && agent.status !== 'online';
    }
    if (role === 'region' && regionId) {
      const region = this.deps.fleet.region(regionId);
      return region !== undefined && regionStatusForHealth(region.healthScore) !== 'active';
    }
    return false;
  }

  /** Status conditions holding with no open alert and no silence over them fire again. */
  private recheck(): void {
    const { fleet, evaluator } = this.deps;
    evaluator.recheckStatus(fleet.listAgents(), fleet.regions(), (c) => {
      const labels = alertLabels({ ...c, metric: null }, this.agentOf);
      return this.silences.matching(labels) !== null;
    });
  }
}

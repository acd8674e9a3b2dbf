// Resolving by hand an alert whose condition still holds (an agent still offline, a region
// still failed). Such a condition is raised only when it starts, so a bare resolve would keep
// it quiet for ever. Instead the alert is resolved under a silence with an end the operator
// sees; when the silence ends, the console checks the condition again (core wiring: recheck)
// and the alert fires anew if it still holds.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type { Matcher, SilenceView } from '../../../shared/silences.js';
import type { Clock } from '../clock.js';
import type { AlertBook } from './alert-book.js';
import { NotFoundError } from './incident-errors.js';
import type { IncidentManager } from './incident-manager.js';
import { isOpen } from './lifecycle.js';
import { matchersForAlert } from './matchers.js';
import type { SilenceBook } from './silences.js';

export const DEFAULT_HOLD_SILENCE_MINUTES = 60;

export interface ManualResolveDeps {
  clock: Clock;
  alerts: AlertBook;
  silences: SilenceBook;
  incidents: IncidentManager;
  /** Whether the alert's condition still holds now. */
  holds(alert: Alert): boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One silence covering all these alerts' subjects (same agent, or same region). */
function matchersFor(alerts: readonly Alert[]): Matcher[] | null {
  if (alerts.length === 1) return matchersForAlert(alerts[0]!);
  const rules = [...new Set(alerts.map((a) => a.ruleId))];
  const rule: Matcher =
    rules.length === 1
      ? { name: 'rule', op: '=', value: rules[0]! }
      : { name: 'rule', op: '=~', value: rules.map(escape).join('|') };
  const agents = new Set(alerts.map((a) => a.subject.agentId));
  const regions = new Set(alerts.map((a) => a.subject.regionId));
  const [agent] = agents;
  if (agents.size === 1 && agent) return [rule, { name: 'agent', op: '=', value: agent }];
  const [region] = regions;
  if (regions.size === 1 && region) return [rule, { name: 'region', op: '=', value: region }];
  return null;
}

export class ManualResolve {
  constructor(private readonly deps: ManualResolveDeps) {}

  alert(
    id: string,
    by: string,
    comment?: string,
    minutes = DEFAULT_HOLD_SILENCE_MINUTES,
  ): { alert: Alert; silence?: SilenceView } {
    const alert = this.deps.alerts.get(id);
    if (!alert) throw new NotFoundError(`no alert with id ${id}`);
    const held = isOpen(alert.state) && this.deps.holds(alert);
    const silence = held
      ? this.silence([alert], by, comment, minutes, { fromAlertId: alert.id })
      : undefined;
    this.deps.alerts.resolve(id, by, comment);
    return silence ? { alert, silence } : { alert };
  }

  incident(
    id: string,
    by: string,
    comment?: string,
    minutes = DEFAULT_HOLD_SILENCE_MINUTES,
  ): { incident: Incident; silence: SilenceView | null } {
    const incident = this.deps.incidents.get(id);
    if (!incident) throw new NotFoundError(`no incident ${id}`);
    const held = this.deps.incidents.openAlertsOf(incident).filter((a) => this.deps.holds(a));
    let silence: SilenceView | null = null;
    if (held.length > 0 && incident.state !== 'resolved') {
      const matchers = matchersFor(held);
      if (matchers) {
        silence = this.silenceWith(matchers, by, comment, minutes, { fromIncidentId: id });
      } else {
        // Alerts of several regions: one silence each (the incident's grouping never does this
        // today, but an operator's resolve must not be silent for ever whatever it holds).
        for (const a of held) silence = this.silence([a], by, comment, minutes, {});
      }
    }
    return { incident: this.deps.incidents.resolve(id, by, comment), silence };
  }

  private silence(
    alerts: readonly Alert[],
    by: string,
    comment: string | undefined,
    minutes: number,
    from: { fromAlertId?: string; fromIncidentId?: string },
  ): SilenceView {
    return this.silenceWith(matchersFor(alerts)!, by, comment, minutes, from);
  }

  private silenceWith(
    matchers: Matcher[],
    by: string,
    comment: string | undefined,
    minutes: number,
    from: { fromAlertId?: string; fromIncidentId?: string },
  ): SilenceView {
    const now = this.deps.clock.now();
    return this.deps.silences.create({
      matchers,
      startsAt: now,
      endsAt: now + minutes * 60_000,
      createdBy: by,
      comment:
        `Resolved by hand while the condition still held; checked again when this silence ends.` +
        (comment ? ` ${comment}` : ''),
      ...from,
    });
  }
}

// Measured recovery, from the incidents and the runs on them (pure: the caller passes both):
// per incident the time to detect, to act and to recover and whether the recovery was
// automatic; per runbook its runs, success rate and median time to recover; overall and per
// severity.
import { median } from 'simple-statistics';
import type { Incident } from '../../../shared/incidents.js';
import { SEVERITIES, type Severity } from '../../../shared/model.js';
import type {
  IncidentRecoveryFigures,
  RecoveryRoutes,
  RecoveryRun,
  RunbookStats,
} from '../../../shared/recovery.js';

type StatsResponse = RecoveryRoutes['GET /api/v1/recovery/stats']['response'];

/** Who resolves an incident when nobody does it by hand (`auto`: its alerts' conditions cleared). */
const MACHINE = new Set(['auto', 'rule', 'console']);

const medianOrNull = (xs: number[]) => (xs.length === 0 ? null : median(xs));

/** Resolved by its alerts clearing (the rules), not by an operator. */
function resolvedByMachine(incident: Incident): boolean {
  if (incident.state !== 'resolved') return false;
  for (let i = incident.timeline.length - 1; i >= 0; i--) {
    const e = incident.timeline[i]!;
    if (e.kind === 'resolved') return MACHINE.has(e.by);
  }
  return true;
}

/**
 * `firstAlertStart`: when the incident's first alert's condition began (its pending start), or
 * null when the alert book no longer holds it.
 */
export function incidentFigures(
  incident: Incident,
  runs: readonly RecoveryRun[],
  firstAlertStart: number | null,
): IncidentRecoveryFigures {
  const acted = runs.filter((r) => r.mode !== 'dry_run' && r.dispatchedAt !== null);
  const firstAct = acted.length === 0 ? null : Math.min(...acted.map((r) => r.dispatchedAt!));
  const recovered = incident.resolvedAt !== null && incident.state === 'resolved';
  return {
    incidentId: incident.id,
    timeToDetectMs:
      firstAlertStart === null ? null : Math.max(0, incident.openedAt - firstAlertStart),
    timeToActMs: firstAct === null ? null : Math.max(0, firstAct - incident.openedAt),
    timeToRecoverMs: recovered ? incident.resolvedAt! - incident.openedAt : null,
    automatic:
      recovered &&
      resolvedByMachine(incident) &&
      runs.some((r) => r.state === 'succeeded' && r.mode !== 'dry_run'),
  };
}

export function runbookStats(
  runbookId: string,
  runs: readonly RecoveryRun[],
  incident: (id: string) => Incident | undefined,
): RunbookStats {
  const mine = runs.filter((r) => r.runbookId === runbookId);
  const succeeded = mine.filter((r) => r.state === 'succeeded');
  const failed = mine.filter((r) => r.state === 'failed' || r.state === 'interrupted').length;
  const mttrs = [...new Set(succeeded.map((r) => r.incidentId))].flatMap((id) => {
    const i = incident(id);
    return i?.state === 'resolved' && i.resolvedAt !== null ? [i.resolvedAt - i.openedAt] : [];
  });
  const concluded = succeeded.length + failed;
  return {
    runbookId,
    runs: mine.length,
    succeeded: succeeded.length,
    failed,
    successRate: concluded === 0 ? null : succeeded.length / concluded,
    medianMttrMs: medianOrNull(mttrs),
    lastRunAt: mine.length === 0 ? null : Math.max(...mine.map((r) => r.createdAt)),
  };
}

/**
 * Over the incidents given (the console's, within their retention): how many, how many were
 * recovered automatically, median time to recover and to act; and time to recover per severity.
 */
export function overallStats(
  incidents: readonly Incident[],
  figures: (incident: Incident) => IncidentRecoveryFigures,
  runbooks: RunbookStats[],
): StatsResponse {
  const all = incidents.map((i) => ({ i, f: figures(i) }));
  const mttr = (xs: typeof all) =>
    medianOrNull(xs.flatMap(({ f }) => (f.timeToRecoverMs === null ? [] : [f.timeToRecoverMs])));
  const bySeverity: StatsResponse['bySeverity'] = {};
  for (const s of SEVERITIES) {
    const of = all.filter(({ i }) => i.severity === (s as Severity));
    if (of.length > 0) bySeverity[s] = { incidents: of.length, medianMttrMs: mttr(of) };
  }
  return {
    runbooks,
    overall: {
      incidents: all.length,
      automatic: all.filter(({ f }) => f.automatic).length,
      medianMttrMs: mttr(all),
      medianTimeToActMs: medianOrNull(
        all.flatMap(({ f }) => (f.timeToActMs === null ? [] : [f.timeToActMs])),
      ),
    },
    bySeverity,
  };
}

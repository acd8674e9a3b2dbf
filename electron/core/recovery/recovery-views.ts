// What the API reads of recovery: runbooks with their stats, runs and actions (newest first),
// and the recovery figures of incidents, overall and per severity.
import type { Incident } from '../../../shared/incidents.js';
import type { Alert } from '../../../shared/model.js';
import type {
  ActionRecord,
  ActionsQuery,
  IncidentRecoveryFigures,
  RecoveryRoutes,
  RecoveryRun,
  Runbook,
  RunbookStats,
} from '../../../shared/recovery.js';
import { incidentFigures, overallStats, runbookStats } from './recovery-figures.js';
import type { RunbookBook } from './runbook-book.js';
import { listFilter, LIVE, type RunStore } from './run-store.js';

type R = RecoveryRoutes;

export interface RecoveryViewsDeps {
  book: RunbookBook;
  store: RunStore;
  incidents: { get(id: string): Incident | undefined; list(): readonly Incident[] };
  alerts: { get(id: string): Alert | undefined };
}

/** Ended runs the stream's snapshot carries besides every live one. */
const RECENT_RUNS = 100;

export class RecoveryViews {
  constructor(private readonly deps: RecoveryViewsDeps) {}

  runbooks(): R['GET /api/v1/runbooks']['response'] {
    const all = this.deps.book.all();
    return { runbooks: this.deps.book.views(), stats: all.map((r) => this.stats(r.id)) };
  }

  runbook(id: string): R['GET /api/v1/runbooks/:id']['response'] {
    const runbook = this.deps.book.view(id);
    return {
      runbook,
      stats: this.stats(id),
      runs: this.deps.store.listRuns({ runbookId: id, limit: 100 }),
    };
  }

  actions(q: ActionsQuery): ActionRecord[] {
    return this.deps.store.listActions(listFilter(q));
  }

  runs(q: ActionsQuery): R['GET /api/v1/recovery/runs']['response'] {
    const runs = this.deps.store.listRuns(listFilter(q));
    const figures = [...new Set(runs.map((r) => r.incidentId))].flatMap((id) => {
      const incident = this.deps.incidents.get(id);
      return incident ? [this.figures(incident)] : [];
    });
    return { runs, figures };
  }

  overall(): R['GET /api/v1/recovery/stats']['response'] {
    const runbooks = this.deps.book.all().map((r) => this.stats(r.id));
    return overallStats(this.deps.incidents.list(), (i) => this.figures(i), runbooks);
  }

  figures(incident: Incident): IncidentRecoveryFigures {
    const first = incident.alerts[0] && this.deps.alerts.get(incident.alerts[0].alertId);
    return incidentFigures(incident, this.deps.store.runsOf(incident.id), first?.createdAt ?? null);
  }

  /** Live runs and the most recently ended ones (the stream's snapshot). */
  current(): RecoveryRun[] {
    const all = this.deps.store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
    const live = all.filter((r) => LIVE.has(r.state));
    const ended = all.filter((r) => !LIVE.has(r.state)).slice(0, RECENT_RUNS);
    return [...live, ...ended];
  }

  run(id: string): RecoveryRun | undefined {
    return this.deps.store.run(id);
  }

  private stats(runbookId: Runbook['id']): RunbookStats {
    return runbookStats(runbookId, [...this.deps.store.allRuns()], (id) =>
      this.deps.incidents.get(id),
    );
  }
}

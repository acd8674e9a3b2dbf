// The runs and action records the console knows, in memory and in the recovery log: how they
// are found (by incident, agent, runbook, alert) and listed for the API, newest first. Runs are
// indexed by incident: the figures of every incident (GET /recovery/stats) read each one's
// runs, which must not mean scanning all runs per incident.
import type { ActionRecord, ActionsQuery, RecoveryRun } from '../../../shared/recovery.js';
import type { RecoveryLog } from './recovery-log.js';
import type { RunFacts } from './guardrails.js';

/** Runs that have not ended: waiting, queued or acting. */
export const LIVE = new Set<RecoveryRun['state']>([
  'awaiting_approval',
  'deferred',
  'queued',
  'running',
  'verifying',
]);

export interface ListFilter {
  incidentId?: string;
  agentId?: string;
  runbookId?: string;
  limit: number;
}

export function listFilter(q: ActionsQuery, defaultLimit = 200): ListFilter {
  return {
    ...(q.incident !== undefined ? { incidentId: q.incident } : {}),
    ...(q.agent !== undefined ? { agentId: q.agent } : {}),
    ...(q.runbook !== undefined ? { runbookId: q.runbook } : {}),
    limit: Math.min(q.limit === undefined ? defaultLimit : Number(q.limit), 5_000),
  };
}

export class RunStore {
  private readonly runs = new Map<string, RecoveryRun>();
  /** Run ids by incident id (a run's incident never changes). */
  private readonly byIncident = new Map<string, Set<string>>();
  private readonly actions = new Map<string, ActionRecord>();
  private readonly actionsByRun = new Map<string, string[]>();
  private endedSincePrune = 0;

  constructor(private readonly log: RecoveryLog) {}

  async open(): Promise<void> {
    const loaded = await this.log.open();
    for (const r of loaded.runs) this.indexRun(r);
    for (const a of loaded.actions) if (this.runs.has(a.runId)) this.indexAction(a);
    this.prune();
  }

  run(id: string): RecoveryRun | undefined {
    return this.runs.get(id);
  }

  action(id: string): ActionRecord | undefined {
    return this.actions.get(id);
  }

  allRuns(): IterableIterator<RecoveryRun> {
    return this.runs.values();
  }

  /** What the guardrails read of every run but `exceptId`. */
  facts(exceptId: string): RunFacts[] {
    const out: RunFacts[] = [];
    for (const r of this.runs.values()) if (r.id !== exceptId) out.push(r);
    return out;
  }

  putRun(run: RecoveryRun): void {
    this.indexRun(run);
    // A failed write is the log's to report and repair (it rewrites itself); never unhandled.
    this.log.putRun(run).catch(() => {});
    // Retention is looked at every so many ended runs, not at each.
    if (run.endedAt !== null && ++this.endedSincePrune >= 64) this.prune();
  }

  /** Resolves once the record is durable. */
  putAction(rec: ActionRecord): Promise<void> {
    if (!this.actions.has(rec.id)) this.indexAction(rec);
    const durable = this.log.putAction(rec);
    // Handled here, so a caller that does not wait for it leaves no unhandled rejection.
    durable.catch(() => {});
    return durable;
  }

  /** Resolves once the run's newest change is durable; rejects if that write failed. */
  runDurable(id: string): Promise<void> {
    return this.log.runDurable(id);
  }

  /** Resolves once the action's newest change is durable; rejects if that write failed. */
  actionDurable(id: string): Promise<void> {
    return this.log.actionDurable(id);
  }

  /** Runs of the incident, oldest first. */
  runsOf(incidentId: string): RecoveryRun[] {
    return [...(this.byIncident.get(incidentId) ?? [])]
      .map((id) => this.runs.get(id)!)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The newest run of this runbook for this alert. */
  latestFor(alertId: string, runbookId: string): RecoveryRun | undefined {
    let latest: RecoveryRun | undefined;
    for (const r of this.runs.values())
      if (
        r.alertId === alertId &&
        r.runbookId === runbookId &&
        (!latest || r.createdAt >= latest.createdAt)
      )
        latest = r;
    return latest;
  }

  /** The run not yet ended for (incident, agent, runbook), if there is one. */
  liveFor(incidentId: string, agentId: string, runbookId: string): RecoveryRun | undefined {
    for (const r of this.runs.values())
      if (
        r.incidentId === incidentId &&
        r.agentId === agentId &&
        r.runbookId === runbookId &&
        LIVE.has(r.state)
      )
        return r;
    return undefined;
  }

  listRuns(f: ListFilter): RecoveryRun[] {
    return [...this.runs.values()]
      .filter(
        (r) =>
          (f.incidentId === undefined || r.incidentId === f.incidentId) &&
          (f.agentId === undefined || r.agentId === f.agentId) &&
          (f.runbookId === undefined || r.runbookId === f.runbookId),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : 1))
      .slice(0, f.limit);
  }

  listActions(f: ListFilter): ActionRecord[] {
    const runbookOf = (a: ActionRecord) => this.runs.get(a.runId)?.runbookId;
    return [...this.actions.values()]
      .filter(
        (a) =>
          (f.incidentId === undefined || a.incidentId === f.incidentId) &&
          (f.agentId === undefined || a.agentId === f.agentId) &&
          (f.runbookId === undefined || runbookOf(a) === f.runbookId),
      )
      .sort((a, b) => b.dispatchedAt - a.dispatchedAt || (b.id < a.id ? -1 : 1))
      .slice(0, f.limit);
  }

  actionsOf(runId: string): ActionRecord[] {
    return (this.actionsByRun.get(runId) ?? []).flatMap((id) => this.actions.get(id) ?? []);
  }

  /** Drop what the log's retention drops. */
  prune(): void {
    this.endedSincePrune = 0;
    const dropped = this.log.prune(this.runs.values(), (id) => this.actionsByRun.get(id) ?? []);
    for (const id of dropped) {
      const run = this.runs.get(id);
      const ofIncident = run && this.byIncident.get(run.incidentId);
      ofIncident?.delete(id);
      if (ofIncident?.size === 0) this.byIncident.delete(run!.incidentId);
      this.runs.delete(id);
      for (const a of this.actionsByRun.get(id) ?? []) this.actions.delete(a);
      this.actionsByRun.delete(id);
    }
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private indexRun(run: RecoveryRun): void {
    this.runs.set(run.id, run);
    let ids = this.byIncident.get(run.incidentId);
    if (!ids) this.byIncident.set(run.incidentId, (ids = new Set()));
    ids.add(run.id);
  }

  private indexAction(a: ActionRecord): void {
    this.actions.set(a.id, a);
    const list = this.actionsByRun.get(a.runId);
    if (list) list.push(a.id);
    else this.actionsByRun.set(a.runId, [a.id]);
  }
}

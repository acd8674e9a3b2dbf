// Recovery history on disk: <data-dir>/recovery-runs.ndjson (runs) and actions.ndjson (every
// action and http call, with its output), each a RecordLog (append-only checksummed lines,
// group commits, compaction when dead lines outweigh live ones), loaded on start. Bounded:
// ended runs older than the retention go, and past the count bound the oldest ended go first;
// an action goes with its run. Growing histories never live in state.json (DESIGN.md).
import { join } from 'node:path';
import { ACTION_STATUSES } from '../../../shared/protocol.js';
import { RUN_STATES, type ActionRecord, type RecoveryRun } from '../../../shared/recovery.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog, type ReplayStats } from '../state/record-log.js';

export const RUNS_LOG_FILE = 'recovery-runs.ndjson';
export const ACTIONS_LOG_FILE = 'actions.ndjson';

export interface RecoveryLogOptions {
  /** Ended runs (and their actions) are kept this long after they ended… */
  retentionMs: number;
  /** …and at most this many ended runs. */
  maxRuns: number;
}

function isRun(raw: unknown, key: string): raw is RecoveryRun {
  const r = raw as Partial<RecoveryRun> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.id === key &&
    typeof r.runbookId === 'string' &&
    typeof r.incidentId === 'string' &&
    typeof r.agentId === 'string' &&
    typeof r.createdAt === 'number' &&
    RUN_STATES.includes(r.state as RecoveryRun['state']) &&
    Array.isArray(r.steps)
  );
}

function isAction(raw: unknown, key: string): raw is ActionRecord {
  const a = raw as Partial<ActionRecord> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    a.id === key &&
    typeof a.runId === 'string' &&
    typeof a.action === 'string' &&
    typeof a.dispatchedAt === 'number' &&
    (a.status === null || ACTION_STATUSES.includes(a.status as never)) &&
    typeof a.output === 'string'
  );
}

export class RecoveryLog {
  private readonly runs: RecordLog<RecoveryRun> | null;
  private readonly actions: RecordLog<ActionRecord> | null;

  constructor(
    private readonly deps: { clock: Clock; logger: Logger; dataDir: string | null },
    private readonly opts: RecoveryLogOptions,
  ) {
    const log = <T>(file: string, parse: (raw: unknown, key: string) => raw is T) =>
      deps.dataDir === null
        ? null
        : new RecordLog<T>({
            path: join(deps.dataDir, file),
            // Group commits in real time, not on the core's clock: an agent's result is acked
            // once durable, and that must not wait for a manually stepped clock (as audit-log.ts).
            clock: systemClock,
            parse: (raw, key) => (parse(raw, key) ? raw : null),
            onError: (err) =>
              deps.logger.error(`${file} write failed; will rewrite it`, { error: err.message }),
          });
    this.runs = log(RUNS_LOG_FILE, isRun);
    this.actions = log(ACTIONS_LOG_FILE, isAction);
  }

  async open(): Promise<{ runs: RecoveryRun[]; actions: ActionRecord[]; stats: ReplayStats[] }> {
    if (!this.runs || !this.actions) return { runs: [], actions: [], stats: [] };
    const [runs, actions] = await Promise.all([this.runs.open(), this.actions.open()]);
    return {
      runs: [...runs.records.values()],
      actions: [...actions.records.values()],
      stats: [runs.stats, actions.stats],
    };
  }

  putRun(run: RecoveryRun): Promise<void> {
    return this.runs?.upsert(run.id, run) ?? Promise.resolve();
  }

  /** Resolves once durable: an agent's result is acked only then. */
  putAction(record: ActionRecord): Promise<void> {
    return this.actions?.upsert(record.id, record) ?? Promise.resolve();
  }

  /** Resolves once the run's newest change is durable (rejects if its write failed). */
  runDurable(id: string): Promise<void> {
    return this.runs?.durable(id) ?? Promise.resolve();
  }

  /**
   * Resolves once the action's newest change is durable: at once when it is, else when the
   * write in flight (or the repair of one that failed) lands; rejects if that fails.
   */
  actionDurable(id: string): Promise<void> {
    return this.actions?.durable(id) ?? Promise.resolve();
  }

  /**
   * Runs (and their actions) to forget: ended longer ago than the retention, then the oldest
   * ended past the count bound. Returns the run ids dropped; the caller forgets them too.
   */
  prune(runs: Iterable<RecoveryRun>, actionsOf: (runId: string) => Iterable<string>): string[] {
    const now = this.deps.clock.now();
    const ended = [...runs]
      .filter((r) => r.endedAt !== null)
      .sort((a, b) => a.endedAt! - b.endedAt!);
    const drop: string[] = [];
    let over = ended.length - this.opts.maxRuns;
    for (const r of ended) {
      const expired = now - r.endedAt! > this.opts.retentionMs;
      if (!expired && over <= 0) break;
      drop.push(r.id);
      over--;
    }
    for (const id of drop) {
      void this.runs?.delete(id);
      for (const a of actionsOf(id)) void this.actions?.delete(a);
    }
    return drop;
  }

  async flush(): Promise<void> {
    await Promise.all([this.runs?.flush(), this.actions?.flush()]);
  }

  async close(): Promise<void> {
    for (const log of [this.runs, this.actions])
      await log
        ?.close()
        .catch((err: Error) =>
          this.deps.logger.error('recovery log: last write failed', { error: err.message }),
        );
  }
}

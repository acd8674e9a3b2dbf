// The agents' posture facts: the latest of each fact per agent, and the history of changes,
// in <data-dir>/facts.ndjson (a RecordLog: one line per change, each under its own key and
// never rewritten, except that a fact's report confirming the same value refreshes its latest
// line's time). Bounded: each agent's fact keeps its last `historyPerFact` changes.
import { join } from 'node:path';
import { sameFact, type PostureFact } from '../../../shared/posture.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog, type ReplayStats } from '../state/record-log.js';

export const FACTS_FILE = 'facts.ndjson';

/** One change of one agent's fact. */
export interface FactChange {
  seq: number;
  agentId: string;
  /** Console time the changed value first arrived. */
  receivedAt: number;
  /** The fact; its collectedAt is the newest report of this same value. */
  fact: PostureFact;
}

function isChange(raw: unknown): raw is FactChange {
  if (typeof raw !== 'object' || raw === null) return false;
  const c = raw as Record<string, unknown>;
  const f = c.fact as Record<string, unknown> | null | undefined;
  return (
    typeof c.seq === 'number' &&
    typeof c.agentId === 'string' &&
    typeof c.receivedAt === 'number' &&
    typeof f === 'object' &&
    f !== null &&
    typeof f.id === 'string' &&
    (f.status === 'collected' || f.status === 'not_collected') &&
    typeof f.collectedAt === 'number' &&
    typeof f.evidence === 'object' &&
    f.evidence !== null
  );
}

const keyOf = (seq: number) => `c${seq}`;

export class FactsStore {
  private readonly log: RecordLog<FactChange>;
  /** agentId → fact id → changes, oldest first (the last is the latest). */
  private readonly byAgent = new Map<string, Map<string, FactChange[]>>();
  /** agentId → console time its last facts message arrived. */
  private readonly lastReport = new Map<string, number>();
  private seq = 0;

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; logger: Logger },
    private readonly historyPerFact = 20,
  ) {
    this.log = new RecordLog<FactChange>({
      path: join(dataDir, FACTS_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isChange(raw) && keyOf(raw.seq) === key ? raw : null),
      flushMs: 50,
      onError: (err) =>
        deps.logger.error('facts log write failed; will rewrite it', { error: err.message }),
    });
  }

  async open(): Promise<ReplayStats> {
    const { records, stats } = await this.log.open();
    for (const c of [...records.values()].sort((a, b) => a.seq - b.seq)) {
      this.historyOf(c.agentId, c.fact.id).push(c);
      this.lastReport.set(c.agentId, Math.max(this.lastReport.get(c.agentId) ?? 0, c.receivedAt));
      this.seq = c.seq;
    }
    if (stats.corrupt > 0 || stats.invalid > 0)
      this.deps.logger.warn('facts log lines skipped', {
        corrupt: stats.corrupt,
        invalid: stats.invalid,
      });
    return stats;
  }

  /**
   * An agent's facts arrived. A changed value is a new history line; the same value only
   * refreshes the latest line's collection time. Resolves once durable. Returns how many changed.
   */
  record(
    agentId: string,
    facts: readonly PostureFact[],
  ): { changed: number; durable: Promise<void> } {
    const now = this.deps.clock.now();
    this.lastReport.set(agentId, now);
    const writes: Promise<void>[] = [];
    let changed = 0;
    for (const fact of facts) {
      const history = this.historyOf(agentId, fact.id);
      const latest = history.at(-1);
      if (latest && sameFact(latest.fact, fact)) {
        if (fact.collectedAt <= latest.fact.collectedAt) continue;
        latest.fact = { ...latest.fact, collectedAt: fact.collectedAt, evidence: fact.evidence };
        writes.push(this.log.upsert(keyOf(latest.seq), latest));
        continue;
      }
      changed++;
      const change: FactChange = { seq: ++this.seq, agentId, receivedAt: now, fact };
      history.push(change);
      writes.push(this.log.upsert(keyOf(change.seq), change));
      while (history.length > this.historyPerFact)
        writes.push(this.log.delete(keyOf(history.shift()!.seq)));
    }
    return { changed, durable: Promise.all(writes).then(() => {}) };
  }

  /** The agent's latest facts, by id. */
  latest(agentId: string): Map<string, PostureFact> {
    const out = new Map<string, PostureFact>();
    for (const [id, history] of this.byAgent.get(agentId) ?? []) {
      const last = history.at(-1);
      if (last) out.set(id, last.fact);
    }
    return out;
  }

  /** When the agent last sent facts (console time), or null if it never did. */
  reportedAt(agentId: string): number | null {
    return this.lastReport.get(agentId) ?? null;
  }

  /** The changes of one agent's fact (or all its facts), oldest first. */
  history(agentId: string, factId?: string): FactChange[] {
    const facts = this.byAgent.get(agentId);
    if (!facts) return [];
    if (factId !== undefined) return [...(facts.get(factId) ?? [])];
    return [...facts.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private historyOf(agentId: string, factId: string): FactChange[] {
    let facts = this.byAgent.get(agentId);
    if (!facts) this.byAgent.set(agentId, (facts = new Map()));
    let history = facts.get(factId);
    if (!history) facts.set(factId, (history = []));
    return history;
  }
}

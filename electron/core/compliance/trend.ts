// The compliance trend: each day's pass ratio per framework (the day's last evaluation, UTC),
// kept in <data-dir>/compliance-trend.ndjson (a RecordLog keyed by day), at most `maxDays`.
import { join } from 'node:path';
import {
  FRAMEWORKS,
  type ComplianceTrendPoint,
  type FrameworkScorecard,
} from '../../../shared/compliance.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog } from '../state/record-log.js';

export const TREND_FILE = 'compliance-trend.ndjson';

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function isPoint(raw: unknown): raw is ComplianceTrendPoint {
  if (typeof raw !== 'object' || raw === null) return false;
  const p = raw as Record<string, unknown>;
  return (
    typeof p.day === 'string' &&
    typeof p.at === 'number' &&
    typeof p.ratios === 'object' &&
    p.ratios !== null
  );
}

export class ComplianceTrend {
  private readonly log: RecordLog<ComplianceTrendPoint>;
  private readonly points = new Map<string, ComplianceTrendPoint>();

  constructor(
    dataDir: string,
    private readonly deps: { clock: Clock; logger: Logger },
    private readonly maxDays = 400,
  ) {
    this.log = new RecordLog<ComplianceTrendPoint>({
      path: join(dataDir, TREND_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isPoint(raw) && raw.day === key ? raw : null),
      onError: (err) =>
        deps.logger.error('compliance trend write failed; will rewrite it', {
          error: err.message,
        }),
    });
  }

  async open(): Promise<void> {
    const { records } = await this.log.open();
    for (const [day, p] of records) this.points.set(day, p);
  }

  /** Today's point becomes these scorecards' ratios. Resolves once durable. */
  record(scorecards: readonly FrameworkScorecard[]): Promise<void> {
    const point = this.pointOf(scorecards);
    this.points.set(point.day, point);
    const writes = [this.log.upsert(point.day, point)];
    const days = [...this.points.keys()].sort();
    for (const old of days.slice(0, Math.max(0, days.length - this.maxDays))) {
      this.points.delete(old);
      writes.push(this.log.delete(old));
    }
    return Promise.all(writes).then(() => {});
  }

  /** Oldest first, today's point being these scorecards' (not stored: `record` stores). */
  listWithToday(scorecards: readonly FrameworkScorecard[]): ComplianceTrendPoint[] {
    const today = this.pointOf(scorecards);
    return [...this.list().filter((p) => p.day !== today.day), today];
  }

  private pointOf(scorecards: readonly FrameworkScorecard[]): ComplianceTrendPoint {
    const at = this.deps.clock.now();
    const ratios: ComplianceTrendPoint['ratios'] = {};
    for (const f of FRAMEWORKS)
      ratios[f] = scorecards.find((s) => s.framework === f)?.ratio ?? null;
    return { day: dayOf(at), at, ratios };
  }

  /** Oldest first. */
  list(): ComplianceTrendPoint[] {
    return [...this.points.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

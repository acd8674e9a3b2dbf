// The incident log: <data-dir>/incidents.ndjson, a RecordLog keyed by incident id (append-only
// lines, compacted when dead lines outweigh live ones), so timelines outlive resolution and a
// restart without being rewritten inside state.json. Changes are written on a debounce (an
// outage adds hundreds of alerts to one incident within seconds). Bounded: resolved incidents
// older than the retention go, and past the size bound the oldest resolved ones go first.
import { join } from 'node:path';
import type { Incident } from '../../../shared/incidents.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { RecordLog, type ReplayStats } from '../state/record-log.js';

export const INCIDENT_LOG_FILE = 'incidents.ndjson';

export interface IncidentLogOptions {
  /** Resolved incidents are kept this long after resolution. */
  retentionMs: number;
  /** The file's live records stay under this; the oldest resolved incidents go first. */
  maxBytes: number;
  debounceMs: number;
}

export interface IncidentLogDeps {
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** The live incident for an id, read when a debounced write goes out. */
  lookup(id: string): Incident | undefined;
}

function isIncident(raw: unknown, key: string): raw is Incident {
  const i = raw as Partial<Incident> | null;
  return (
    typeof i === 'object' &&
    i !== null &&
    i.id === key &&
    typeof i.title === 'string' &&
    typeof i.openedAt === 'number' &&
    (i.state === 'open' || i.state === 'acknowledged' || i.state === 'resolved') &&
    Array.isArray(i.alerts) &&
    Array.isArray(i.timeline)
  );
}

export class IncidentLog {
  private readonly log: RecordLog<Incident>;
  private readonly dirty = new Set<string>();
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly deps: IncidentLogDeps,
    private readonly opts: IncidentLogOptions,
  ) {
    this.log = new RecordLog<Incident>({
      path: join(deps.dataDir, INCIDENT_LOG_FILE),
      clock: deps.clock,
      parse: (raw, key) => (isIncident(raw, key) ? raw : null),
      onError: (err) =>
        deps.logger.error('incident log write failed; will rewrite it', { error: err.message }),
    });
  }

  get path(): string {
    return this.log.path;
  }

  get bytes(): { file: number; live: number } {
    return this.log.bytes;
  }

  async open(): Promise<{ incidents: Incident[]; stats: ReplayStats }> {
    const { records, stats } = await this.log.open();
    return { incidents: [...records.values()], stats };
  }

  /** The incident changed: written within the debounce. */
  changed(id: string): void {
    if (this.closed) return;
    this.dirty.add(id);
    this.timer ??= this.deps.clock.setTimeout(() => this.writeDirty(), this.opts.debounceMs);
  }

  /**
   * Incidents to drop: resolved longer ago than the retention, then the oldest resolved until
   * the live bytes fit the bound. Returns their ids; the caller forgets them too.
   */
  prune(all: Iterable<Incident>): string[] {
    const now = this.deps.clock.now();
    const resolved = [...all]
      .filter((i) => i.state === 'resolved')
      .sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0));
    const drop: string[] = [];
    let live = this.log.bytes.live;
    for (const i of resolved) {
      const expired = now - (i.resolvedAt ?? 0) > this.opts.retentionMs;
      if (!expired && live <= this.opts.maxBytes) break;
      drop.push(i.id);
      // Roughly what its line weighs (the log knows only the total).
      live -= JSON.stringify(i).length + 16;
    }
    for (const id of drop) {
      this.dirty.delete(id);
      void this.log.delete(id);
    }
    return drop;
  }

  /** Write what waits, then close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.writeDirty();
    this.closed = true;
    try {
      await this.log.close();
    } catch (err) {
      this.deps.logger.error('incident log: last write failed', { error: (err as Error).message });
    }
  }

  /** Resolves once everything changed so far is durable. */
  async flush(): Promise<void> {
    this.writeDirty();
    await this.log.flush();
  }

  private writeDirty(): void {
    this.timer?.cancel();
    this.timer = null;
    for (const id of this.dirty) {
      const incident = this.deps.lookup(id);
      if (incident) void this.log.upsert(id, incident);
    }
    this.dirty.clear();
  }
}

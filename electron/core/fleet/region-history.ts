import type { Sample } from '../../../shared/protocol.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { MetricStore } from '../store/metric-store.js';
import type { Fleet } from './fleet.js';

/**
 * Who owns the console's own series in the metric store. Agent ids start with a letter or a
 * digit (shared/protocol.ts), so no agent can write into these.
 */
export const CONSOLE_SERIES_OWNER = '_console';
export const REGION_ONLINE_METRIC = 'meridian_region_agents_online';
export const REGION_REGISTERED_METRIC = 'meridian_region_agents_registered';
/** The console's own series, kept out of the metric list an operator picks from. */
export const INTERNAL_METRICS: ReadonlySet<string> = new Set([
  REGION_ONLINE_METRIC,
  REGION_REGISTERED_METRIC,
]);

/**
 * A point at least this often while nothing changes. No more than a 1-minute rollup bucket
 * apart, so every bucket holds one, and a reader can carry the last value across finer steps.
 */
export const REGION_HISTORY_HEARTBEAT_MS = 60_000;
/** Changes within this long become one point: a reconnect storm is one step, not hundreds. */
export const REGION_HISTORY_COALESCE_MS = 1_000;

interface Written {
  online: number;
  registered: number;
}

/**
 * Records each region's agents online and registered as series in the metric store, on every
 * change (coalesced over a second) and once a minute, so that the region page can show its
 * health over time. The store gives them what agent series have: the WAL (they survive a
 * crash), 1-minute and 1-hour rollups with min/max, retention and the disk budget. The cost is
 * two samples per region per minute while nothing changes.
 */
export class RegionHistoryRecorder {
  private readonly written = new Map<string, Written>();
  private heartbeat: TimerHandle | null = null;
  private pending: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: {
      clock: Clock;
      fleet: Pick<Fleet, 'regions'>;
      events: CoreEvents;
      store: Pick<MetricStore, 'append'>;
      logger: Logger;
    },
  ) {}

  /** Call once the store is open. */
  start(): void {
    this.record(true);
    this.heartbeat = this.deps.clock.setInterval(
      () => this.record(true),
      REGION_HISTORY_HEARTBEAT_MS,
    );
    this.unsubscribe = this.deps.events.on('region.changed', ({ region }) => {
      const last = this.written.get(region.id);
      if (last && last.online === region.onlineCount && last.registered === region.agentCount)
        return;
      this.pending ??= this.deps.clock.setTimeout(() => {
        this.pending = null;
        this.record(false);
      }, REGION_HISTORY_COALESCE_MS);
    });
  }

  /** Write a last point (a clean stop is not a gap) and stop; call before the store closes. */
  stop(): void {
    if (!this.heartbeat) return;
    this.unsubscribe?.();
    this.heartbeat?.cancel();
    this.pending?.cancel();
    this.unsubscribe = this.heartbeat = this.pending = null;
    this.record(false);
  }

  /** Write the regions whose counts changed since their last point (all of them if `all`). */
  private record(all: boolean): void {
    const ts = this.deps.clock.now();
    for (const region of this.deps.fleet.regions()) {
      const last = this.written.get(region.id);
      const now: Written = { online: region.onlineCount, registered: region.agentCount };
      // A region that never had an agent has no history to keep (its health is 1 by definition).
      if (!last && now.registered === 0) continue;
      if (!all && last && last.online === now.online && last.registered === now.registered)
        continue;
      this.written.set(region.id, now);
      const labels = { region: region.id };
      const samples: Sample[] = [
        {
          name: REGION_ONLINE_METRIC,
          value: now.online,
          ts,
          unit: 'agents',
          kind: 'gauge',
          labels,
        },
        {
          name: REGION_REGISTERED_METRIC,
          value: now.registered,
          ts,
          unit: 'agents',
          kind: 'gauge',
          labels,
        },
      ];
      const { durable } = this.deps.store.append(CONSOLE_SERIES_OWNER, samples);
      // A failed WAL write is the storage health's to report (it raises the console alert);
      // the next point is written regardless.
      durable.catch((err: unknown) =>
        this.deps.logger.debug('region history point not durable', { error: String(err) }),
      );
    }
  }
}

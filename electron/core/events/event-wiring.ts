// The event log as the core uses it: built from config, its figures on /metrics, and the
// one-time move of the events state.json used to hold. Kept out of core.ts.
import { Gauge, type Registry } from 'prom-client';
import type { StoredEvent } from '../../../shared/model.js';
import type { CoreConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { EventStore, type EventStoreDeps } from './event-store.js';

const DAY_MS = 86_400_000;

export function createEventStore(
  config: Pick<CoreConfig, 'dataDir' | 'eventRetentionDays' | 'eventMaxBytes' | 'walFlushMs'>,
  deps: EventStoreDeps & { registry: Registry },
): EventStore {
  const store = new EventStore(
    config.dataDir,
    {
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.observer ? { observer: deps.observer } : {}),
    },
    {
      retentionMs: config.eventRetentionDays * DAY_MS,
      maxBytes: config.eventMaxBytes,
      // Eight or more segments under the size bound, so dropping one frees little at a time.
      segmentBytes: Math.max(64 * 1024, Math.min(64 * 1024 * 1024, config.eventMaxBytes / 8)),
      flushMs: config.walFlushMs,
      textScanBudget: 200_000,
      dedupWindow: 100_000,
    },
  );
  registerEventMetrics(deps.registry, store);
  return store;
}

/** Open the log, then move state.json's old events into it (once); returns how many moved. */
export async function openEventStore(
  store: EventStore,
  legacy: readonly StoredEvent[],
  logger: Logger,
): Promise<number> {
  await store.open();
  const moved = await store.migrateFromState(legacy);
  if (moved > 0) logger.info('events moved from state.json into the event log', { events: moved });
  return moved;
}

function registerEventMetrics(registry: Registry, store: EventStore): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const c = store.counters;
  gauge('meridian_event_log_events', 'Agent events held in the event log.', () => store.eventCount);
  gauge('meridian_event_log_bytes', 'Bytes of the event log segments.', () => store.bytes);
  gauge('meridian_event_log_segments', 'Segment files of the event log.', () => store.segmentCount);
  gauge(
    'meridian_event_log_index_bytes',
    'Memory held by the event index (columns and posting lists).',
    () => store.indexBytes(),
  );
  gauge(
    'meridian_event_log_replay_torn_lines',
    'Torn last lines (a write a crash cut short) skipped and cut off when the log was opened.',
    () => c.tornLines,
  );
  gauge(
    'meridian_event_log_replay_corrupt_lines',
    'Lines failing their checksum, skipped when the log was opened.',
    () => c.corruptLines,
  );
  gauge(
    'meridian_event_log_duplicates',
    'Events not stored again since start (a batch resent after a lost ack).',
    () => c.duplicates,
  );
  gauge(
    'meridian_event_log_write_failures',
    'Failed group commits since start (their batches were not acked).',
    () => c.writeFailures,
  );
  new Gauge({
    name: 'meridian_event_log_dropped_events',
    help: 'Events dropped by retention since start, whole segments at a time, by reason (age, size).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.set({ reason: 'age' }, c.droppedEvents.age);
      this.set({ reason: 'size' }, c.droppedEvents.size);
    },
  });
}

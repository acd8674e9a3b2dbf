// A relay's store-and-forward queue, in `<state-dir>/queue/`: every batch its agents send is
// appended (fsynced) before the agent gets its ack, and stays until the console has acked it
// upstream. The same segment queue as the remote-write sender's. A line holds the entries that
// arrived in one turn of the event loop (up to MAX_GROUP), compressed together: a WAN cut of
// hours is held in a fraction of the disk plain JSON would take.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RelayEntry } from '../../../../shared/relay-protocol.js';
import type { Logger } from '../../logger.js';
import {
  DEFAULT_QUEUE_OPTIONS,
  SegmentQueue,
  type QueueCodec,
  type QueueOptions,
} from '../../queue/segment-queue.js';

/** Entries in one queue line at most. */
export const MAX_GROUP = 500;

/** Samples or events in an entry (a facts message or an action result counts one). */
export function entryUnits(entry: RelayEntry): number {
  const m = entry.message;
  return m.type === 'metrics' ? m.samples.length : m.type === 'events' ? m.events.length : 1;
}

function oldestTs(entry: RelayEntry): number {
  const m = entry.message;
  let min = Infinity;
  if (m.type === 'metrics') for (const s of m.samples) min = Math.min(min, s.ts);
  else if (m.type === 'events') for (const e of m.events) min = Math.min(min, e.ts);
  else if (m.type === 'facts') for (const f of m.facts) min = Math.min(min, f.collectedAt);
  // An action result holds no sample: it does not make the queue's data look older.
  return min;
}

const groupCodec: QueueCodec<RelayEntry[]> = {
  encode: (entries) => {
    let units = 0;
    let minTs = Infinity;
    for (const e of entries) {
      units += Math.max(1, entryUnits(e));
      minTs = Math.min(minTs, oldestTs(e));
    }
    // Level 1: most of the gain on this repetitive JSON, for little CPU in the ack's path.
    const packed = deflateRawSync(Buffer.from(JSON.stringify(entries)), { level: 1 });
    return {
      units,
      minTs: Number.isFinite(minTs) ? minTs : 0,
      json: JSON.stringify(packed.toString('base64')),
    };
  },
  decode: (raw) => {
    if (typeof raw !== 'string') return null;
    const entries = JSON.parse(
      inflateRawSync(Buffer.from(raw, 'base64')).toString('utf8'),
    ) as unknown;
    if (!Array.isArray(entries)) return null;
    for (const e of entries as RelayEntry[])
      if (typeof e?.agentId !== 'string' || typeof e.message !== 'object') return null;
    return entries as RelayEntry[];
  },
};

export class RelayQueue extends SegmentQueue<RelayEntry[]> {
  private group: { entries: RelayEntry[]; done: Promise<void> } | null = null;

  constructor(dir: string, logger: Logger, opts: QueueOptions = DEFAULT_QUEUE_OPTIONS) {
    super(dir, logger, groupCodec, opts, 'relay queue');
  }

  /**
   * Queue one agent's message; resolves once it is on disk. Entries of the same turn of the
   * event loop share a line (and its compression), and the group commit after it.
   */
  enqueue(entry: RelayEntry): Promise<void> {
    if (this.group && this.group.entries.length < MAX_GROUP) {
      this.group.entries.push(entry);
      return this.group.done;
    }
    const entries = [entry];
    const done = new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        if (this.group?.entries === entries) this.group = null;
        this.append(entries).then(resolve, reject);
      }),
    );
    this.group = { entries, done };
    return done;
  }
}

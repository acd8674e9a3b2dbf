// A relay's store-and-forward queue, in `<state-dir>/queue/`: every batch its agents send is
// appended (fsynced) before the agent gets its ack, and stays until the console has acked it
// upstream. The same segment queue as the remote-write sender's; a line holds one agent's
// message as the agent sent it.
import type { RelayEntry } from '../../../../shared/relay-protocol.js';
import type { Logger } from '../../logger.js';
import {
  DEFAULT_QUEUE_OPTIONS,
  SegmentQueue,
  type QueueCodec,
  type QueueOptions,
} from '../../queue/segment-queue.js';

/** Samples or events in an entry (a facts message counts one). */
export function entryUnits(entry: RelayEntry): number {
  const m = entry.message;
  return m.type === 'metrics' ? m.samples.length : m.type === 'events' ? m.events.length : 1;
}

function oldestTs(entry: RelayEntry): number {
  const m = entry.message;
  let min = Infinity;
  if (m.type === 'metrics') for (const s of m.samples) min = Math.min(min, s.ts);
  else if (m.type === 'events') for (const e of m.events) min = Math.min(min, e.ts);
  else for (const f of m.facts) min = Math.min(min, f.collectedAt);
  return Number.isFinite(min) ? min : 0;
}

const entryCodec: QueueCodec<RelayEntry> = {
  encode: (entry) => ({
    units: Math.max(1, entryUnits(entry)),
    minTs: oldestTs(entry),
    json: JSON.stringify(entry),
  }),
  decode: (raw) => {
    const e = raw as RelayEntry | null;
    return e && typeof e.agentId === 'string' && typeof e.message === 'object' ? e : null;
  },
};

export class RelayQueue extends SegmentQueue<RelayEntry> {
  constructor(dir: string, logger: Logger, opts: QueueOptions = DEFAULT_QUEUE_OPTIONS) {
    super(dir, logger, entryCodec, opts, 'relay queue');
  }
}

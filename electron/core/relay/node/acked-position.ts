// How far the console has acked a relay's queue: `upstream.pos` on disk, written one fsync at a
// time (acks arrive faster than fsyncs at catch-up; a crash before a write only means
// resending what the console already has), with the queue's segments behind it deleted. And
// the way past a batch the console keeps refusing.
import type { Logger } from '../../logger.js';
import type { CursorFile } from '../../queue/cursor-file.js';
import { comparePositions, type QueuePosition } from '../../queue/segment-index.js';
import type { QueueRead } from '../../queue/segment-queue.js';
import type { RelayEntry } from '../../../../shared/relay-protocol.js';
import type { RelayQueue } from './relay-queue.js';

/** Closes at the same position before the batch there is dropped. */
const REFUSALS_BEFORE_DROP = 3;

export class AckedPosition {
  at: QueuePosition = { segment: 0, offset: 0 };
  /** Samples and events dropped past refused batches since start. */
  dropped = 0;
  private saving = false;
  private dirty = false;
  private refusedAt: { at: QueuePosition; count: number } | null = null;

  constructor(
    private readonly cursor: CursorFile,
    private readonly queue: RelayQueue,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<QueuePosition> {
    this.at = (await this.cursor.load()) ?? this.queue.oldest;
    return this.at;
  }

  /** The console acked up to `to`. */
  advance(to: QueuePosition): void {
    this.at = to;
    this.save();
  }

  /**
   * The console closed the link over a frame it refuses. Resending the same batch would be
   * refused again and hold back everything after it: after three such closes at the same
   * position, the batch there (as `readBatch` reads it) is dropped, counted and logged.
   * Resolves with the new position when it moved.
   */
  async refused(
    why: { code: number; reason: string },
    readBatch: (from: QueuePosition) => Promise<QueueRead<RelayEntry[]> | null>,
  ): Promise<QueuePosition | null> {
    const same = this.refusedAt && comparePositions(this.refusedAt.at, this.at) === 0;
    this.refusedAt = { at: this.at, count: same ? this.refusedAt!.count + 1 : 1 };
    if (this.refusedAt.count < REFUSALS_BEFORE_DROP) return null;
    this.refusedAt = null;
    const read = await readBatch(this.at).catch(() => null);
    if (!read) return null;
    this.dropped += read.samples;
    this.advance(read.next);
    this.logger.error('a batch the console keeps refusing was dropped', {
      ...why,
      samplesOrEvents: read.samples,
    });
    return read.next;
  }

  private save(): void {
    if (this.saving) {
      this.dirty = true;
      return;
    }
    this.saving = true;
    this.dirty = false;
    const at = this.at;
    void this.cursor
      .save(at)
      .then(() => this.queue.release([at]))
      .catch((err: Error) => this.logger.error('relay cursor write failed', { error: err.message }))
      .finally(() => {
        this.saving = false;
        if (this.dirty) this.save();
      });
  }
}

// The relay link's binary frames: a `relay_batch` as JSON, raw DEFLATE. Compressed by the
// relay to save WAN bandwidth (JSON batches of one region's samples shrink about tenfold);
// inflated by the console with a cap on the output, so a small frame cannot expand into
// gigabytes (a zip bomb is refused, not buffered).
//
// Synchronous on purpose: zlib's async calls run on libuv's thread pool, which the WAL's and the
// queue's fsyncs also occupy; on a busy disk a batch waited seconds there for a thread, and an
// alert with it. A batch (at most a few thousand samples) deflates in milliseconds.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MAX_RELAY_BATCH_BYTES, type RelayBatch } from '../../../shared/relay-protocol.js';

/** zlib level 6 (its default): most of level 9's ratio for a third of its CPU. */
export function encodeRelayBatch(batch: RelayBatch): Buffer {
  return deflateRawSync(Buffer.from(JSON.stringify(batch)), { level: 6 });
}

export class RelayFrameError extends Error {}

/** The frame's JSON text; throws RelayFrameError when it does not inflate or inflates too far. */
export function inflateRelayFrame(frame: Buffer, maxBytes = MAX_RELAY_BATCH_BYTES): string {
  try {
    return inflateRawSync(frame, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new RelayFrameError(
      tooBig ? `inflates past ${maxBytes} bytes` : `not raw DEFLATE: ${(err as Error).message}`,
    );
  }
}

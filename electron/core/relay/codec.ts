// The relay link's binary frames: a `relay_batch` as JSON, raw DEFLATE. Compressed by the
// relay to save WAN bandwidth (JSON batches of one region's samples shrink about tenfold);
// inflated by the console with a cap on the output, so a small frame cannot expand into
// gigabytes (a zip bomb is refused, not buffered).
import { deflateRaw, inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { MAX_RELAY_BATCH_BYTES, type RelayBatch } from '../../../shared/relay-protocol.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** zlib level 6 (its default): most of level 9's ratio for a third of its CPU. */
export function encodeRelayBatch(batch: RelayBatch): Promise<Buffer> {
  return deflate(Buffer.from(JSON.stringify(batch)), { level: 6 });
}

export class RelayFrameError extends Error {}

/** The frame's JSON text; throws RelayFrameError when it does not inflate or inflates too far. */
export async function inflateRelayFrame(
  frame: Buffer,
  maxBytes = MAX_RELAY_BATCH_BYTES,
): Promise<string> {
  try {
    return (await inflate(frame, { maxOutputLength: maxBytes })).toString('utf8');
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new RelayFrameError(
      tooBig ? `inflates past ${maxBytes} bytes` : `not raw DEFLATE: ${(err as Error).message}`,
    );
  }
}

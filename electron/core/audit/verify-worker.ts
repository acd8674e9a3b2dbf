// The worker thread of `meridian audit verify`'s parallel check: one range per message, the
// work is in verify-chunk.ts.
import { parentPort } from 'node:worker_threads';
import { verifyChunk, type ChunkRequest } from './verify-chunk.js';

parentPort!.on('message', (req: ChunkRequest) => {
  verifyChunk(req).then(
    (result) => parentPort!.postMessage({ result }),
    (err: unknown) => parentPort!.postMessage({ error: String(err) }),
  );
});

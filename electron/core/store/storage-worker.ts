// The storage worker thread: writes flushes and compacts block files, off the ingest thread.
// All logic is in compactor.ts; this file only carries messages.
import { parentPort, workerData } from 'node:worker_threads';
import { maintain, removeBlocks, type CompactorOptions } from './compactor.js';
import { writeFlush } from './flush-writer.js';
import { unpackFlush, type PackedFlush } from './flush-pack.js';

const { dir, opts } = workerData as { dir: string; opts: CompactorOptions };

interface Request {
  id: number;
  op: 'flush' | 'maintain' | 'remove';
  args: { seq: number; packed: PackedFlush } & {
    now: number;
    otherBytes: number;
    sketched: number[];
  } & {
    names: string[];
  };
}

parentPort!.on('message', (m: Request) => {
  const run =
    m.op === 'flush'
      ? writeFlush(dir, m.args.seq, unpackFlush(m.args.packed))
      : m.op === 'remove'
        ? removeBlocks(dir, m.args.names)
        : maintain(
            dir,
            m.args.now,
            { ...opts, sketched: new Set(m.args.sketched) },
            m.args.otherBytes,
          );
  run.then(
    (result) => parentPort!.postMessage({ id: m.id, ok: true, result }),
    (err: NodeJS.ErrnoException) =>
      parentPort!.postMessage({
        id: m.id,
        ok: false,
        error: { message: err.message, ...(err.code ? { code: err.code } : {}) },
      }),
  );
});

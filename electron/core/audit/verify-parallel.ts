// `meridian audit verify` over a big audit.ndjson: the file cut into byte ranges, each range's
// lines hashed and linked in a worker thread (verify-chunk.ts), then the joints between the
// ranges checked here. The chain is sequential, but every line's hash input is the line
// itself, so the hashing (most of the work) need not be. An intact chain gives the result the
// sequential check gives; anything else (a break, a checkpoint that does not match) runs the
// sequential check (verify-chain.ts), which names the first broken line: the result and its
// messages are the same either way.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AuditVerifyResult } from '../../../shared/audit.js';
import { GENESIS_PREV } from './chain-format.js';
import { verifyChain, type VerifyOptions } from './verify-chain.js';
import type { ChunkRequest, ChunkResult } from './verify-chunk.js';

const WORKER_URL = new URL('./verify-worker.js', import.meta.url);
/** Below this a worker's start costs more than it saves. */
const MIN_PARALLEL_BYTES = 16 * 1024 * 1024;

export interface ParallelOptions extends VerifyOptions {
  /** Worker threads (default: the cores, at least 4, at most 8). */
  workers?: number;
  /** A smaller file is checked sequentially (default 16 MiB). */
  minParallelBytes?: number;
  /** The compiled worker script; default verify-worker.js beside this file. */
  workerUrl?: URL;
}

export async function verifyChainParallel(
  path: string,
  opts: ParallelOptions,
): Promise<AuditVerifyResult> {
  const started = opts.clock.monotonic();
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  const limit = Math.min(size, opts.endByte ?? size);
  // At least 4 even on 2 cores: on a machine busy with other work, a check with more threads
  // than cores gets a fairer share of it (the operator is waiting for the answer).
  const workers = opts.workers ?? Math.min(8, Math.max(4, availableParallelism()));
  if (limit < (opts.minParallelBytes ?? MIN_PARALLEL_BYTES) || workers < 2 || opts.signal)
    return verifyChain(path, opts);
  const cp = opts.checkpoint ?? null;
  // More ranges than workers, so a worker slowed by a busy core holds up less of the rest.
  const ranges = workers * 4;
  const step = Math.ceil(limit / ranges);
  const requests: ChunkRequest[] = Array.from({ length: ranges }, (_, i) => ({
    path,
    start: i * step,
    end: Math.min(limit, (i + 1) * step),
    limit,
    checkpointSeq: cp?.seq ?? 0,
  })).filter((r) => r.start < r.end);
  const results = await runInWorkers(requests, workers, opts.workerUrl ?? WORKER_URL);
  const joined = join(results, cp);
  if (!joined) {
    const r = await verifyChain(path, opts);
    return { ...r, durationMs: Math.round(opts.clock.monotonic() - started) };
  }
  return {
    ok: joined.segments === 0,
    records: joined.lines,
    firstBreak: null,
    recordedBreaks: joined.segments,
    unrecordedBreak: null,
    head: joined.head,
    checkedAt: opts.clock.now(),
    durationMs: Math.round(opts.clock.monotonic() - started),
  };
}

/** The ranges joined into one intact chain, or null when anything does not hold. */
function join(results: readonly ChunkResult[], cp: { seq: number; hash: string } | null) {
  let lines = 0;
  let segments = 0;
  let head = { seq: 0, hash: GENESIS_PREV };
  let checkpointHash: string | null = null;
  for (const r of results) {
    if (!r.ok) return null;
    if (!r.first || !r.last) continue;
    if (r.first.seq !== head.seq + 1 || r.first.prev !== head.hash) return null;
    lines += r.lines;
    segments += r.segments;
    head = r.last;
    checkpointHash ??= r.checkpointHash;
  }
  // The checkpoint is past the end (truncated) or hashes otherwise (rewritten): the
  // sequential check says which.
  if (cp && cp.seq > 0 && (head.seq < cp.seq || checkpointHash !== cp.hash)) return null;
  return { lines, segments, head };
}

/** Each request in the next free worker; results in request order. */
async function runInWorkers(requests: readonly ChunkRequest[], count: number, url: URL) {
  const results: ChunkResult[] = new Array<ChunkResult>(requests.length);
  let next = 0;
  const pool = Array.from({ length: Math.min(count, requests.length) }, () => new Worker(url));
  try {
    await Promise.all(
      pool.map(async (worker) => {
        while (next < requests.length) {
          const i = next++;
          results[i] = await ask(worker, requests[i]!);
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

function ask(worker: Worker, req: ChunkRequest): Promise<ChunkResult> {
  return new Promise((resolve, reject) => {
    const done = (m: { result?: ChunkResult; error?: string }) => {
      worker.off('error', reject);
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? 'audit verify worker failed'));
    };
    worker.once('message', done);
    worker.once('error', reject);
    worker.postMessage(req);
  });
}

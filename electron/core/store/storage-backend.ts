// Where block files are written and compacted: a worker thread (the compiled console), or the
// same thread (the same code, when running from TypeScript sources, as unit tests do, where a
// worker cannot load .ts files). Calls are queued: one operation at a time on the directory.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  maintain,
  removeBlocks,
  type BlockInfo,
  type CompactorOptions,
  type FlushSeries,
  type MaintainResult,
} from './compactor.js';
import { writeFlush } from './flush-writer.js';
import { packFlush, transferables } from './flush-pack.js';

export interface StorageBackend {
  readonly mode: 'thread' | 'inline';
  flush(seq: number, series: FlushSeries[]): Promise<BlockInfo | null>;
  /** `sketched`: the series whose rollups keep a sketch (CompactorOptions.sketched). */
  maintain(now: number, otherBytes: number, sketched?: readonly number[]): Promise<MaintainResult>;
  /** Delete files a maintenance pass took out of the set (after the reader let go of them). */
  remove(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export type BackendMode = 'auto' | 'thread' | 'inline';

const WORKER_URL = new URL('./storage-worker.js', import.meta.url);

export function createStorageBackend(
  dir: string,
  opts: CompactorOptions,
  mode: BackendMode = 'auto',
): StorageBackend {
  const thread = mode === 'thread' || (mode === 'auto' && existsSync(fileURLToPath(WORKER_URL)));
  return thread ? new ThreadBackend(dir, opts) : new InlineBackend(dir, opts);
}

class Queue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => {});
    return next;
  }
}

class InlineBackend implements StorageBackend {
  readonly mode = 'inline' as const;
  private readonly queue = new Queue();
  constructor(
    private readonly dir: string,
    private readonly opts: CompactorOptions,
  ) {}
  flush(seq: number, series: FlushSeries[]) {
    return this.queue.run(() => writeFlush(this.dir, seq, series));
  }
  maintain(now: number, otherBytes: number, sketched: readonly number[] = []) {
    const opts = { ...this.opts, sketched: new Set(sketched) };
    return this.queue.run(() => maintain(this.dir, now, opts, otherBytes));
  }
  remove(names: readonly string[]) {
    return this.queue.run(() => removeBlocks(this.dir, names));
  }
  async close() {
    await this.queue.run(async () => {});
  }
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { message: string; code?: string };
}

class ThreadBackend implements StorageBackend {
  readonly mode = 'thread' as const;
  private worker: Worker | null = null;
  private readonly waiting = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private readonly queue = new Queue();
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly opts: CompactorOptions,
  ) {}

  flush(seq: number, series: FlushSeries[]) {
    return this.queue.run(() => {
      const packed = packFlush(series);
      return this.call(
        'flush',
        { seq, packed },
        transferables(packed),
      ) as Promise<BlockInfo | null>;
    });
  }

  maintain(now: number, otherBytes: number, sketched: readonly number[] = []) {
    return this.queue.run(
      () => this.call('maintain', { now, otherBytes, sketched }) as Promise<MaintainResult>,
    );
  }

  remove(names: readonly string[]) {
    return this.queue.run(() => this.call('remove', { names }) as Promise<void>);
  }

  async close() {
    await this.queue.run(async () => {});
    this.closed = true;
    await this.worker?.terminate();
    this.worker = null;
  }

  /** The worker, started on first use and again after it died (its call fails; the next one works). */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_URL, {
      workerData: { dir: this.dir, opts: this.opts },
      // A small young generation: the worker's garbage is short-lived (one series at a time),
      // and its heap is resident memory of the console.
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.result);
      else
        w.reject(
          Object.assign(new Error(m.error?.message ?? 'storage worker failed'), {
            code: m.error?.code,
          }),
        );
    });
    const gone = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`storage worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private call(op: string, args: unknown, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('storage worker is closed'));
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, args }, transfer);
    });
  }
}

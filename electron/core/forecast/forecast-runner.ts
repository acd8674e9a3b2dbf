// Runs forecasts on a worker thread so the thread that owns ingest never spends a model fit's
// time. One worker (forecasts are a background job; the other core stays free), fed in
// chunks so a 10,000-series run never holds all its inputs in flight at once. A crashed
// worker fails the chunk it had and is replaced on the next call.
import { Worker } from 'node:worker_threads';
import type { ForecastOptions, ForecastResult, SeriesInput } from './types.js';

export interface ForecastJob {
  series: SeriesInput;
  options?: ForecastOptions;
}

export interface BatchRequest {
  id: number;
  jobs: { series: { timestamps: Float64Array; values: Float64Array }; options?: ForecastOptions }[];
}

export interface BatchResponse {
  id: number;
  results: ForecastResult[];
}

export interface ForecastRunnerOptions {
  /** Series per message to the worker; default 256. */
  chunkSize?: number;
  /** The compiled worker script; default forecast-worker.js beside this file. */
  workerUrl?: URL;
}

export class ForecastRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<
    number,
    { resolve: (r: ForecastResult[]) => void; reject: (e: Error) => void }
  >();
  private readonly chunkSize: number;
  private readonly workerUrl: URL;

  constructor(options: ForecastRunnerOptions = {}) {
    this.chunkSize = options.chunkSize ?? 256;
    this.workerUrl = options.workerUrl ?? new URL('./forecast-worker.js', import.meta.url);
  }

  /** Forecasts every job, in order; `onChunk` sees results as each chunk completes. */
  async forecastBatch(
    jobs: readonly ForecastJob[],
    onChunk?: (results: ForecastResult[], offset: number) => void,
  ): Promise<ForecastResult[]> {
    const all: ForecastResult[] = [];
    for (let offset = 0; offset < jobs.length; offset += this.chunkSize) {
      const chunk = jobs.slice(offset, offset + this.chunkSize);
      const results = await this.send(chunk);
      onChunk?.(results, offset);
      all.push(...results);
    }
    return all;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private send(chunk: readonly ForecastJob[]): Promise<ForecastResult[]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    const jobs = chunk.map((j) => {
      // Copies, so the caller's arrays stay usable; the copies move without a second copy.
      const timestamps = Float64Array.from(j.series.timestamps);
      const values = Float64Array.from(j.series.values);
      transfer.push(timestamps.buffer, values.buffer);
      return { series: { timestamps, values }, ...(j.options ? { options: j.options } : {}) };
    });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, jobs } satisfies BatchRequest, transfer);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl);
    worker.on('message', (res: BatchResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      // An idle worker must not keep the process alive (a CLI, a test, a stopping core).
      if (this.pending.size === 0) worker.unref();
      p?.resolve(res.results);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.pending.size > 0) fail(new Error(`forecast worker exited (code ${code})`));
      else if (this.worker === worker) this.worker = null;
    });
    this.worker = worker;
    return worker;
  }
}

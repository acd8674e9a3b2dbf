import type { ConsoleStats } from '../../shared/api.js';
import type { Clock } from './clock.js';

const RATE_WINDOW_S = 10;
const LATENCY_WINDOW = 1_000;

/**
 * Live figures for the console's KPI tiles: a sample rate over the last 10 s (per-second
 * buckets) and the p99 of recent sample → alert latencies (a ring of the last 1,000).
 */
export class LiveFigures {
  private readonly buckets = new Float64Array(RATE_WINDOW_S);
  private bucketSecond = 0;
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;

  constructor(private readonly clock: Clock) {
    this.bucketSecond = Math.floor(clock.now() / 1000);
  }

  addSamples(n: number): void {
    this.roll();
    this.buckets[this.bucketSecond % RATE_WINDOW_S]! += n;
  }

  addAlertLatency(ms: number): void {
    this.latencies[this.latencyCount++ % LATENCY_WINDOW] = ms;
  }

  samplesPerSecond(): number {
    this.roll();
    let sum = 0;
    // The current second is still filling: average the complete ones.
    for (let s = 1; s < RATE_WINDOW_S; s++)
      sum += this.buckets[(this.bucketSecond - s + RATE_WINDOW_S * 2) % RATE_WINDOW_S]!;
    return sum / (RATE_WINDOW_S - 1);
  }

  latencyP99(): number | null {
    const n = Math.min(this.latencyCount, LATENCY_WINDOW);
    if (n === 0) return null;
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)]!;
  }

  private roll(): void {
    const now = Math.floor(this.clock.now() / 1000);
    if (now === this.bucketSecond) return;
    const gap = Math.min(now - this.bucketSecond, RATE_WINDOW_S);
    for (let s = 1; s <= gap; s++) this.buckets[(this.bucketSecond + s) % RATE_WINDOW_S] = 0;
    this.bucketSecond = now;
  }
}

export type StatsSource = () => ConsoleStats;

// Repeated anomalous samples on one series are one episode (start, end, peak), not a storm:
// an episode opens at the first anomalous sample and closes once the series has been normal
// for both `quietSamples` samples and `quietMs` (both, so the rule holds for 1 s samples and
// for hourly rollups alike). Listeners hear of the opening and the closing only; the peak is
// kept up to date in place. State lives in one Float64Array (a row per series): no object per
// sample, nothing allocated on the hot path but the rare event.

export interface Episode {
  /** The detector's handle of the series. */
  handle: number;
  /** First anomalous sample. */
  start: number;
  /** Last anomalous sample so far (the end, once closed). */
  end: number;
  /** Highest score in the episode, and when. */
  peak: number;
  peakTs: number;
  /** Anomalous samples in it. */
  samples: number;
}

export interface EpisodeEvent extends Episode {
  phase: 'open' | 'close';
}

export interface EpisodeRules {
  quietSamples: number;
  quietMs: number;
}

const START = 0;
const LAST = 1;
const PEAK = 2;
const PEAK_TS = 3;
const COUNT = 4;
/** Normal samples since the last anomalous one. */
const NORMAL_RUN = 5;
const STRIDE = 6;

export class EpisodeBook {
  private rows = new Float64Array(0);

  constructor(
    private readonly rules: EpisodeRules,
    private readonly listener: ((e: EpisodeEvent) => void) | undefined,
  ) {}

  /** Room for handles below `n`; new rows have no episode open. */
  ensure(n: number): void {
    if (n * STRIDE <= this.rows.length) return;
    const grown = new Float64Array(Math.max(n, (this.rows.length / STRIDE) * 2, 16) * STRIDE);
    grown.set(this.rows);
    for (let i = this.rows.length + START; i < grown.length; i += STRIDE) grown[i] = NaN;
    this.rows = grown;
  }

  /** One scored sample of a warm series; whether an episode is open after it. */
  mark(handle: number, ts: number, score: number, anomalous: boolean): boolean {
    const r = this.rows;
    const b = handle * STRIDE;
    const open = r[b + START] === r[b + START]; // not NaN
    if (anomalous) {
      if (!open) {
        r[b + START] = ts;
        r[b + PEAK] = score;
        r[b + PEAK_TS] = ts;
        r[b + COUNT] = 0;
      } else if (score > r[b + PEAK]!) {
        r[b + PEAK] = score;
        r[b + PEAK_TS] = ts;
      }
      r[b + LAST] = ts;
      r[b + COUNT]! += 1;
      r[b + NORMAL_RUN] = 0;
      if (!open) this.emit(handle, 'open');
      return true;
    }
    if (!open) return false;
    r[b + NORMAL_RUN]! += 1;
    if (r[b + NORMAL_RUN]! >= this.rules.quietSamples && ts - r[b + LAST]! >= this.rules.quietMs) {
      this.close(handle);
      return false;
    }
    return true;
  }

  /** Close every open episode whose last anomalous sample is `quietMs` before `now`. */
  closeIdle(now: number, handles: number): void {
    for (let h = 0; h < handles; h++) {
      const b = h * STRIDE;
      if (
        this.rows[b + START] === this.rows[b + START] &&
        now - this.rows[b + LAST]! >= this.rules.quietMs
      ) {
        this.close(h);
      }
    }
  }

  open(handle: number): Episode | null {
    if (handle * STRIDE >= this.rows.length) return null;
    const start = this.rows[handle * STRIDE + START]!;
    return start === start ? this.read(handle) : null;
  }

  /** Forget a series' episode without an event (the series was dropped). */
  clear(handle: number): void {
    this.rows.fill(0, handle * STRIDE, (handle + 1) * STRIDE);
    this.rows[handle * STRIDE + START] = NaN;
  }

  private close(handle: number): void {
    this.emit(handle, 'close');
    this.rows[handle * STRIDE + START] = NaN;
  }

  private read(handle: number): Episode {
    const b = handle * STRIDE;
    const r = this.rows;
    return {
      handle,
      start: r[b + START]!,
      end: r[b + LAST]!,
      peak: r[b + PEAK]!,
      peakTs: r[b + PEAK_TS]!,
      samples: r[b + COUNT]!,
    };
  }

  private emit(handle: number, phase: EpisodeEvent['phase']): void {
    this.listener?.({ ...this.read(handle), phase });
  }
}

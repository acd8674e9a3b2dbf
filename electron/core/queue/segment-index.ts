// What a segment queue knows of each segment without reading it again: where every line
// ends and how many samples lie before it, so a destination's pending count and a dropped
// segment's loss are sums, not file reads.

export interface QueuePosition {
  segment: number;
  offset: number;
}

export class SegmentIndex {
  /** Byte offset just past each line. */
  readonly ends: number[] = [];
  /** Samples in lines 0..i. */
  readonly cumulative: number[] = [];

  get bytes(): number {
    return this.ends.at(-1) ?? 0;
  }

  get samples(): number {
    return this.cumulative.at(-1) ?? 0;
  }

  add(end: number, samples: number): void {
    this.ends.push(end);
    this.cumulative.push(this.samples + samples);
  }

  /** Samples in the lines that end at or before `offset`. */
  samplesBefore(offset: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.cumulative[lo - 1]!;
  }
}

/** Samples after `from`, over every segment the queue holds. */
export function samplesAfter(
  segments: ReadonlyMap<number, SegmentIndex>,
  from: QueuePosition,
): number {
  let n = 0;
  for (const [seq, index] of segments) {
    if (seq < from.segment) continue;
    n += index.samples - (seq === from.segment ? index.samplesBefore(from.offset) : 0);
  }
  return n;
}

export function comparePositions(a: QueuePosition, b: QueuePosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}

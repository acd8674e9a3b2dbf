import { basename, join } from 'node:path';
import { BlockReader, type BlockTier } from './block-file.js';
import { HOUR_MS } from './series.js';

/** A run of hours for which one rollup block is current. */
interface Coverage {
  start: number;
  end: number;
  block: BlockReader;
}

const hourOf = (ts: number) => ts - (ts % HOUR_MS);

/**
 * The block files the ingest thread reads from, by tier, with what is current for each hour:
 * per rollup tier, runs of hours and the block (highest seq) that holds them; per hour, the
 * newest flush not yet compacted into it. Rebuilt whenever the worker adds or removes files.
 */
export class BlockSet {
  private readonly byName = new Map<string, BlockReader>();
  private raw: BlockReader[] = [];
  private l0: BlockReader[] = [];
  private readonly coverage: Record<'raw' | '1m' | '1h', Coverage[]> = {
    raw: [],
    '1m': [],
    '1h': [],
  };
  /** Per hour start: the highest L0 seq holding samples of that hour. */
  private l0Seq = new Map<number, number>();

  constructor(readonly dir: string) {}

  /** Take new files in and let removed ones go (their descriptors are closed). */
  update(added: readonly string[], removed: readonly string[]): void {
    for (const name of removed) {
      this.byName.get(name)?.close();
      this.byName.delete(name);
    }
    for (const name of added) {
      if (this.byName.has(name) || removed.includes(name)) continue;
      this.byName.set(name, new BlockReader(join(this.dir, name)));
    }
    this.rebuild();
  }

  adopt(readers: readonly BlockReader[]): void {
    for (const r of readers) this.byName.set(basename(r.path), r);
    this.rebuild();
  }

  close(): void {
    for (const r of this.byName.values()) r.close();
    this.byName.clear();
    this.rebuild();
  }

  all(): BlockReader[] {
    return [...this.byName.values()];
  }

  tier(tier: BlockTier): BlockReader[] {
    return this.all().filter((b) => b.meta.tier === tier);
  }

  /** Blocks holding raw samples in [from, to): compacted hours first, then flushes by seq. */
  rawSources(from: number, to: number): BlockReader[] {
    const overlaps = (b: BlockReader) => b.records > 0 && b.minTs < to && b.maxTs >= from;
    return [...this.raw.filter(overlaps), ...this.l0.filter(overlaps)];
  }

  /** The current block of a rollup tier for the hour starting at `h`, if any. */
  current(tier: 'raw' | '1m' | '1h', h: number): BlockReader | null {
    const runs = this.coverage[tier];
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid]!.end <= h) lo = mid + 1;
      else hi = mid;
    }
    const run = runs[lo];
    return run && run.start <= h ? run.block : null;
  }

  /** True when a flush newer than `seq` holds samples of the hour starting at `h`. */
  newerFlush(h: number, seq: number): boolean {
    return (this.l0Seq.get(h) ?? -1) > seq;
  }

  private rebuild(): void {
    const all = this.all();
    this.raw = all.filter((b) => b.meta.tier === 'raw').sort((a, b) => a.meta.start - b.meta.start);
    this.l0 = all.filter((b) => b.meta.tier === 'l0').sort((a, b) => a.meta.seq - b.meta.seq);
    this.l0Seq = new Map();
    for (const b of this.l0) {
      if (b.records === 0) continue;
      for (let h = hourOf(b.minTs); h <= b.maxTs; h += HOUR_MS)
        this.l0Seq.set(h, Math.max(this.l0Seq.get(h) ?? -1, b.meta.seq));
    }
    for (const tier of ['raw', '1m', '1h'] as const) {
      // Hour by hour, the highest seq wins; consecutive hours with one winner form a run.
      const blocks = all.filter((b) => b.meta.tier === tier);
      const best = new Map<number, BlockReader>();
      for (const b of blocks) {
        for (let h = b.meta.start; h < b.meta.end; h += HOUR_MS) {
          const cur = best.get(h);
          if (!cur || b.meta.seq > cur.meta.seq) best.set(h, b);
        }
      }
      const runs: Coverage[] = [];
      for (const h of [...best.keys()].sort((a, b) => a - b)) {
        const block = best.get(h)!;
        const last = runs[runs.length - 1];
        if (last && last.block === block && last.end === h) last.end = h + HOUR_MS;
        else runs.push({ start: h, end: h + HOUR_MS, block });
      }
      this.coverage[tier] = runs;
    }
  }
}

// One string per distinct agent id, metric name, label key and label value, and one frozen
// object per distinct label set: every series of a metric holds the same name string, every
// series of an agent the same agent id, instead of the copy its first batch was parsed into.
import { seriesKey } from './series-key.js';

export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly labelSets = new Map<string, Readonly<Record<string, string>>>();

  string(s: string): string {
    const held = this.strings.get(s);
    if (held !== undefined) return held;
    this.strings.set(s, s);
    return s;
  }

  /** A frozen copy of `labels` with interned keys and values, shared by equal sets. */
  labels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const key = seriesKey('', labels);
    const held = this.labelSets.get(key);
    if (held) return held;
    const copy: Record<string, string> = {};
    for (const k of Object.keys(labels).sort()) copy[this.string(k)] = this.string(labels[k]!);
    Object.freeze(copy);
    this.labelSets.set(key, copy);
    return copy;
  }

  /** Distinct strings and label sets held. */
  get size(): { strings: number; labelSets: number } {
    return { strings: this.strings.size, labelSets: this.labelSets.size };
  }
}

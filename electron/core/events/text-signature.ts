// A text search's prefilter: per event, a 256-bit signature of the 4-grams of its message,
// source and attribute values (lower-cased, each field on its own, as the search compares
// them). A needle can only be in an event whose signature holds every bit of the needle's own
// 4-grams, so rows without them are skipped without reading their line from disk; the rows
// that pass are still checked on the line itself. A needle shorter than 4 characters has no
// 4-grams and filters nothing. 32 bytes an event; with about 150 grams an event, a needle of
// 8 grams passes a non-matching event about once in a thousand.
import type { StoredEvent } from '../../../shared/model.js';

/** 32-bit words per signature. */
export const SIGNATURE_WORDS = 8;
const GRAM = 4;

/** The text as the search compares it; plain ASCII without an allocation-heavy path. */
function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Anything but ASCII goes through the same toLowerCase the search uses (it may change
    // the length); ASCII upper case is handled below without it.
    if (c >= 0x80) return s.toLowerCase();
  }
  return s;
}

/** Set in `into` (starting at `at`) the bits of every 4-gram of `text`, lower-cased. */
export function addGrams(text: string, into: Uint32Array | number[], at: number): void {
  const s = lower(text);
  if (s.length < GRAM) return;
  const code = (i: number) => {
    const c = s.charCodeAt(i);
    return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  };
  let a = code(0);
  let b = code(1);
  let c = code(2);
  for (let i = GRAM - 1; i < s.length; i++) {
    const d = code(i);
    const bit = Math.imul((((a * 31 + b) * 31 + c) * 31 + d) | 0, 0x9e3779b1) >>> 24;
    into[at + (bit >>> 5)] = (into[at + (bit >>> 5)]! | (1 << (bit & 31))) >>> 0;
    a = b;
    b = c;
    c = d;
  }
}

/** The signature words of an event, appended to `out` (SIGNATURE_WORDS of them). */
export function eventSignature(e: StoredEvent, out: number[]): void {
  const at = out.length;
  for (let i = 0; i < SIGNATURE_WORDS; i++) out.push(0);
  addGrams(e.message, out, at);
  addGrams(e.source, out, at);
  for (const v of Object.values(e.attributes)) addGrams(String(v), out, at);
}

/** The bits a row must hold to possibly contain `needle` (lower-cased), or null: no filter. */
export function needleSignature(needle: string): Uint32Array | null {
  if (needle.length < GRAM) return null;
  const sig = new Uint32Array(SIGNATURE_WORDS);
  addGrams(needle, sig, 0);
  return sig;
}

/** Signatures of a segment's rows, in one growable typed array. */
export class SignatureColumn {
  private data = new Uint32Array(1024 * SIGNATURE_WORDS);
  private rows = 0;

  push(words: readonly number[], at: number): void {
    const need = (this.rows + 1) * SIGNATURE_WORDS;
    if (need > this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    const base = this.rows * SIGNATURE_WORDS;
    for (let i = 0; i < SIGNATURE_WORDS; i++) this.data[base + i] = words[at + i]!;
    this.rows++;
  }

  /** Whether the row holds every bit of `needle` (it may contain the text). */
  mayContain(row: number, needle: Uint32Array): boolean {
    const base = row * SIGNATURE_WORDS;
    for (let i = 0; i < SIGNATURE_WORDS; i++) {
      const want = needle[i]!;
      if ((this.data[base + i]! & want) >>> 0 !== want) return false;
    }
    return true;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}

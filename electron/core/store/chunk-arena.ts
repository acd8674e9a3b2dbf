// Closed chunks waiting for the next flush, copied end to end into large pages. A chunk of
// its own Uint8Array costs ~350 bytes of bookkeeping (typed array, ArrayBuffer, backing
// store) for ~300 bytes of samples; here it costs a small object, and a page is freed by the
// garbage collector once every chunk in it has been flushed (they are taken together).
import type { EncodedChunk } from './series.js';

const PAGE_BYTES = 256 * 1024;

/** A closed chunk in an arena page; `bytes` is a view made when read (flush, queries). */
export class ArenaChunk implements EncodedChunk {
  constructor(
    private readonly page: Uint8Array,
    private readonly start: number,
    private readonly length: number,
    readonly minTs: number,
    readonly maxTs: number,
    readonly rows: number,
  ) {}

  get bytes(): Uint8Array {
    return this.page.subarray(this.start, this.start + this.length);
  }
}

export class ChunkArena {
  private page: Uint8Array | null = null;
  private used = 0;
  /** Pages started (for tests and figures). */
  pages = 0;

  /**
   * Room for `length` bytes: the page and where in it. Call `commit` with the same length
   * once they are written.
   */
  reserve(length: number): { page: Uint8Array; at: number } {
    if (!this.page || this.used + length > this.page.length) {
      // A chunk larger than a page (it does not happen with CHUNK_ROWS rows) gets a page of its own.
      this.page = new Uint8Array(Math.max(PAGE_BYTES, length));
      this.used = 0;
      this.pages++;
    }
    return { page: this.page, at: this.used };
  }

  commit(length: number): void {
    this.used += length;
  }

  /** Copy `bytes` in. */
  add(bytes: Uint8Array, minTs: number, maxTs: number, rows: number): ArenaChunk {
    const { page, at } = this.reserve(bytes.length);
    page.set(bytes, at);
    this.commit(bytes.length);
    return new ArenaChunk(page, at, bytes.length, minTs, maxTs, rows);
  }
}

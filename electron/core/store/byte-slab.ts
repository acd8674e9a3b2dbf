// Growable byte cells carved out of large shared pages, for the head's open chunks. An open
// chunk of its own Uint8Array costs ~350 bytes of bookkeeping besides its data (the typed
// array and ArrayBuffer objects on the JS heap, the backing store and its allocation outside
// it), more than the ~300 bytes of samples a full chunk holds; 100,000 series held ~0.7 KB
// each that way. Here a cell is a number: cells of 16 << k bytes, a page of a size class
// holding many of them, freed cells reused before a page is added.

/** Cell sizes: 16, 32, … 16 << (CLASSES - 1) bytes (the largest, 512 KiB, far beyond a chunk). */
const CLASSES = 16;
const MIN_SHIFT = 4;
/** A page holds at least this many bytes (small cells) or this many cells (large ones). */
const PAGE_BYTES = 64 * 1024;
const MIN_CELLS_PER_PAGE = 4;

/** A cell handle: index within its class × CLASSES + class. */
export type Cell = number;

class SizeClass {
  readonly pages: Uint8Array[] = [];
  /** Freed cell indexes, reused first (a stack). */
  private free = new Int32Array(16);
  private freeCount = 0;
  private next = 0;
  readonly cellsPerPage: number;

  constructor(readonly size: number) {
    this.cellsPerPage = Math.max(MIN_CELLS_PER_PAGE, PAGE_BYTES / size);
  }

  take(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    const index = this.next++;
    if (index >= this.pages.length * this.cellsPerPage)
      this.pages.push(new Uint8Array(this.cellsPerPage * this.size));
    return index;
  }

  give(index: number): void {
    if (this.freeCount === this.free.length) {
      const grown = new Int32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freeCount++] = index;
    // Open chunks grow through the small classes together (a fleet starts at once), leaving
    // them empty: their pages go back then, not kept for series that may never come.
    if (this.freeCount === this.next) this.clear();
  }

  private clear(): void {
    this.pages.length = 0;
    this.free = new Int32Array(16);
    this.freeCount = 0;
    this.next = 0;
  }

  get cellsInUse(): number {
    return this.next - this.freeCount;
  }
}

export class ByteSlab {
  private readonly classes = Array.from(
    { length: CLASSES },
    (_, k) => new SizeClass(1 << (k + MIN_SHIFT)),
  );

  /** A cell of at least `bytes` bytes (its contents are not cleared). */
  alloc(bytes: number): Cell {
    let k = 0;
    while (k < CLASSES && 1 << (k + MIN_SHIFT) < bytes) k++;
    if (k === CLASSES) throw new RangeError(`a slab cell holds at most ${this.maxCellBytes} bytes`);
    return this.classes[k]!.take() * CLASSES + k;
  }

  free(cell: Cell): void {
    this.classes[cell % CLASSES]!.give(Math.floor(cell / CLASSES));
  }

  /** The page a cell is in; its bytes start at `offset(cell)`. */
  page(cell: Cell): Uint8Array {
    const c = this.classes[cell % CLASSES]!;
    return c.pages[Math.floor(Math.floor(cell / CLASSES) / c.cellsPerPage)]!;
  }

  offset(cell: Cell): number {
    const c = this.classes[cell % CLASSES]!;
    return (Math.floor(cell / CLASSES) % c.cellsPerPage) * c.size;
  }

  capacity(cell: Cell): number {
    return 1 << ((cell % CLASSES) + MIN_SHIFT);
  }

  /**
   * Move `used` bytes of `cell` into a cell of at least `bytes` and free the old one (the
   * stream goes on in the new cell).
   */
  grow(cell: Cell, used: number, bytes: number): Cell {
    const next = this.alloc(bytes);
    const from = this.offset(cell);
    this.page(next).set(this.page(cell).subarray(from, from + used), this.offset(next));
    this.free(cell);
    return next;
  }

  get maxCellBytes(): number {
    return 1 << (CLASSES - 1 + MIN_SHIFT);
  }

  /** Bytes of pages held, and bytes of cells in use (for the head's figures and tests). */
  stats(): { pageBytes: number; cellBytes: number; cells: number } {
    let pageBytes = 0;
    let cellBytes = 0;
    let cells = 0;
    for (const c of this.classes) {
      pageBytes += c.pages.length * c.cellsPerPage * c.size;
      cellBytes += c.cellsInUse * c.size;
      cells += c.cellsInUse;
    }
    return { pageBytes, cellBytes, cells };
  }
}

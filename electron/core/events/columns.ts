// Growable typed-array columns: the event index keeps one value per event in each, so a
// million events cost a few dozen bytes each instead of an object apiece.

/** A growable column of numbers in a typed array, doubling when full. */
class NumberColumn<A extends Uint32Array | Float64Array> {
  private data: A;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => A,
    capacity: number,
  ) {
    this.data = make(capacity);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** The backing array, valid up to `length`: for scans over every row without a call each. */
  get values(): A {
    return this.data;
  }

  /** Bytes held (capacity, not length: what the process pays). */
  get bytes(): number {
    return this.data.byteLength;
  }
}

export class U32Column extends NumberColumn<Uint32Array> {
  constructor(capacity = 1024) {
    super((n) => new Uint32Array(n), capacity);
  }
}

export class F64Column extends NumberColumn<Float64Array> {
  constructor(capacity = 1024) {
    super((n) => new Float64Array(n), capacity);
  }
}

/** String ↔ small integer. Id 0 is "absent" (an event without a user, say). */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [''];

  intern(value: string | undefined): number {
    if (value === undefined || value === '') return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The id of a value already seen, or -1 (then nothing can match it). */
  lookup(value: string): number {
    return this.ids.get(value) ?? -1;
  }

  value(id: number): string {
    return this.values[id] ?? '';
  }

  get size(): number {
    return this.values.length - 1;
  }
}

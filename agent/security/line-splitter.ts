// Bytes from a pipe or a file → whole lines, each at most `maxBytes` long. A longer line is
// skipped to its newline and counted, so one runaway line cannot grow memory without bound.

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private skipping = false;
  /** Lines dropped for being longer than maxBytes. */
  tooLong = 0;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in `chunk` (after what earlier chunks left over), without their newline. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.keep(chunk.subarray(start));
        return lines;
      }
      this.keep(chunk.subarray(start, nl));
      if (!this.skipping) {
        const text = Buffer.concat(this.parts, this.partBytes).toString('utf8');
        lines.push(text.endsWith('\r') ? text.slice(0, -1) : text);
      }
      this.reset();
      start = nl + 1;
    }
  }

  /** Forget a partial line (the file it came from was truncated or replaced). */
  reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }

  private keep(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    if (this.partBytes + bytes.length > this.maxBytes) {
      this.tooLong++;
      this.parts = [];
      this.partBytes = 0;
      this.skipping = true;
      return;
    }
    // A copy: the caller may reuse its read buffer.
    this.parts.push(Buffer.from(bytes));
    this.partBytes += bytes.length;
  }
}

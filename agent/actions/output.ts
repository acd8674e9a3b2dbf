// An action's output for its result: stdout then stderr, cut to a byte bound (at a UTF-8
// character boundary). Each stream keeps at most the bound while it runs, so a program that
// writes gigabytes costs the agent no more memory than one that writes a line.
import { MAX_ACTION_OUTPUT_BYTES } from '../../shared/protocol-codes.js';

class BoundedStream {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes written, kept or not. */
  total = 0;

  constructor(private readonly limit: number) {}

  write(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The longest prefix of `buf` of at most `max` bytes that ends on a character boundary. */
export function cutUtf8(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}

export class OutputCapture {
  readonly stdout: BoundedStream;
  readonly stderr: BoundedStream;

  constructor(private readonly limit = MAX_ACTION_OUTPUT_BYTES) {
    this.stdout = new BoundedStream(limit);
    this.stderr = new BoundedStream(limit);
  }

  result(): { output: string; outputTruncated: boolean } {
    const all = Buffer.concat([this.stdout.bytes(), this.stderr.bytes()]);
    const cut = cutUtf8(all, this.limit);
    const written = this.stdout.total + this.stderr.total;
    // Invalid UTF-8 from the program decodes to U+FFFD (3 bytes): cut again after decoding.
    let output = cut.toString('utf8');
    if (Buffer.byteLength(output) > this.limit)
      output = cutUtf8(Buffer.from(output), this.limit).toString('utf8');
    return { output, outputTruncated: written > cut.length };
  }
}

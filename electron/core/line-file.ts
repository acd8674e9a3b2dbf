// Reading an append-only file of newline-terminated records (agents.ndjson, series.ndjson),
// streamed so a large file is never held whole.
import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;

export interface LineFileRead {
  /** Bytes read (0 when the file does not exist). */
  bytes: number;
  /** The file ends in a line without its newline: a write a crash cut short. */
  tornTail: boolean;
}

/** Calls `take` with each whole, non-empty line of `path`, in order. A missing file is empty. */
export async function readLineFile(
  path: string,
  take: (line: string) => void,
): Promise<LineFileRead> {
  let bytes = 0;
  let carry: Buffer | null = null;
  try {
    for await (const data of createReadStream(path)) {
      let buf = data as Buffer;
      bytes += buf.length;
      if (carry) buf = Buffer.concat([carry, buf]);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
        if (nl > start) take(buf.toString('utf8', start, nl));
        start = nl + 1;
      }
      carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { bytes, tornTail: carry !== null };
}

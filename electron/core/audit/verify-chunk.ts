// One byte range of audit.ndjson checked on its own (in a worker thread, verify-parallel.ts):
// every line's own hash, and each line's link to the one before it inside the range. What
// joins the ranges (the first line's seq and prev, the last line's seq and hash) goes back to
// the caller, which checks the joints. A range stops at its first problem: the caller then
// runs the sequential check (verify-chain.ts), which names the break.
import { open } from 'node:fs/promises';
import { readLineHeader } from './chain-format.js';

const NEWLINE = 0x0a;
const SEGMENT_MARK = Buffer.from('"action":"audit.segment"');
const READ_BYTES = 1 << 20;

export interface ChunkRequest {
  path: string;
  /** The range: the lines that start in [start, end); the last one may run past `end`. */
  start: number;
  end: number;
  /** No line ends past this (the file's length, or the check's endByte). */
  limit: number;
  /** The checkpoint's seq, whose line's hash the caller compares (0: none). */
  checkpointSeq: number;
}

export type ChunkResult =
  | {
      ok: true;
      /** Non-empty whole lines (a last line without its newline is not one). */
      lines: number;
      first: { seq: number; prev: string } | null;
      last: { seq: number; hash: string } | null;
      /** Lines recording a break the console found before (audit.segment records). */
      segments: number;
      checkpointHash: string | null;
    }
  | { ok: false };

export async function verifyChunk(req: ChunkRequest): Promise<ChunkResult> {
  const handle = await open(req.path, 'r');
  try {
    let pos = req.start;
    // A line starting before the range belongs to the range before: skip to the next one.
    if (pos > 0) {
      const probe = Buffer.allocUnsafe(64 * 1024);
      pos--;
      for (;;) {
        const { bytesRead } = await handle.read(probe, 0, probe.length, pos);
        if (bytesRead === 0) return empty();
        const nl = probe.subarray(0, bytesRead).indexOf(NEWLINE);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += bytesRead;
      }
    }
    const out = { lines: 0, segments: 0, checkpointHash: null as string | null };
    let first: { seq: number; prev: string } | null = null;
    let last: { seq: number; hash: string } | null = null;
    let buf = Buffer.allocUnsafe(READ_BYTES);
    let have = 0; // bytes in buf from file offset `pos`
    while (pos < req.end && pos < req.limit) {
      const want = Math.min(buf.length - have, req.limit - pos - have);
      const { bytesRead } =
        want > 0 ? await handle.read(buf, have, want, pos + have) : { bytesRead: 0 };
      have += bytesRead;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl >= 0 && nl < have; nl = buf.indexOf(NEWLINE, start)) {
        if (pos + start >= req.end) break; // the next range's line
        if (nl > start) {
          const line = buf.subarray(start, nl);
          const h = readLineHeader(line);
          if (!h?.intact) return { ok: false };
          if (last && (h.seq !== last.seq + 1 || h.prev !== last.hash)) return { ok: false };
          first ??= { seq: h.seq, prev: h.prev };
          last = { seq: h.seq, hash: h.hash };
          out.lines++;
          if (h.seq === req.checkpointSeq) out.checkpointHash = h.hash;
          if (line.includes(SEGMENT_MARK)) out.segments++;
        }
        start = nl + 1;
      }
      if (pos + start >= req.end) break;
      if (bytesRead === 0) break; // the rest has no newline before the limit: not a line
      // Keep the unfinished line at the front; a line longer than the buffer doubles it.
      if (start === 0 && have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      } else {
        buf.copy(buf, 0, start, have);
        have -= start;
        pos += start;
      }
    }
    return { ok: true, ...out, first, last };
  } finally {
    await handle.close();
  }
}

function empty(): ChunkResult {
  return { ok: true, lines: 0, first: null, last: null, segments: 0, checkpointHash: null };
}

// `meridian audit verify` and the console's own check: one streamed pass over audit.ndjson
// (never held whole), checking every line's own hash, its `prev` link and its `seq`, and
// naming the first line where the chain stops holding and how (edited, deleted, reordered,
// inserted, truncated against the audit.head checkpoint). docs/security.md#audit-trail.
import { createReadStream } from 'node:fs';
import type { AuditBreak, AuditVerifyResult } from '../../../shared/audit.js';
import type { Clock } from '../clock.js';
import { GENESIS_PREV, readLineHeader, sha256, type LineHeader } from './chain-format.js';

const NEWLINE = 0x0a;
const SEGMENT_MARK = Buffer.from('"action":"audit.segment"');

export interface VerifyOptions {
  /** Check only the bytes before this offset (the file's length when the check began). */
  endByte?: number;
  /** The last checkpoint (audit.head): a file ending before it was truncated. */
  checkpoint?: { seq: number; hash: string } | null;
  clock: Pick<Clock, 'now' | 'monotonic'>;
  /** Stop early (the console is shutting down): the check rejects with an AbortError. */
  signal?: AbortSignal;
}

const short = (h: string) => `${h.slice(0, 12)}…`;

interface Pending {
  line: number;
  header: LineHeader | null;
  expectedSeq: number;
  expectedPrev: string;
  /** Hash of the line two before the break (the chain as it stood before the previous line). */
  beforePrevious: string | null;
  /** Line where the expected record turned up later, if it did. */
  foundAt: number | null;
}

function classify(p: Pending): AuditBreak {
  const { line, header: h, expectedSeq: E, expectedPrev: P } = p;
  const want = `seq ${E} with prev ${short(P)}`;
  if (!h || !h.intact) {
    if (p.foundAt === line + 1)
      return {
        kind: 'inserted',
        line,
        expected: `line ${line} to hold ${want}`,
        found: `a line that is not part of the chain; line ${line + 1} continues from line ${line - 1}`,
      };
    return {
      kind: 'edited',
      line,
      expected: h
        ? `line ${line} (seq ${h.seq}) to hash to its recorded hash ${short(h.hash)}`
        : `line ${line} to be an audit record`,
      found: h ? 'its content was changed after it was written' : 'a line that is not a record',
    };
  }
  if (h.seq === E) {
    const at = Math.max(1, line - 1);
    return {
      kind: 'edited',
      line: at,
      expected: `line ${at} to hash to ${short(h.prev)} (line ${line} records that as prev)`,
      found:
        line === 1
          ? `line 1 starts from ${short(h.prev)}, not from the genesis`
          : `line ${at} hashes to ${short(P)}: it was changed and re-hashed`,
    };
  }
  if (h.seq > E) {
    if (p.foundAt !== null)
      return {
        kind: 'reordered',
        line,
        expected: `line ${line} to hold seq ${E}`,
        found: `seq ${h.seq}; seq ${E} is at line ${p.foundAt}`,
      };
    const n = h.seq - E;
    return {
      kind: 'deleted',
      line,
      expected: `line ${line} to hold seq ${E}`,
      found: `seq ${h.seq}: ${n} record${n === 1 ? '' : 's'} (seq ${E}${n > 1 ? `–${h.seq - 1}` : ''}) deleted before it`,
    };
  }
  if (h.seq === E - 1 && h.prev === p.beforePrevious && line > 1)
    return {
      kind: 'inserted',
      line: line - 1,
      expected: `line ${line - 1} to be followed by seq ${E}`,
      found: `line ${line} (seq ${h.seq}) continues from line ${line - 2}: line ${line - 1} was inserted`,
    };
  return {
    kind: 'inserted',
    line,
    expected: `line ${line} to hold ${want}`,
    found: `seq ${h.seq}, which came before: the line was inserted or copied here`,
  };
}

/** Check the whole chain; never throws for bad content, only for an unreadable file. */
export async function verifyChain(path: string, opts: VerifyOptions): Promise<AuditVerifyResult> {
  const started = opts.clock.monotonic();
  let lineNo = 0;
  let expectedSeq = 1;
  let expectedPrev = GENESIS_PREV;
  let hashBefore: string | null = null; // hash of the line before the last good one
  let lastHash: string | null = null;
  let firstBreak: AuditBreak | null = null;
  let unrecorded: AuditBreak | null = null;
  let recordedBreaks = 0;
  let pending: Pending | null = null;
  let broken = false;
  let headSeq = 0;
  let headHash = GENESIS_PREV;
  let checkpointHashSeen: string | null = null;
  let checkpointLine = 0;
  const cp = opts.checkpoint ?? null;

  const settle = () => {
    if (!pending) return;
    const b = classify(pending);
    firstBreak ??= b;
    unrecorded = b;
    pending = null;
  };

  const take = (line: Buffer) => {
    lineNo++;
    const h = readLineHeader(line);
    const lineHash = h?.hash ?? sha256(line);
    if (broken) {
      if (pending && h?.intact && h.seq === pending.expectedSeq && h.prev === pending.expectedPrev)
        pending.foundAt ??= lineNo;
      if (h?.intact && line.includes(SEGMENT_MARK)) {
        // The console found this break before and started a new segment after it.
        settle();
        recordedBreaks++;
        unrecorded = null;
        broken = false;
        expectedSeq = h.seq + 1;
        expectedPrev = h.hash;
        headSeq = h.seq;
        headHash = h.hash;
      }
      hashBefore = lastHash;
      lastHash = lineHash;
      return;
    }
    if (h?.intact && h.seq === expectedSeq && h.prev === expectedPrev) {
      expectedSeq++;
      expectedPrev = h.hash;
      headSeq = h.seq;
      headHash = h.hash;
      if (cp && h.seq === cp.seq) {
        checkpointHashSeen = h.hash;
        checkpointLine = lineNo;
      }
      // A segment inside an intact chain records a break only the checkpoint showed.
      if (line.includes(SEGMENT_MARK)) recordedBreaks++;
    } else {
      broken = true;
      pending = {
        line: lineNo,
        header: h,
        expectedSeq,
        expectedPrev,
        beforePrevious: hashBefore,
        foundAt: null,
      };
    }
    hashBefore = lastHash;
    lastHash = lineHash;
  };

  let carry: Buffer | null = null;
  try {
    const stream = createReadStream(path, {
      highWaterMark: 1 << 20,
      ...(opts.endByte !== undefined ? { end: Math.max(0, opts.endByte - 1) } : {}),
    });
    if (opts.endByte === 0) stream.destroy();
    else
      for await (const data of stream) {
        opts.signal?.throwIfAborted();
        let buf = data as Buffer;
        if (carry) buf = Buffer.concat([carry, buf]);
        let start = 0;
        for (let nl = buf.indexOf(NEWLINE); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
          if (nl > start) take(buf.subarray(start, nl));
          start = nl + 1;
        }
        carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
      }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // A last line without its newline was never reported done (appends are fsynced first).
  settle();
  if (!firstBreak && cp && cp.seq > 0) {
    if (headSeq < cp.seq)
      firstBreak = unrecorded = {
        kind: 'truncated',
        line: lineNo + 1,
        expected: `records up to seq ${cp.seq} (the audit.head checkpoint)`,
        found: `the file ends at seq ${headSeq}, line ${lineNo}`,
      };
    else if (checkpointHashSeen !== null && checkpointHashSeen !== cp.hash)
      firstBreak = unrecorded = {
        kind: 'edited',
        line: checkpointLine,
        expected: `seq ${cp.seq} to hash to ${short(cp.hash)} (the audit.head checkpoint)`,
        found: `it hashes to ${short(checkpointHashSeen)}: the chain was rewritten up to here`,
      };
  }
  return {
    ok: firstBreak === null && recordedBreaks === 0,
    records: lineNo,
    firstBreak,
    recordedBreaks,
    unrecordedBreak: unrecorded,
    head: { seq: headSeq, hash: headHash },
    checkedAt: opts.clock.now(),
    durationMs: Math.round(opts.clock.monotonic() - started),
  };
}

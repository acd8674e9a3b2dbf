// The WAL's line formats, written at ingest and read back byte by byte at start-up.
//   S<TAB>id<TAB>agentId<TAB>["name",{labels}]   a series: written before and again after the
//                                                first batch that uses it, so one damaged line
//                                                never hides a series' later samples
//   B<TAB>id,Δts,value;id,Δts,value;…           a batch; Δts from the previous sample (first: absolute)
//
// Replay applies every logged sample it does not hold yet, in whatever order it was logged:
// live ingest decided what to store (and acked it), the log records that decision, and
// replay does not decide again. A sample whose series is not defined yet (its definition
// line was damaged) waits for the next definition of that series.
import type { Sample } from '../../../shared/protocol.js';
import { MAX_SERIES_ID } from './series.js';
import type { Series, TimeSeriesStore } from './tsdb.js';

export function seriesLine(series: Series): string {
  return `S\t${series.id}\t${series.agentId}\t${JSON.stringify([series.name, series.labels])}`;
}

/** Builds a B line from stored samples, in order. */
export class BatchLineBuilder {
  private body = '';
  private prevTs = 0;

  add(series: Series, sample: Sample): void {
    this.body += `${this.body ? ';' : ''}${series.id},${sample.ts - this.prevTs},${sample.value}`;
    this.prevTs = sample.ts;
  }

  line(): string {
    return `B\t${this.body}`;
  }
}

const S = 0x53;
const B = 0x42;
const COMMA = 0x2c;
const SEMI = 0x3b;
const MINUS = 0x2d;
const DOT = 0x2e;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A decimal number from bytes. Exact fast path: at most 15 significant digits and no
 * exponent, so the digits form an integer below 2^53 and one division by an exact power
 * of ten rounds correctly, giving the same double as parsing the text. Anything else
 * (17-digit doubles, exponents) is parsed from its text.
 */
function readNumber(buf: Buffer, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === DOT && fraction < 0) {
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9 || digits >= 15) return Number(buf.toString('latin1', start, end));
    mantissa = mantissa * 10 + d;
    if (mantissa > 0 || fraction >= 0) digits++;
    if (fraction >= 0) fraction++;
  }
  if (i === (negative ? start + 1 : start)) throw new Error('empty number');
  const value = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? -value : value;
}

/**
 * Replay state across lines: samples of series not defined yet (by series id, as ts/value
 * pairs), applied when a definition turns up.
 */
export class WalReplay {
  readonly orphans = new Map<number, number[]>();

  constructor(readonly head: TimeSeriesStore) {}

  /** Samples whose series was never defined anywhere in the log: lost with a damaged line. */
  orphanSamples(): number {
    let n = 0;
    for (const pairs of this.orphans.values()) n += pairs.length / 2;
    return n;
  }

  /** Apply one WAL payload (bytes [start, end) of buf) to the head. */
  apply = (buf: Buffer, start: number, end: number): void => applyWalLine(this, buf, start, end);
}

function applyWalLine(replay: WalReplay, buf: Buffer, start: number, end: number): void {
  const { head } = replay;
  const kind = buf[start];
  if (kind === S) {
    const [, idText, agentId, def] = buf.toString('utf8', start, end).split('\t') as [
      string,
      string,
      string,
      string,
    ];
    const id = Number(idText);
    if (
      !Number.isInteger(id) ||
      id < 0 ||
      id > MAX_SERIES_ID ||
      agentId === undefined ||
      def === undefined
    )
      throw new Error('bad series line');
    let series = head.seriesById(id);
    if (!series) {
      const [name, labels] = JSON.parse(def) as [string, Record<string, string>];
      series = head.define(id, agentId, name, labels);
    }
    const waiting = replay.orphans.get(id);
    if (waiting) {
      replay.orphans.delete(id);
      for (let i = 0; i < waiting.length; i += 2) series.insert(waiting[i]!, waiting[i + 1]!);
    }
    return;
  }
  if (kind !== B) throw new Error('unknown WAL line kind');
  let pos = start + 2;
  let ts = 0;
  while (pos < end) {
    let c1 = pos;
    while (c1 < end && buf[c1] !== COMMA) c1++;
    let c2 = c1 + 1;
    while (c2 < end && buf[c2] !== COMMA) c2++;
    let stop = c2 + 1;
    while (stop < end && buf[stop] !== SEMI) stop++;
    if (c2 >= end) throw new Error('truncated sample');
    const id = readNumber(buf, pos, c1);
    const series = head.seriesById(id);
    ts += readNumber(buf, c1 + 1, c2);
    const value = readNumber(buf, c2 + 1, stop);
    // Samples already held (a checkpoint covered them, or a resend) are skipped by insert.
    if (series) series.insert(ts, value);
    else {
      let waiting = replay.orphans.get(id);
      if (!waiting) replay.orphans.set(id, (waiting = []));
      waiting.push(ts, value);
    }
    pos = stop + 1;
  }
}

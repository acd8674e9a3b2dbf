// Reads a `timestamp,value` CSV, the offline input of `meridian forecast` and
// `meridian detect`. Errors carry the 1-based line number so the CLI can name it.
//
// Timestamps, per row:
// - ISO 8601 (`2024-05-01T10:00:00Z`, `2024-05-01 10:00:00+02:00`, `2024-05-01`); a date-time
//   without an offset is read as UTC, so the result does not depend on the machine's zone.
// - a plain number: epoch milliseconds when |n| >= 1e11, else epoch seconds (fractions
//   allowed). 1e11 s would be the year 5138 and 1e11 ms is March 1973, so no real monitoring
//   timestamp is ambiguous.
// The header is the first non-blank line and must not itself parse as a data row; its
// column names are free (`time,value`, `ts,disk_usage`, …). Blank lines are skipped.

export interface ParsedSeries {
  /** Epoch milliseconds, strictly increasing. */
  timestamps: number[];
  values: number[];
}

/** A CSV the reader refuses; `line` is 1-based, `message` says what is wrong there. */
export class SeriesCsvError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'SeriesCsvError';
  }
}

/** Epoch seconds below this magnitude, epoch milliseconds at or above it. */
export const EPOCH_MS_THRESHOLD = 1e11;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/** A timestamp field as epoch ms, or null when it is neither ISO 8601 nor an epoch number. */
export function parseTimestamp(field: string): number | null {
  if (NUMBER.test(field)) {
    const n = Number(field);
    if (!Number.isFinite(n)) return null;
    return Math.abs(n) >= EPOCH_MS_THRESHOLD ? n : n * 1000;
  }
  if (ISO_DATE.test(field)) return finiteOrNull(Date.parse(`${field}T00:00:00Z`));
  const m = ISO_DATE_TIME.exec(field);
  if (!m) return null;
  const zone = m[5] ?? 'Z';
  return finiteOrNull(Date.parse(`${m[1]}T${m[2]}${zone.toUpperCase()}`));
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function fields(line: string): string[] {
  return line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

/** The row as [timestamp ms, value], or a reason it is not one. */
function parseRow(line: string): [number, number] | string {
  const parts = fields(line);
  if (parts.length !== 2) return `expected 2 columns (timestamp,value), found ${parts.length}`;
  const [tsField, valueField] = parts as [string, string];
  const ts = parseTimestamp(tsField);
  if (ts === null) return `cannot read timestamp "${tsField}" (ISO 8601, epoch s or epoch ms)`;
  if (!NUMBER.test(valueField)) return `cannot read value "${valueField}" as a finite number`;
  const value = Number(valueField);
  if (!Number.isFinite(value)) return `cannot read value "${valueField}" as a finite number`;
  return [ts, value];
}

export function parseSeriesCsv(text: string): ParsedSeries {
  const lines = text.split(/\r?\n/);
  let headerSeen = false;
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).replace(/^\uFEFF/, '');
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    if (!headerSeen) {
      if (typeof parseRow(raw) !== 'string') {
        throw new SeriesCsvError(lineNo, 'missing header row (expected e.g. "timestamp,value")');
      }
      if (fields(raw).length !== 2) {
        throw new SeriesCsvError(lineNo, 'header must have 2 columns (timestamp,value)');
      }
      headerSeen = true;
      continue;
    }
    const row = parseRow(raw);
    if (typeof row === 'string') throw new SeriesCsvError(lineNo, row);
    const [ts, value] = row;
    const prev = timestamps[timestamps.length - 1];
    if (prev !== undefined && ts === prev) {
      throw new SeriesCsvError(lineNo, `duplicate timestamp ${new Date(ts).toISOString()}`);
    }
    if (prev !== undefined && ts < prev) {
      throw new SeriesCsvError(
        lineNo,
        `timestamps not sorted: ${new Date(ts).toISOString()} comes after ${new Date(prev).toISOString()}`,
      );
    }
    timestamps.push(ts);
    values.push(value);
  }
  if (!headerSeen) throw new SeriesCsvError(1, 'empty file: missing header row');
  if (timestamps.length === 0)
    throw new SeriesCsvError(lines.length, 'no data rows after the header');
  return { timestamps, values };
}

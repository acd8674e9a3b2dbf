import { describe, it, expect } from 'vitest';
import {
  parseSeriesCsv,
  parseTimestamp,
  SeriesCsvError,
} from '../../electron/core/forecast/series-csv.js';

function errorOf(text: string): SeriesCsvError {
  try {
    parseSeriesCsv(text);
  } catch (e) {
    if (e instanceof SeriesCsvError) return e;
    throw e;
  }
  throw new Error('expected a SeriesCsvError');
}

describe('parseSeriesCsv', () => {
  it('reads ISO 8601, epoch seconds and epoch ms rows to epoch ms', () => {
    const s = parseSeriesCsv(
      'timestamp,value\r\n2024-05-01T00:00:00Z,1\n1714525200,2.5\n1714528800000,-3e2\n\n',
    );
    expect(s.timestamps).toEqual([1714521600000, 1714525200000, 1714528800000]);
    expect(s.values).toEqual([1, 2.5, -300]);
  });

  it('reads offsets, space separators, dates alone and zone-less times as UTC', () => {
    expect(parseTimestamp('2024-05-01T02:00:00+02:00')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimestamp('2024-05-01 00:00:00')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimestamp('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseTimestamp('2024-05-01T00:00:00.500Z')).toBe(Date.UTC(2024, 4, 1) + 500);
    expect(parseTimestamp('yesterday')).toBeNull();
  });

  it('accepts any header names, quoted fields and a BOM', () => {
    const s = parseSeriesCsv('\uFEFF"time","disk_usage"\n"1714521600","42"\n');
    expect(s.values).toEqual([42]);
  });

  it('names the line of a missing header', () => {
    const e = errorOf('1714521600,1\n1714525200,2\n');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/line 1: missing header/);
  });

  it('names the line of an unparsable row', () => {
    expect(errorOf('timestamp,value\n1714521600,1\n1714525200,abc\n').line).toBe(3);
    expect(errorOf('timestamp,value\n1714521600,1\nnot-a-time,2\n').message).toMatch(
      /line 3: cannot read timestamp "not-a-time"/,
    );
    expect(errorOf('timestamp,value\n1714521600,1,7\n').message).toMatch(
      /line 2: expected 2 columns/,
    );
    expect(errorOf('timestamp,value\n1714521600,\n').line).toBe(2);
  });

  it('names the line of unsorted and duplicate timestamps', () => {
    const dup = errorOf('timestamp,value\n1714521600,1\n1714521600,2\n');
    expect(dup.line).toBe(3);
    expect(dup.message).toMatch(/duplicate timestamp/);
    const unsorted = errorOf('timestamp,value\n1714525200,1\n1714521600,2\n');
    expect(unsorted.line).toBe(3);
    expect(unsorted.message).toMatch(/not sorted/);
  });

  it('refuses an empty file and a header without rows', () => {
    expect(errorOf('').message).toMatch(/missing header/);
    expect(errorOf('timestamp,value\n').message).toMatch(/no data rows/);
  });
});

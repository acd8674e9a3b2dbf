// Cutting names so the part that tells them apart stays visible (issue 9: ten hostnames in the
// explorer's picker looked the same because their ends were cut off).
import { describe, expect, it } from 'vitest';
import { formatClock, middleEllipsis, splitForTruncation } from '../../renderer/src/lib/format.js';

describe('splitForTruncation', () => {
  it("keeps a fleet hostname's number as the tail", () => {
    expect(splitForTruncation('sim-ap-northeast-1-database-0042')).toEqual({
      head: 'sim-ap-northeast-1-database',
      tail: '-0042',
    });
    expect(splitForTruncation('web-0042.eu-west-1.example.com')).toEqual({
      head: 'web-0042.eu-west-1.example',
      tail: '.com',
    });
  });

  it('takes more than one segment when the last is too short to tell names apart', () => {
    expect(splitForTruncation('db-eu-west-a-1')).toEqual({ head: 'db-eu-west', tail: '-a-1' });
    expect(splitForTruncation('cache_primary_7')).toEqual({
      head: 'cache',
      tail: '_primary_7',
    });
  });

  it('falls back to the last characters when no separator gives a usable tail', () => {
    expect(splitForTruncation('averyveryverylonghostname')).toEqual({
      head: 'averyveryverylongho',
      tail: 'stname',
    });
    expect(splitForTruncation('host-with-a-verylongsuffix1234')).toEqual({
      head: 'host-with-a-verylongsuff',
      tail: 'ix1234',
    });
    expect(splitForTruncation('short')).toEqual({ head: '', tail: 'short' });
  });

  it('always splits the name into its two parts, nothing lost', () => {
    for (const name of ['a', 'sim-eu-west-1-system-0001', 'x.y', 'n--', '-----------------']) {
      const { head, tail } = splitForTruncation(name);
      expect(head + tail).toBe(name);
    }
  });
});

describe('middleEllipsis', () => {
  it('cuts the middle and keeps the distinguishing end', () => {
    const names = Array.from(
      { length: 10 },
      (_, i) => `sim-ap-northeast-1-database-${String(i).padStart(4, '0')}`,
    );
    const cut = names.map((n) => middleEllipsis(n, 20));
    expect(cut[3]).toBe('sim-ap-northea…-0003');
    for (const c of cut) expect(c.length).toBeLessThanOrEqual(20);
    // Ten different names stay ten different labels.
    expect(new Set(cut).size).toBe(10);
  });

  it('leaves names that fit alone, and copes with a tiny budget', () => {
    expect(middleEllipsis('web-1', 20)).toBe('web-1');
    expect(middleEllipsis('sim-eu-west-1-database-0042', 5)).toBe('…0042');
  });
});

describe('formatClock', () => {
  it('prints a wall-clock time, or a dash when unknown', () => {
    expect(formatClock(new Date(2024, 0, 2, 14, 2, 31).getTime())).toBe('14:02:31');
    expect(formatClock(null)).toBe('—');
  });
});

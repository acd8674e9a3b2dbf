// The capacity views' words and order: durations until a threshold ("in 3 d 4 h", "not within
// 7 d"), dates, growth with its unit, the backtest in plain words, the forecast run's state,
// the route key of a target both ways, and the table sorted by soonest exhaustion.
import { describe, expect, it } from 'vitest';
import type { CapacityRow, ForecastTarget, ThresholdCrossing } from '../../shared/forecast.js';
import {
  compareSoonest,
  coverageSentence,
  crossingCells,
  formatDate,
  formatDuration,
  formatGrowth,
  formatHorizon,
  formatIn,
  formatPredicted,
  forecastQuery,
  insufficientText,
  maseSentence,
  queryOfKey,
  reachesText,
  runStateText,
  sortBySoonest,
  spanWords,
  targetKey,
  targetName,
  unavailableText,
} from '../../renderer/src/views/capacity/capacity-text.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const NOW = new Date(2025, 0, 10, 12, 0).getTime();
const WEEK = 7 * D;

const disk: ForecastTarget = {
  kind: 'agent',
  regionId: 'eu-west-1',
  agentId: 'a-17',
  hostname: 'db-0042',
  service: 'database',
  metric: 'filesystem_usage',
  labels: { mount: '/var', device: 'sda1' },
};
const region: ForecastTarget = { kind: 'region', regionId: 'us-east-1', metric: 'disk_usage' };

function crossing(likely: number | null, earliest = likely, latest = likely): ThresholdCrossing {
  return { threshold: 90, source: 'rule disk_usage critical', earliest, likely, latest };
}

function row(name: string, c: ThresholdCrossing | null, growthPerDay = 1): CapacityRow {
  return {
    target: { ...region, regionId: name },
    unit: '%',
    current: 50,
    growthPerDay,
    atHorizon: 60,
    crossing: c,
    model: 'auto_ets',
    backtest: { mase: 0.5, coverage95: 0.95, coverage80: 0.8, points: 100, spanMs: D },
    computedAt: NOW,
  };
}

describe('durations and dates', () => {
  it('says how long until, to the minute, in days and hours when far', () => {
    expect(formatDuration(3 * D + 4 * H + 59 * MIN)).toBe('3 d 4 h');
    expect(formatDuration(2 * D)).toBe('2 d');
    expect(formatDuration(5 * H + 20 * MIN)).toBe('5 h 20 min');
    expect(formatDuration(3 * H)).toBe('3 h');
    expect(formatDuration(12 * MIN + 30_000)).toBe('12 min');
    expect(formatDuration(20_000)).toBe('< 1 min');
    expect(formatIn(NOW + 3 * D + 4 * H, NOW)).toBe('in 3 d 4 h');
    expect(formatIn(NOW - MIN, NOW)).toBe('now');
  });

  it('names horizons and spans as an operator says them', () => {
    expect(formatHorizon(WEEK)).toBe('7 d');
    expect(formatHorizon(36 * H)).toBe('36 h');
    expect(formatHorizon(90 * MIN)).toBe('90 min');
    expect(spanWords(14 * D)).toBe('14 days');
    expect(spanWords(3 * H)).toBe('3 hours');
    expect(spanWords(D)).toBe('24 hours');
    expect(spanWords(MIN)).toBe('1 minute');
  });

  it('dates are local, with weekday and minute', () => {
    expect(formatDate(new Date(2025, 0, 14, 15, 5).getTime())).toBe('Tue 14 Jan 15:05');
  });

  it('growth carries its sign and unit per day', () => {
    expect(formatGrowth(1.234, '%')).toBe('+1.23%/d');
    expect(formatGrowth(-300, 'MiB')).toBe('\u2212300 MiB/d');
    expect(formatGrowth(0, '%')).toBe('0.00%/d');
    expect(formatGrowth(NaN, '%')).toBe('—');
    // A fit's rounding noise is no growth.
    expect(formatGrowth(2.8e-12, '%')).toBe('0.00%/d');
  });

  it('a predicted percentage stays within 0–100 and says "full"', () => {
    expect(formatPredicted(1428, '%')).toBe('100% (full)');
    expect(formatPredicted(100, '%')).toBe('100% (full)');
    expect(formatPredicted(62.83, '%')).toBe('62.8%');
    expect(formatPredicted(-3, '%')).toBe('0.00%');
    expect(formatPredicted(1428, 'ms')).toBe('1.43 s');
  });
});

describe('days until the threshold', () => {
  it('gives earliest, likely and latest from the crossing', () => {
    const c = crossing(NOW + 3 * D + 4 * H, NOW + 2 * D, NOW + 5 * D + 1 * H);
    expect(crossingCells(c, NOW, WEEK)).toEqual({
      earliest: 'in 2 d',
      likely: 'in 3 d 4 h',
      latest: 'in 5 d 1 h',
    });
  });

  it('"not within 7 d" is an answer, for one edge or for all', () => {
    expect(crossingCells(crossing(NOW + D, NOW + H, null), NOW, WEEK).latest).toBe(
      'not within 7 d',
    );
    expect(crossingCells(null, NOW, WEEK)).toEqual({
      earliest: 'not within 7 d',
      likely: 'not within 7 d',
      latest: 'not within 7 d',
    });
    expect(crossingCells(crossing(null), NOW, 36 * H).likely).toBe('not within 36 h');
  });

  it('says when the threshold is reached, or that it is not', () => {
    const t = new Date(2025, 0, 14, 15, 5).getTime();
    expect(reachesText(crossing(t), '%', WEEK)).toBe('reaches 90% on Tue 14 Jan 15:05');
    expect(reachesText(crossing(null), '%', WEEK)).toBe('stays below 90% for the next 7 d');
    expect(reachesText(crossing(null, t, null), '%', WEEK)).toBe(
      'likely stays below 90% for the next 7 d; could reach it on Tue 14 Jan 15:05',
    );
  });
});

describe('the backtest in plain words', () => {
  it('MASE is compared with repeating the last day', () => {
    expect(maseSentence(0.42)).toContain('42 % of those of repeating the last day');
    expect(maseSentence(0.42)).toContain('better');
    expect(maseSentence(1.0)).toContain('about as good as repeating the last day');
    expect(maseSentence(1.8)).toContain('1.8 × those of repeating the last day');
    expect(maseSentence(1.8)).toContain('worse');
    expect(maseSentence(null)).toBe('Its backtest error is not known yet.');
  });

  it('coverage says how often the 95 % band held, over which span', () => {
    const bt = { mase: 0.6, coverage80: 0.8, points: 336, spanMs: 14 * D };
    expect(coverageSentence({ ...bt, coverage95: 0.931 })).toBe(
      'Its 95 % band held 93 % of the time over the last 14 days (336 held-out points).',
    );
    expect(coverageSentence({ ...bt, coverage95: 0.7 })).toContain('narrower than it should be');
    expect(coverageSentence({ ...bt, coverage95: 1 })).toContain('wider than it needs to be');
    expect(coverageSentence({ ...bt, coverage95: null })).toContain('not been checked');
  });
});

describe('the forecast run and its failures in words', () => {
  it('says how old the figures are and whether a run is under way', () => {
    expect(runStateText({ computedAt: NOW - 4 * MIN - 10_000, running: false }, NOW)).toBe(
      'computed 4 min ago',
    );
    expect(runStateText({ computedAt: NOW - 5_000, running: true }, NOW)).toBe(
      'computed just now · a new run is under way',
    );
    expect(runStateText({ computedAt: null, running: true }, NOW)).toBe(
      'first forecast run under way',
    );
    expect(runStateText({ computedAt: null, running: false }, NOW)).toBe(
      'no forecast run has finished yet',
    );
  });

  it('insufficient data names the points needed and had; a 503 says forecasting is off', () => {
    expect(insufficientText(9, 24)).toBe('needs 24 points, has 9');
    expect(unavailableText(503, 'forecasting is not running')).toBe(
      'Forecasting is not running in this console.',
    );
    expect(unavailableText(0, 'x')).toBe('The console does not answer.');
    expect(unavailableText(500, 'boom')).toBe('Forecasts unavailable: boom');
  });
});

describe('targets', () => {
  it('a key goes to the route and back to the forecasts query', () => {
    const key = targetKey(disk);
    expect(key).toBe('agent:a-17:filesystem_usage:device=sda1,mount=/var');
    expect(queryOfKey(key)).toEqual({
      metric: 'filesystem_usage',
      agent: 'a-17',
      labels: 'device=sda1,mount=/var',
    });
    expect(queryOfKey(targetKey(region))).toEqual({ metric: 'disk_usage', region: 'us-east-1' });
    expect(queryOfKey('nonsense')).toBeNull();
    expect(forecastQuery(disk, '7d')).toEqual({
      metric: 'filesystem_usage',
      agent: 'a-17',
      labels: 'mount=/var,device=sda1',
      horizon: '7d',
    });
    expect(forecastQuery(region)).toEqual({ metric: 'disk_usage', region: 'us-east-1' });
  });

  it('names a target by host and mount, or by region', () => {
    expect(targetName(disk)).toBe('db-0042 /var device=sda1');
    expect(targetName(region)).toBe('us-east-1 (region average)');
  });
});

describe('soonest exhaustion first', () => {
  it('by likely crossing, then earliest, then faster growth; none last', () => {
    const rows = [
      row('never', null, 5),
      row('maybe', crossing(null, NOW + D, null)),
      row('late', crossing(NOW + 5 * D)),
      row('soon', crossing(NOW + 2 * H)),
      row('slow-never', null, 0.1),
      row('fast-never', crossing(null), 3),
    ];
    expect(sortBySoonest(rows).map((r) => (r.target as { regionId: string }).regionId)).toEqual([
      'soon',
      'late',
      'maybe',
      'never',
      'fast-never',
      'slow-never',
    ]);
    expect(compareSoonest(rows[0]!, rows[0]!)).toBe(0);
  });
});

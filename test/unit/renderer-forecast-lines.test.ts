// A forecast as chart lines: history, the 95 % and 80 % bands as filled areas (each upper
// edge right after its lower edge, which it fills down to), the forecast joined to the last
// measured point, the threshold across the chart and the crossing marker at the likely date;
// anomaly episodes and level shifts as markers; bands kept out of the axis's clamp extent.
import { describe, expect, it } from 'vitest';
import type { ForecastOk } from '../../shared/forecast.js';
import { dataExtent } from '../../renderer/src/components/chart-line.js';
import {
  anomalyMarkers,
  changepointMarkers,
  forecastChart,
  forecastXMax,
  valueNear,
} from '../../renderer/src/views/capacity/forecast-lines.js';

const T = 1_700_000_000_000;
const STEP = 60_000;
const HORIZON = 3_600_000;

function forecast(over: Partial<ForecastOk> = {}): ForecastOk {
  const history: [number, number][] = Array.from({ length: 30 }, (_, i) => [T + i * STEP, 50 + i]);
  const last = T + 29 * STEP;
  return {
    status: 'ok',
    target: { kind: 'region', regionId: 'eu-west-1', metric: 'disk_usage' },
    unit: '%',
    tier: '1m',
    stepMs: STEP,
    computedAt: last + 5_000,
    dataUntil: last,
    horizonMs: HORIZON,
    history,
    forecast: Array.from({ length: 60 }, (_, i) => {
      const v = 80 + i;
      const w = i + 1;
      return {
        t: last + (i + 1) * STEP,
        value: v,
        lo80: v - w,
        hi80: v + w,
        lo95: v - 2 * w,
        hi95: v + 2 * w,
      };
    }),
    model: 'damped_linear',
    seasonalPeriods: [],
    backtest: { mase: 0.4, coverage95: 0.94, coverage80: 0.79, points: 40, spanMs: 1_800_000 },
    current: 79,
    growthPerDay: 1440,
    atHorizon: 139,
    crossing: {
      threshold: 90,
      source: 'rule disk_usage critical',
      earliest: last + 6 * STEP,
      likely: last + 11 * STEP,
      latest: last + 20 * STEP,
    },
    ...over,
  };
}

const f30 = () => forecast().forecast[29]!;

describe('forecast chart lines', () => {
  it('history, both bands (lower edge then the upper that fills to it), forecast, threshold, crossing', () => {
    const f = forecast();
    const { lines, xMin, xMax } = forecastChart(f);
    expect(lines.map((l) => l.id)).toEqual([
      'history',
      'band95-lo',
      'band95-hi',
      'band80-lo',
      'band80-hi',
      'forecast',
      'threshold',
      'crossing',
    ]);
    expect(xMin).toBe(T);
    expect(xMax).toBe(f.dataUntil + HORIZON);
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(byId['history']!.data).toHaveLength(30);
    expect(byId['band95-hi']!.band).toEqual({ edge: 'hi', level: 0.95 });
    expect(byId['band80-lo']!.band).toEqual({ edge: 'lo', level: 0.8 });
    // Each starts at the last measured point, then follows the forecast step by step.
    for (const id of ['band95-lo', 'band95-hi', 'band80-lo', 'band80-hi', 'forecast']) {
      expect(byId[id]!.data[0]).toEqual({ x: f.dataUntil, y: 79 });
      expect(byId[id]!.data).toHaveLength(61);
    }
    expect(byId['band95-hi']!.data[5]!.y).toBe(f.forecast[4]!.hi95);
    expect(byId['band80-lo']!.data[10]!.y).toBe(f.forecast[9]!.lo80);
    expect(byId['forecast']!.notes![1]).toBe('80 % band 79.0% – 81.0% · 95 % band 78.0% – 82.0%');
    expect(byId['threshold']!.data).toEqual([
      { x: xMin, y: 90 },
      { x: xMax, y: 90 },
    ]);
    expect(byId['threshold']!.label).toBe('threshold 90% (rule disk_usage critical)');
    expect(byId['crossing']!.data).toEqual([{ x: f.crossing!.likely!, y: 90 }]);
    expect(byId['crossing']!.label).toBe('reaches 90%');
    expect(byId['crossing']!.marker).toBe('crossing');
  });

  it('no likely crossing: the threshold line but no marker; no crossing at all: neither', () => {
    const maybe = forecastChart(
      forecast({
        crossing: { threshold: 90, source: 'x', earliest: T, likely: null, latest: null },
      }),
    );
    expect(maybe.lines.map((l) => l.id)).toContain('threshold');
    expect(maybe.lines.map((l) => l.id)).not.toContain('crossing');
    const none = forecastChart(forecast({ crossing: null }));
    expect(none.lines.map((l) => l.role)).not.toContain('critical');
    expect(none.lines.map((l) => l.role)).not.toContain('marker');
  });

  it('a percentage is drawn inside 0–100: what the model runs past 100 % is drawn at 100 %', () => {
    const { lines } = forecastChart(forecast());
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(Math.max(...byId['forecast']!.data.map((p) => p.y))).toBe(100);
    expect(Math.max(...byId['band95-hi']!.data.map((p) => p.y))).toBe(100);
    expect(byId['band95-lo']!.data[30]!.y).toBe(f30().lo95);
    expect(dataExtent(lines).max).toBe(100);
  });

  it('other units are drawn as forecast; the bands do not widen the axis', () => {
    const { lines } = forecastChart(forecast({ unit: 'ms' }));
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(byId['band95-hi']!.data[60]!.y).toBe(259);
    // The forecast reaches 139 ms, the 95 % band 259 ms: the extent follows the forecast only.
    expect(dataExtent(lines).max).toBe(139);
  });
});

describe('the time the chart shows', () => {
  it('up to the crossing: a quarter of the span after the latest edge, never past the horizon', () => {
    const f = forecast();
    const latest = f.crossing!.latest!;
    expect(forecastXMax(f, 'crossing')).toBe(latest + (latest - T) * 0.25);
    expect(forecastChart(f, 'crossing').xMax).toBe(latest + (latest - T) * 0.25);
    expect(forecastXMax(f, 'horizon')).toBe(f.dataUntil + HORIZON);
    // The latest edge beyond the horizon: up to the likely crossing.
    const late = forecast({ crossing: { ...f.crossing!, latest: null } });
    const likely = f.crossing!.likely!;
    expect(forecastXMax(late, 'crossing')).toBe(likely + (likely - T) * 0.25);
    const far = forecast({
      crossing: { ...f.crossing!, latest: f.dataUntil + HORIZON - STEP },
    });
    expect(forecastXMax(far, 'crossing')).toBe(f.dataUntil + HORIZON);
  });

  it('no crossing: the whole horizon either way', () => {
    const f = forecast({ crossing: null });
    expect(forecastXMax(f, 'crossing')).toBe(f.dataUntil + HORIZON);
  });
});

describe('anomaly and level-shift markers', () => {
  const points: [number, number][] = [
    [T, 10],
    [T + STEP, 20],
    [T + 2 * STEP, 30],
  ];

  it('an episode sits on the line at its start, with its score, peak and usual value', () => {
    const m = anomalyMarkers(
      [
        {
          id: 'b',
          regionId: 'r',
          agentId: 'a',
          hostname: 'h',
          metric: 'cpu',
          labels: {},
          start: T + 2 * STEP,
          end: null,
          peakScore: 0.97,
          peakValue: 99,
          expected: 30,
        },
        {
          id: 'a',
          regionId: 'r',
          agentId: 'a',
          hostname: 'h',
          metric: 'cpu',
          labels: {},
          start: T + STEP - 1_000,
          end: T + 13 * STEP,
          peakScore: 0.8,
          peakValue: 70,
          expected: 20,
        },
      ],
      '%',
      T + 5 * STEP,
      points,
    )!;
    expect(m.role).toBe('marker');
    expect(m.marker).toBe('anomaly');
    expect(m.data).toEqual([
      { x: T + STEP - 1_000, y: 20 },
      { x: T + 2 * STEP, y: 30 },
    ]);
    expect(m.notes![0]).toBe('score 0.80 · peak 70.0% where 20.0% was usual · lasted 12 min');
    expect(m.notes![1]).toContain('ongoing for 3 min');
    expect(anomalyMarkers([], '%', T)).toBeNull();
  });

  it('without the line, an episode sits at its peak', () => {
    const m = anomalyMarkers(
      [
        {
          id: 'a',
          regionId: 'r',
          agentId: 'a',
          hostname: 'h',
          metric: 'cpu',
          labels: {},
          start: T,
          end: null,
          peakScore: 1,
          peakValue: 88,
          expected: 1,
        },
      ],
      '%',
      T,
    )!;
    expect(m.data).toEqual([{ x: T, y: 88 }]);
  });

  it('a level shift sits at its new level and says both means', () => {
    const m = changepointMarkers([{ t: T, before: 120, after: 340 }], 'ms')!;
    expect(m.marker).toBe('changepoint');
    expect(m.data).toEqual([{ x: T, y: 340 }]);
    expect(m.notes).toEqual(['mean 120 ms before, 340 ms after']);
    expect(changepointMarkers([], 'ms')).toBeNull();
  });

  it('valueNear finds the nearest point', () => {
    expect(valueNear(points, T + 0.4 * STEP)).toBe(10);
    expect(valueNear(points, T + 0.6 * STEP)).toBe(20);
    expect(valueNear(points, T + 99 * STEP)).toBe(30);
    expect(valueNear([], T)).toBeNull();
  });
});

// Metric explorer (#/explore?metric=…&scope=…&service=…&agg=…&range=…): pick a metric, scope,
// service, aggregation and range; the chart follows the series live for ranges up to six
// hours, with the matching rule's thresholds (when the aggregation is in the rule's unit), the
// least-squares trend of what is visible when there is one, and how many series it stands for.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useFleet } from '../../api/context';
import { useServerNow } from '../../lib/now';
import { hrefFor, navigateTo } from '../../lib/route';
import { formatAxis, formatMetric, unitFor } from '../../lib/units';
import { axisClamp, buildLines, inMetricUnit } from './chart-lines';
import { ExploreControls } from './ExploreControls';
import { ExplorePanel } from './ExplorePanel';
import {
  canForecast,
  formatExploreQuery,
  parseExploreQuery,
  RANGE_MS,
  stepFor,
  type ExploreState,
} from './explore-state';
import { useExploreData } from './useExploreData';
import { useExploreMeta, useServerTrend } from './useExploreMeta';
import { useExploreOverlays } from './useExploreOverlays';

const DEFAULT_METRIC = 'cpu_usage';
const NO_POINTS: [number, number][] = [];

export function exploreHref(state: Partial<ExploreState>): string {
  return hrefFor('explore', null, formatExploreQuery({ ...parseExploreQuery(''), ...state }));
}

export function ExploreView({ query }: { query: string }) {
  const state = useMemo(() => parseExploreQuery(query), [query]);
  const { metrics, rules, unavailable } = useExploreMeta();
  const [showThresholds, setShowThresholds] = useState(true);
  const agents = useFleet((s) => s.agents);
  const now = useServerNow();
  const xMax = Math.floor(now / 1000) * 1000;
  const xMin = xMax - RANGE_MS[state.range];

  const update = useCallback(
    (next: Partial<ExploreState>) =>
      // Any change leaves the Trends page's context: drop the trend reference.
      navigateTo(exploreHref({ ...state, trend: null, ...next }), { replace: true }),
    [state],
  );

  // No metric in the link: the headline one if stored, else the first. When the names cannot
  // be had (the core does not answer), the headline one: its last chart may be kept.
  useEffect(() => {
    if (state.metric) return;
    if (unavailable) return update({ metric: DEFAULT_METRIC });
    if (!metrics || metrics.length === 0) return;
    update({ metric: metrics.includes(DEFAULT_METRIC) ? DEFAULT_METRIC : metrics[0]! });
  }, [state.metric, metrics, unavailable, update]);

  const data = useExploreData(state, xMin);
  const serverTrend = useServerTrend(state.trend);
  const metricRule = useMemo(
    () => rules.find((r) => r.metric === state.metric) ?? null,
    [rules, state.metric],
  );
  // A rule's thresholds are in the metric's unit: not a sum's, nor a count's.
  const rule = inMetricUnit(state.agg) ? metricRule : null;
  // A count counts samples, whatever the metric's unit.
  const unit = state.agg === 'count' ? 'samples' : unitFor(state.metric, metricRule?.unit);
  const clamp = useMemo(() => axisClamp(unit, state.agg), [unit, state.agg]);
  const formatY = useCallback((v: number) => formatMetric(v, unit), [unit]);
  const formatTick = useCallback((v: number) => formatAxis(v, unit), [unit]);
  const overlays = useExploreOverlays(state, unit, data.series[0]?.points ?? NO_POINTS, now);
  // With a forecast drawn, the x axis (and the thresholds across it) run on to its end.
  const chartXMax = Math.max(xMax, overlays.forecastTo ?? xMax);
  const view = useMemo(
    () =>
      buildLines({
        series: data.series,
        metric: state.metric,
        agg: state.agg,
        unit,
        step: data.result?.step ?? stepFor(RANGE_MS[state.range]),
        xMin,
        xMax: chartXMax,
        rule,
        showThresholds,
        partialFrom: data.partialFrom,
      }),
    [
      data.series,
      data.result,
      data.partialFrom,
      state.metric,
      state.agg,
      state.range,
      unit,
      xMin,
      chartXMax,
      rule,
      showThresholds,
    ],
  );
  const shown = useMemo(
    () => (overlays.lines.length ? { ...view, lines: [...view.lines, ...overlays.lines] } : view),
    [view, overlays.lines],
  );
  const hostname =
    state.scope.kind === 'agent' ? (agents.get(state.scope.id)?.hostname ?? null) : null;

  return (
    <div className="view explore" data-testid="view-explore">
      <ExploreControls state={state} metrics={metrics} onChange={update} />
      <ExplorePanel
        state={state}
        data={data}
        view={shown}
        overlays={overlays}
        forecastable={canForecast(state.scope)}
        onForecast={(on) => update({ forecast: on, trend: state.trend })}
        unit={unit}
        rule={rule}
        showThresholds={showThresholds}
        onThresholds={setShowThresholds}
        serverTrend={serverTrend}
        hostname={hostname}
        xMin={xMin}
        xMax={chartXMax}
        formatY={formatY}
        formatTick={formatTick}
        clamp={clamp}
      />
    </div>
  );
}

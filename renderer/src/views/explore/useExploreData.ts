// The explorer's data: a range query for the chosen metric/scope/service/aggregation/range,
// then (for ranges up to six hours) a live tail per series over the stream at the query's step,
// merged by timestamp. Longer ranges re-query every minute; a stream reconnect re-queries too
// (the tail missed what happened while down). Steps not yet settled are reported as partial.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { QueryRangeResult } from '../../../../shared/analysis';
import type { QueryRangeQuery } from '../../../../shared/api';
import { unsettledFrom } from '../../../../shared/api-constants';
import { systemClock } from '../../../../shared/clock';
import { useFleet, useServices } from '../../api/context';
import { serverNow } from '../../api/store';
import type { TailQuery } from '../../api/tails';
import { dropBefore, mergeByTimestamp, spliceTail, type Point } from '../../lib/series-merge';
import type { ExploreSeries } from './chart-lines';
import {
  LIVE_MAX_RANGE_MS,
  RANGE_MS,
  scopeReady,
  stepFor,
  type ExploreState,
} from './explore-state';

/** Live series a chart follows at most (the console allows 16 tails per viewer in all). */
export const MAX_LIVE_SERIES = 8;
const POLL_MS = 60_000;

export interface ExploreData {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  result: QueryRangeResult | null;
  series: ExploreSeries[];
  live: 'on' | 'off' | 'error';
  liveError: string | null;
  /** Points from this time on are of steps still filling (their values are not final). */
  partialFrom: number | null;
  /**
   * Local epoch ms of the newest data shown when it is no longer being kept current (the core
   * does not answer: the last chart stays, marked stale); null while current.
   */
  staleSince: number | null;
}

/**
 * The last good answer per query, across visits to the view: when the core is unreachable the
 * explorer shows the last chart it had (marked stale) instead of nothing. A few queries only.
 */
const lastGood = new Map<string, { result: QueryRangeResult; at: number }>();
const LAST_GOOD_MAX = 12;

function remember(key: string, result: QueryRangeResult, at: number): void {
  lastGood.delete(key);
  lastGood.set(key, { result, at });
  while (lastGood.size > LAST_GOOD_MAX) lastGood.delete(lastGood.keys().next().value!);
}

function labelSpec(...specs: (string | Record<string, string>)[]): string | undefined {
  const pairs = new Map<string, string>();
  for (const spec of specs) {
    const entries =
      typeof spec === 'string'
        ? spec
            .split(',')
            .filter(Boolean)
            .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const)
        : Object.entries(spec);
    for (const [k, v] of entries) pairs.set(k, v);
  }
  return pairs.size ? [...pairs].map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

function scopeQuery(state: ExploreState): Pick<QueryRangeQuery, 'agent' | 'region' | 'service'> {
  if (state.scope.kind === 'agent') return { agent: state.scope.id };
  const service = state.service ? { service: state.service } : {};
  if (state.scope.kind === 'region') return { region: state.scope.id, ...service };
  return service;
}

/** A query line's points with their series counts (when it has them) as the third element. */
function withCounts(series: QueryRangeResult['series'][number]): Point[] {
  const counts = series.seriesCounts;
  return counts ? series.points.map(([t, v], i) => [t, v, counts[i]] as const) : series.points;
}

const NO_SERIES_YET: QueryRangeResult['series'] = [{ agentId: null, labels: {}, points: [] }];

/**
 * The series to follow: the query's (up to MAX_LIVE_SERIES live), or, when the range had no
 * data yet, one placeholder so that a series that starts reporting appears by itself.
 */
function liveSeries(result: QueryRangeResult): QueryRangeResult['series'] {
  return result.series.length ? result.series.slice(0, MAX_LIVE_SERIES) : NO_SERIES_YET;
}

export function useExploreData(state: ExploreState, xMin: number): ExploreData {
  const { api, stream, store } = useServices();
  const connection = useFleet((s) => s.connection);
  const { metric, agg, range, labels } = state;
  const scopeKey = `${state.scope.kind}:${state.scope.kind === 'fleet' ? '' : state.scope.id}:${state.service}`;
  const queryKey = JSON.stringify([metric, scopeKey, agg, range, labels]);
  const [result, setResult] = useState<QueryRangeResult | null>(
    () => lastGood.get(queryKey)?.result ?? null,
  );
  const [status, setStatus] = useState<ExploreData['status']>('idle');
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<Point[][]>([]);
  const [liveError, setLiveError] = useState<string | null>(null);
  const [tailTime, setTailTime] = useState<number | null>(null);
  const [reload, setReload] = useState(0);
  /** Local time of the newest data: the query's answer, then each tail message. */
  const [dataAt, setDataAt] = useState<number | null>(() => lastGood.get(queryKey)?.at ?? null);
  /** The last query failed and what is shown is older (kept from before). */
  const [queryFailed, setQueryFailed] = useState(false);
  const wasLive = useRef(connection === 'live');
  /** The query whose answer is on screen (null: none). */
  const shownKey = useRef<string | null>(lastGood.has(queryKey) ? queryKey : null);
  const ready = metric !== '' && scopeReady(state.scope);
  const liveCapable = RANGE_MS[range] <= LIVE_MAX_RANGE_MS;

  // Back from a disconnect: the tail has a hole, so query the range again.
  useEffect(() => {
    if (connection === 'live' && !wasLive.current) setReload((n) => n + 1);
    wasLive.current = connection === 'live';
  }, [connection]);

  useEffect(() => {
    if (!ready) {
      shownKey.current = null;
      setResult(null);
      setStatus('idle');
      return;
    }
    let cancelled = false;
    setStatus('loading');
    const to = serverNow(store.getState());
    const span = RANGE_MS[range];
    api
      .get('GET /api/v1/query_range', {
        metric,
        ...scopeQuery(state),
        labels: labelSpec(labels),
        agg,
        from: String(Math.round(to - span)),
        to: String(Math.round(to)),
        step: String(stepFor(span)),
      })
      .then((r) => {
        if (cancelled) return;
        const at = systemClock.now();
        remember(queryKey, r, at);
        shownKey.current = queryKey;
        setResult(r);
        setDataAt(at);
        setQueryFailed(false);
        setLive(r.series.map(() => []));
        setTailTime(null);
        setLiveError(null);
        setError(null);
        setStatus('ready');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(String((err as Error)?.message ?? err));
        // Keep the last chart of this query, if there is one, marked stale; else say why.
        const kept = lastGood.get(queryKey);
        if (kept) {
          // Another query's chart was on screen: show this one's last answer instead.
          if (shownKey.current !== queryKey) {
            shownKey.current = queryKey;
            setResult(kept.result);
            setLive(kept.result.series.map(() => []));
            setDataAt(kept.at);
          }
          setQueryFailed(true);
          setStatus('ready');
          return;
        }
        shownKey.current = null;
        setResult(null);
        setStatus('error');
      });
    const poll = liveCapable
      ? null
      : systemClock.setTimeout(() => setReload((n) => n + 1), POLL_MS);
    return () => {
      cancelled = true;
      poll?.cancel();
    };
    // scopeKey stands for state.scope and state.service (the state object is new on every render).
  }, [api, store, ready, metric, scopeKey, agg, range, labels, reload, liveCapable, queryKey]);

  useEffect(() => {
    if (!result || !liveCapable) return;
    const span = RANGE_MS[range];
    const unsubscribe = liveSeries(result).map((series, i) => {
      const query: TailQuery = {
        metric,
        agg,
        ...scopeQuery(state),
        labels: labelSpec(labels, state.scope.kind === 'agent' ? series.labels : {}),
        // The chart's own step: live points are whole steps, as the query's are.
        step: String(result.step),
      };
      return stream.tail(query, (msg) => {
        if (msg.type === 'tail_error') {
          setLiveError(msg.message);
          return;
        }
        const keepFrom = msg.serverTime - span;
        setDataAt(systemClock.now());
        const counts = msg.seriesCounts;
        const incoming: Point[] = counts
          ? msg.points.map(([t, v], k) => [t, v, counts[k]] as const)
          : msg.points;
        setTailTime((prev) => Math.max(prev ?? 0, msg.serverTime));
        setLive((prev) => {
          const current = prev[i] ?? [];
          const merged = dropBefore(mergeByTimestamp(current, incoming), keepFrom);
          if (merged === current) return prev;
          const next = [...prev];
          next[i] = merged;
          return next;
        });
      });
    });
    return () => unsubscribe.forEach((u) => u());
    // A new result means new subscriptions; the query it came from is part of it.
  }, [result, liveCapable, stream]);

  const series = useMemo(() => {
    if (!result) return [];
    // Every series of the query (only the first MAX_LIVE_SERIES grow live); none until data.
    const shown = result.series.length ? result.series : live[0]?.length ? NO_SERIES_YET : [];
    return shown.map((s, i) => {
      const { points, counts } = spliceTail(withCounts(s), live[i] ?? [], xMin);
      const key = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return { key: key || s.agentId || 'all', labels: s.labels, points, counts };
    });
  }, [result, live, xMin]);

  // Followed live: the console's latest time says which steps are still filling.
  const partialFrom = !result
    ? null
    : tailTime !== null
      ? unsettledFrom(result.from, result.step, tailTime)
      : result.partialFrom;

  const stale = result !== null && (queryFailed || connection !== 'live');
  return {
    status,
    error,
    result,
    series,
    live: !liveCapable || !result ? 'off' : liveError || stale ? 'error' : 'on',
    liveError: stale ? 'the console does not answer' : liveError,
    partialFrom,
    staleSince: stale ? dataAt : null,
  };
}

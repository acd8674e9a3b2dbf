// What the Security page shows, from the REST routes the stream does not carry: the events
// (filtered, newest first), the detections and the top sources. Loaded on opening, when the
// filters change, every EVERY_MS (live refresh) and after a reconnect. The last good answer
// stays on screen, marked stale, when the console does not answer.
import { useCallback, useEffect, useRef, useState } from 'react';
import { systemClock } from '../../../../shared/clock';
import type { DetectionView } from '../../../../shared/security';
import type { EventsPage, TopSource } from '../../../../shared/api';
import { useFleet, useServices } from '../../api/context';
import { eventsQueryOf, type SecurityFilters } from './security-filters';

export const EVERY_MS = 5_000;
export const PAGE = 100;

export interface SecuritySnapshot {
  events: EventsPage;
  detections: DetectionView[];
  sources: TopSource[];
  /** The top sources' window. */
  sourcesFrom: number;
}

export interface SecurityData {
  data: SecuritySnapshot | null;
  /** Local ms of the last good answer. */
  fetchedAt: number | null;
  error: string | null;
  stale: boolean;
  /** Older events appended by "Load older", and the cursor to go on from. */
  older: EventsPage['events'];
  olderCursor: string | null;
  olderScanLimited: boolean;
  loadOlder(): Promise<void>;
}

export function useSecurityData(filters: SecurityFilters, filterKey: string): SecurityData {
  const { api } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const [data, setData] = useState<SecuritySnapshot | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [older, setOlder] = useState<EventsPage['events']>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [olderScanLimited, setOlderScanLimited] = useState(false);
  const current = useRef(filterKey);
  current.current = filterKey;

  const load = useCallback(async () => {
    const key = filterKey;
    try {
      const [events, detections, top] = await Promise.all([
        api.request('GET /api/v1/events', { query: eventsQueryOf(filters, PAGE) }),
        api.request('GET /api/v1/detections', {
          query: {
            limit: '50',
            ...(filters.agent ? { agent: filters.agent } : {}),
            ...(filters.region ? { region: filters.region } : {}),
          },
        }),
        api.request('GET /api/v1/events/top-sources', { query: { limit: '10' } }),
      ]);
      if (current.current !== key) return; // the filters moved on meanwhile
      setData({
        events,
        detections: detections.detections,
        sources: top.sources,
        sourcesFrom: top.from,
      });
      setFetchedAt(systemClock.now());
      setError(null);
    } catch (err) {
      if (current.current === key) setError(String((err as Error)?.message ?? err));
    }
  }, [api, filters, filterKey]);

  // New filters: a fresh first page, no older pages.
  useEffect(() => {
    setOlder([]);
    setOlderCursor(null);
    setOlderScanLimited(false);
  }, [filterKey]);

  useEffect(() => {
    void load();
    const timer = systemClock.setInterval(() => void load(), EVERY_MS);
    return () => timer.cancel();
  }, [load, live]);

  const loadOlder = useCallback(async () => {
    const cursor = olderCursor ?? data?.events.nextCursor;
    if (!cursor) return;
    try {
      const page = await api.request('GET /api/v1/events', {
        query: { ...eventsQueryOf(filters, PAGE), cursor },
      });
      setOlder((o) => [...o, ...page.events]);
      setOlderCursor(page.nextCursor);
      setOlderScanLimited(page.scanLimited);
      if (!page.nextCursor) setOlderCursor('');
    } catch (err) {
      setError(String((err as Error)?.message ?? err));
    }
  }, [api, filters, olderCursor, data]);

  return {
    data,
    fetchedAt,
    error,
    stale: error !== null && data !== null,
    older,
    olderCursor,
    olderScanLimited,
    loadOlder,
  };
}

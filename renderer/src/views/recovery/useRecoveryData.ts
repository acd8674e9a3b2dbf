// What the recovery views show, from the recovery service's REST routes: runbooks and their
// stats, runs with their incidents' figures, and the actions they sent (argv, exit, output).
// Fetched on opening, whenever the stream brings a run that changed (the store's `runs`), when
// `version` changes (the incident's timeline moved), after a reconnect, and every 10 s (the
// figures move when incidents resolve). The last good answer is kept across visits and shown
// stale when the core does not answer; a 404 means the console has no recovery service.
import { useCallback, useEffect, useRef, useState } from 'react';
import { systemClock } from '../../../../shared/clock';
import type { ApiRoutes } from '../../../../shared/api';
import type {
  ActionRecord,
  IncidentRecoveryFigures,
  RecoveryRun,
  Runbook,
  RunbookStats,
} from '../../../../shared/recovery';
import { useFleet, useServices } from '../../api/context';
import { ApiRequestError } from '../../api/http';

const EVERY_MS = 10_000;
/** Runs and actions the Recovery page's history shows (the API's newest first). */
export const HISTORY_LIMIT = 100;

export type Overall = ApiRoutes['GET /api/v1/recovery/stats']['response']['overall'];

export interface RecoverySnapshot {
  runbooks: Runbook[];
  stats: ReadonlyMap<string, RunbookStats>;
  runs: RecoveryRun[];
  figures: ReadonlyMap<string, IncidentRecoveryFigures>;
  actions: ReadonlyMap<string, ActionRecord>;
  /** Only on the Recovery page. */
  overall: Overall | null;
}

export interface RecoveryData {
  data: RecoverySnapshot | null;
  /** Local ms of the last good answer. */
  fetchedAt: number | null;
  error: string | null;
  /** The console answered 404: it has no recovery service. */
  unavailable: boolean;
  /** An answer is shown but is no longer current. */
  stale: boolean;
  reload(): Promise<void>;
}

const lastGood = new Map<string, { data: RecoverySnapshot; at: number }>();

/** `incident`: one incident's runs (its detail); none: the whole history (the Recovery page). */
export function useRecoveryData(
  incident: string | null = null,
  version: unknown = null,
): RecoveryData {
  const { api } = useServices();
  const live = useFleet((s) => s.connection === 'live');
  const runs = useFleet((s) => s.runs);
  const key = incident ?? '*';
  const kept = lastGood.get(key);
  const [data, setData] = useState<RecoverySnapshot | null>(kept?.data ?? null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(kept?.at ?? null);
  const [error, setError] = useState<string | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const inFlight = useRef<Promise<void> | null>(null);
  const again = useRef(false);

  const fetchOnce = useCallback(async () => {
    const filter = incident ? { incident } : { limit: String(HISTORY_LIMIT) };
    const [books, runs, actions, stats] = await Promise.all([
      api.get('GET /api/v1/runbooks'),
      api.get('GET /api/v1/recovery/runs', filter),
      api.get('GET /api/v1/actions', filter),
      incident ? null : api.get('GET /api/v1/recovery/stats'),
    ]);
    const snapshot: RecoverySnapshot = {
      runbooks: books.runbooks,
      stats: new Map((stats?.runbooks ?? books.stats).map((s) => [s.runbookId, s])),
      runs: runs.runs,
      figures: new Map(runs.figures.map((f) => [f.incidentId, f])),
      actions: new Map(actions.actions.map((a) => [a.id, a])),
      overall: stats?.overall ?? null,
    };
    const at = systemClock.now();
    lastGood.set(key, { data: snapshot, at });
    setData(snapshot);
    setFetchedAt(at);
    setError(null);
    setUnavailable(false);
  }, [api, incident, key]);

  // One request at a time; news meanwhile asks for one more after it.
  const reload = useCallback((): Promise<void> => {
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const run = async () => {
      do {
        again.current = false;
        try {
          await fetchOnce();
        } catch (err) {
          if (err instanceof ApiRequestError && err.status === 404) setUnavailable(true);
          setError((err as Error).message);
        }
      } while (again.current);
      inFlight.current = null;
    };
    inFlight.current = run();
    return inFlight.current;
  }, [fetchOnce]);

  useEffect(() => {
    void reload();
  }, [reload, version, live, runs]);

  useEffect(() => {
    const timer = systemClock.setInterval(() => void reload(), EVERY_MS);
    return () => timer.cancel();
  }, [reload]);

  return {
    data,
    fetchedAt,
    error,
    unavailable,
    stale: data !== null && (error !== null || !live),
    reload,
  };
}

// A REST resource the stream does not carry (silences, maintenance windows, channels,
// policies): loaded on opening, every `everyMs`, when the core is back, and on `reload()`
// after the viewer changed it. The last good answer stays on screen when a load fails.
import { useCallback, useEffect, useState } from 'react';
import { systemClock } from '../../../shared/clock';
import { useFleet } from '../api/context';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  reload(): Promise<void>;
}

export function usePolled<T>(load: () => Promise<T>, everyMs = 10_000): Polled<T> {
  const live = useFleet((s) => s.connection === 'live');
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      load().then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => setError(String((err as Error)?.message ?? err)),
      ),
    [load],
  );
  useEffect(() => {
    void reload();
    const timer = systemClock.setInterval(() => void reload(), everyMs);
    return () => timer.cancel();
  }, [reload, everyMs, live]);
  return { data, error, reload };
}

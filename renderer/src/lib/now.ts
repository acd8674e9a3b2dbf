// One shared 1 s ticker for every age on screen (instead of a timer per cell).
import { useSyncExternalStore } from 'react';
import { systemClock, type TimerHandle } from '../../../shared/clock';
import { useServices } from '../api/context';
import { pictureTime } from '../api/store';

let tick = systemClock.now();
let timer: TimerHandle | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= systemClock.setInterval(() => {
    tick = systemClock.now();
    for (const l of listeners) l();
  }, 1_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      timer?.cancel();
      timer = null;
    }
  };
}

/** Local wall time, refreshed every second. */
export function useLocalNow(): number {
  return useSyncExternalStore(subscribe, () => tick);
}

/**
 * The core's current time, refreshed every second; while the core is unreachable, the core's
 * time of the last news from it (ages on screen stop counting: see pictureTime).
 */
export function useServerNow(): number {
  const { store } = useServices();
  return pictureTime(store.getState(), useLocalNow());
}

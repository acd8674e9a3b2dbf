// The app's services (REST client, live store, stream), provided once at the root.
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ApiClient } from './http';
import type { ResolveHold } from './resolve-hold';
import type { FleetState, FleetStore } from './store';
import type { StreamClient } from './stream';

export interface Services {
  api: ApiClient;
  store: FleetStore;
  stream: StreamClient;
  /** Resolves waiting out their undo window. */
  resolves: ResolveHold;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesContext.Provider>');
  return services;
}

/**
 * Subscribe to a slice of the live state. The selector must return something already in the
 * state (a map, a stats object, a flag), never a freshly built array: derive those with useMemo.
 */
export function useFleet<T>(selector: (state: FleetState) => T): T {
  const { store } = useServices();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

// Hash routes: #/incidents (the landing page), #/silences, #/maintenance, #/overview, #/regions/<id>?range=, #/agents, #/agents/<id>, #/relays, #/alerts,
// #/alerts/<id>, #/trends, #/capacity, #/capacity/<target key> and #/explore?<state> (a view may carry a query string, so its state
// is linkable), #/rules, #/recovery, #/recovery/<runbook id>, #/security?<filters>, #/compliance, #/audit, #/settings.
import { useSyncExternalStore } from 'react';

export type View =
  | 'incidents'
  | 'silences'
  | 'maintenance'
  | 'overview'
  | 'regions'
  | 'agents'
  | 'relays'
  | 'alerts'
  | 'explore'
  | 'trends'
  | 'capacity'
  | 'rules'
  | 'recovery'
  | 'compliance'
  | 'security'
  | 'audit'
  | 'settings';

/** Where an empty hash (the console's first page) lands: the triage view. */
export const LANDING_VIEW: View = 'incidents';

export interface Route {
  view: View;
  /** The region, agent or alert id after the view, if any. */
  id: string | null;
  /** The query string after `?` (without it), '' if none. */
  query: string;
}

const VIEWS: readonly View[] = [
  'incidents',
  'silences',
  'maintenance',
  'overview',
  'regions',
  'agents',
  'relays',
  'alerts',
  'explore',
  'trends',
  'capacity',
  'rules',
  'recovery',
  'compliance',
  'security',
  'audit',
  'settings',
];

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const [view, id] = (q < 0 ? body : body.slice(0, q)).split('/');
  const known = body === '' ? LANDING_VIEW : VIEWS.find((v) => v === view);
  return {
    view: known ?? 'overview',
    id: known && id ? decodeURIComponent(id) : null,
    query: known && q >= 0 ? body.slice(q + 1) : '',
  };
}

export function hrefFor(view: View, id?: string | null, query?: string): string {
  return `#/${view}${id ? `/${encodeURIComponent(id)}` : ''}${query ? `?${query}` : ''}`;
}

export function navigate(view: View, id?: string | null, opts: { replace?: boolean } = {}): void {
  navigateTo(hrefFor(view, id), opts);
}

/** Go to a full hash href (`#/explore?metric=…`); `replace` keeps history free of every tweak. */
export function navigateTo(href: string, opts: { replace?: boolean } = {}): void {
  if (window.location.hash === href) return;
  if (opts.replace) {
    window.history.replaceState(window.history.state, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

const getHash = () => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  return parseHash(hash);
}

// Hash routes: #/overview, #/agents, #/agents/<id>, #/alerts, #/alerts/<id>.
import { useSyncExternalStore } from 'react';

export type View = 'overview' | 'agents' | 'alerts';

export interface Route {
  view: View;
  /** The agent or alert id after the view, if any. */
  id: string | null;
}

const VIEWS: readonly View[] = ['overview', 'agents', 'alerts'];

export function parseHash(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((v) => v === view);
  return { view: known ?? 'overview', id: known && id ? decodeURIComponent(id) : null };
}

export function hrefFor(view: View, id?: string | null): string {
  return `#/${view}${id ? `/${encodeURIComponent(id)}` : ''}`;
}

export function navigate(view: View, id?: string | null, opts: { replace?: boolean } = {}): void {
  const href = hrefFor(view, id);
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

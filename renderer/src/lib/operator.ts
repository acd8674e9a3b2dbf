// The operator's name, kept in this viewer (localStorage) and sent as `by` with every action,
// so the core records who did what instead of "operator".
import { useSyncExternalStore } from 'react';

const KEY = 'meridian.operator';
const listeners = new Set<() => void>();

/** Trimmed, at most 64 characters (the API's limit for `by`); '' when unset. */
export function cleanOperatorName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').slice(0, 64);
}

export function operatorName(): string {
  try {
    return cleanOperatorName(window.localStorage.getItem(KEY) ?? '');
  } catch {
    return '';
  }
}

export function setOperatorName(name: string): void {
  const clean = cleanOperatorName(name);
  try {
    if (clean) window.localStorage.setItem(KEY, clean);
    else window.localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the name holds for this page only.
  }
  for (const l of listeners) l();
}

/** `{ by }` for an action's body when a name is set, else nothing (the core's default). */
export function byField(): { by?: string } {
  const by = operatorName();
  return by ? { by } : {};
}

export function useOperatorName(): string {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, operatorName);
}

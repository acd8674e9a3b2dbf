import type { AlertState } from '../../../shared/model.js';

/**
 * The alert lifecycle as a table: which state changes are allowed and whether each is
 * worth notifying (in the manner of Uptime Kuma's notification table).
 *
 *   pending ──fire──▶ firing ──ack──▶ acknowledged
 *      │                 │  ▲              │
 *      └──resolve──▶ resolved ◀─resolve────┘
 *                        └─(escalate: acknowledged ▶ firing when severity rises)
 */
export type AlertAction = 'open' | 'fire' | 'ack' | 'escalate' | 'resolve';

interface Transition {
  from: AlertState | null;
  action: AlertAction;
  to: AlertState;
  notify: boolean;
}

export const ALERT_TRANSITIONS: readonly Transition[] = [
  { from: null, action: 'open', to: 'pending', notify: false },
  { from: null, action: 'fire', to: 'firing', notify: true },
  { from: 'pending', action: 'fire', to: 'firing', notify: true },
  { from: 'pending', action: 'resolve', to: 'resolved', notify: false },
  { from: 'firing', action: 'ack', to: 'acknowledged', notify: false },
  { from: 'firing', action: 'escalate', to: 'firing', notify: true },
  { from: 'firing', action: 'resolve', to: 'resolved', notify: true },
  // An operator acknowledged a warning; it has become critical: it needs eyes again.
  { from: 'acknowledged', action: 'escalate', to: 'firing', notify: true },
  { from: 'acknowledged', action: 'resolve', to: 'resolved', notify: true },
];

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: AlertState | null,
    readonly action: AlertAction,
  ) {
    super(`cannot ${action} an alert that is ${from ?? 'new'}`);
  }
}

export function transition(from: AlertState | null, action: AlertAction): Transition {
  const t = ALERT_TRANSITIONS.find((x) => x.from === from && x.action === action);
  if (!t) throw new IllegalTransitionError(from, action);
  return t;
}

export function isOpen(state: AlertState): boolean {
  return state !== 'resolved';
}

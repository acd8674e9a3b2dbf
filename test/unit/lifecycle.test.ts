import { describe, it, expect } from 'vitest';
import {
  ALERT_TRANSITIONS,
  IllegalTransitionError,
  isOpen,
  transition,
  type AlertAction,
} from '../../electron/core/incidents/lifecycle.js';
import type { AlertState } from '../../shared/model.js';

describe('alert lifecycle transition table', () => {
  const allowed: [AlertState | null, AlertAction, AlertState, boolean][] = [
    [null, 'open', 'pending', false],
    [null, 'fire', 'firing', true],
    ['pending', 'fire', 'firing', true],
    ['pending', 'resolve', 'resolved', false],
    ['firing', 'ack', 'acknowledged', false],
    ['firing', 'escalate', 'firing', true],
    ['firing', 'resolve', 'resolved', true],
    ['acknowledged', 'escalate', 'firing', true],
    ['acknowledged', 'resolve', 'resolved', true],
  ];

  it.each(allowed)('%s --%s--> %s (notify %s)', (from, action, to, notify) => {
    expect(transition(from, action)).toEqual({ from, action, to, notify });
  });

  it('has exactly the documented transitions', () => {
    expect(ALERT_TRANSITIONS).toHaveLength(allowed.length);
  });

  const states: (AlertState | null)[] = [null, 'pending', 'firing', 'acknowledged', 'resolved'];
  const actions: AlertAction[] = ['open', 'fire', 'ack', 'escalate', 'resolve'];
  const illegal = states.flatMap((from) =>
    actions
      .filter((action) => !allowed.some(([f, a]) => f === from && a === action))
      .map((action) => [from, action] as const),
  );

  it('every other (state, action) pair is illegal', () => {
    expect(illegal).toHaveLength(states.length * actions.length - allowed.length);
    for (const [from, action] of illegal) {
      expect(() => transition(from, action), `${from} ${action}`).toThrow(IllegalTransitionError);
    }
  });

  it('ack of a resolved alert is illegal, with from and action on the error', () => {
    let caught: unknown;
    try {
      transition('resolved', 'ack');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const e = caught as IllegalTransitionError;
    expect(e.from).toBe('resolved');
    expect(e.action).toBe('ack');
    expect(e.message).toBe('cannot ack an alert that is resolved');
  });

  it('resolve of a resolved alert is illegal', () => {
    expect(() => transition('resolved', 'resolve')).toThrow(
      'cannot resolve an alert that is resolved',
    );
  });

  it('ack of a pending alert is illegal', () => {
    expect(() => transition('pending', 'ack')).toThrow('cannot ack an alert that is pending');
  });

  it('ack of an acknowledged alert is illegal', () => {
    expect(() => transition('acknowledged', 'ack')).toThrow(IllegalTransitionError);
  });

  it('escalating a pending or resolved alert is illegal', () => {
    expect(() => transition('pending', 'escalate')).toThrow(IllegalTransitionError);
    expect(() => transition('resolved', 'escalate')).toThrow(IllegalTransitionError);
  });

  it('a new alert cannot be acked or resolved', () => {
    expect(() => transition(null, 'ack')).toThrow('cannot ack an alert that is new');
    expect(() => transition(null, 'resolve')).toThrow('cannot resolve an alert that is new');
  });

  it('isOpen is false only for resolved', () => {
    expect(isOpen('pending')).toBe(true);
    expect(isOpen('firing')).toBe(true);
    expect(isOpen('acknowledged')).toBe(true);
    expect(isOpen('resolved')).toBe(false);
  });
});

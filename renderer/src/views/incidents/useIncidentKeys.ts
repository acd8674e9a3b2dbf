// Keyboard triage of incidents, as in the alert queue: j/k (or arrows) move, Enter or o opens
// and closes the row, a acknowledges, r resolves, m assigns to me, s silences for 1 h.
import { useEffect, useRef } from 'react';
import type { IncidentAction } from '../../api/incident-actions';

export interface IncidentKeyHandlers {
  move(delta: 1 | -1): void;
  toggle(): void;
  act(action: IncidentAction): void;
}

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLButtonElement ||
    target instanceof HTMLAnchorElement ||
    (target instanceof HTMLInputElement && target.type !== 'checkbox')
  );
}

const ACTIONS: Record<string, IncidentAction> = {
  a: 'ack',
  r: 'resolve',
  m: 'assign',
  s: 'silence',
};

export function useIncidentKeys(handlers: IncidentKeyHandlers): void {
  const ref = useRef(handlers);
  useEffect(() => {
    ref.current = handlers;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const h = ref.current;
      const enter = e.key === 'Enter' || e.key === 'o';
      // Enter on a focused button or link is that control's own; the rest are ours anywhere
      // but in a text field.
      if (enter ? typingInto(e.target) : isTextField(e.target)) return;
      if (e.key === 'j' || e.key === 'ArrowDown') h.move(1);
      else if (e.key === 'k' || e.key === 'ArrowUp') h.move(-1);
      else if (enter) h.toggle();
      else if (ACTIONS[e.key]) h.act(ACTIONS[e.key]!);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && target.type !== 'checkbox')
  );
}

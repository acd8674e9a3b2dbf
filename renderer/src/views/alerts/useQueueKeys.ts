// Keyboard control of the alert queue: j/k (or arrows) move, x toggles the focused row's
// selection, a acknowledges, r resolves, u undoes the latest resolve, Esc clears the selection.
import { useEffect, useRef } from 'react';

export interface QueueKeyHandlers {
  move(delta: 1 | -1): void;
  toggle(): void;
  act(action: 'ack' | 'resolve'): void;
  undo(): void;
  clear(): void;
}

function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && target.type !== 'checkbox')
  );
}

export function useQueueKeys(handlers: QueueKeyHandlers): void {
  const ref = useRef(handlers);
  useEffect(() => {
    ref.current = handlers;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
      const h = ref.current;
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          h.move(1);
          break;
        case 'k':
        case 'ArrowUp':
          h.move(-1);
          break;
        case 'x':
          h.toggle();
          break;
        case 'a':
          h.act('ack');
          break;
        case 'r':
          h.act('resolve');
          break;
        case 'u':
          h.undo();
          break;
        case 'Escape':
          h.clear();
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

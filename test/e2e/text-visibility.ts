// Whether the end of a name is on screen, measured as the browser laid it out: the rectangle of
// its last characters against the clip of every ancestor that hides overflow. Independent of
// how the name is cut (one element with an ellipsis, or head and tail in two), so a test built
// on it fails exactly when the distinguishing end is not visible.
import type { Locator } from 'playwright-core';

export interface NameLayout {
  /** The last `tailChars` characters of the name lie inside every clipping ancestor. */
  endVisible: boolean;
  /** Some element inside holds more than it shows (the name is cut at all). */
  cut: boolean;
}

/** For each element of `items`, how its text `names[i]` is laid out. */
export async function nameLayouts(
  items: Locator,
  names: readonly string[],
  tailChars = 4,
): Promise<NameLayout[]> {
  // The callback runs in the page (no DOM types here: what it touches comes from `elements`).
  return items.evaluateAll(
    (elements, { names, tailChars }) =>
      elements.map((el, i) => {
        const name = names[i]!;
        const doc = el.ownerDocument;
        const style = (e: typeof el) => doc.defaultView!.getComputedStyle(e);
        // The element's text nodes in order, to find the name across however many nodes hold it.
        const nodes: (typeof el.firstChild & { data: string })[] = [];
        const SHOW_TEXT = 4;
        const walker = doc.createTreeWalker(el, SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode())
          nodes.push(n as (typeof nodes)[0]);
        const text = nodes.map((n) => n.data).join('');
        const at = text.indexOf(name);
        if (at < 0) return { endVisible: false, cut: false };
        const locate = (offset: number): [(typeof nodes)[0], number] => {
          let rest = offset;
          for (const n of nodes) {
            if (rest <= n.data.length) return [n, rest];
            rest -= n.data.length;
          }
          const last = nodes[nodes.length - 1]!;
          return [last, last.data.length];
        };
        const end = at + name.length;
        const range = doc.createRange();
        range.setStart(...locate(end - tailChars));
        range.setEnd(...locate(end));
        const r = range.getBoundingClientRect();
        let endVisible = r.width > 0;
        for (
          let e = range.startContainer.parentElement;
          e && e !== el.parentElement;
          e = e.parentElement
        ) {
          if (style(e).overflowX === 'visible') continue;
          const clip = e.getBoundingClientRect();
          if (r.left < clip.left - 0.5 || r.right > clip.right + 0.5) endVisible = false;
        }
        let cut = false;
        for (const e of el.querySelectorAll('*')) {
          if (style(e).overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) cut = true;
        }
        return { endVisible, cut };
      }),
    { names, tailChars },
  );
}

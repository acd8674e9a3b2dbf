// The smallest window the console is laid out for. One number for both sides: the desktop
// window's minimum content size (electron/shell/window.ts) and the page's minimum width (the
// renderer), so the window can never be narrower than the layout; the e2e layout test checks
// every view at this width.

/** CSS pixels of page (the window's content area, without its frame). */
export const MIN_CONTENT_WIDTH = 960;
export const MIN_CONTENT_HEIGHT = 600;

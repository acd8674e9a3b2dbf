// The shape of `window.meridian`, which the preload exposes in the desktop window (it is absent
// in a browser). A declaration file on purpose: the preload is compiled on its own as CommonJS
// (tsconfig.preload.json) and must pull no .ts module into that build, which would emit a
// CommonJS copy of it over the ES module the main process loads.

export interface DesktopSession {
  /** Same origin as the window, e.g. http://127.0.0.1:4780 */
  apiBase: string;
  /** The per-launch session token (Bearer). The window also holds it as an HttpOnly cookie. */
  token: string;
}

export interface MeridianDesktopApi {
  readonly isDesktop: true;
  /** Rejects when asked from anything but the console's own top-level page. */
  session(): Promise<DesktopSession>;
  /** Calls `cb` with an alert id whenever a notification is clicked; returns an unsubscribe. */
  onOpenAlert(cb: (alertId: string) => void): () => void;
  /** Calls `cb` with an incident id when a notification about it (a run to approve) is clicked. */
  onOpenIncident(cb: (incidentId: string) => void): () => void;
}

// What the Electron preload exposes on `window.meridian` (contextBridge). Absent in a browser.

export interface DesktopSession {
  /** Base URL of the core's HTTP API, e.g. http://127.0.0.1:4780 */
  apiBase: string;
  /** Per-launch session token. */
  token: string;
}

export interface DesktopBridge {
  readonly isDesktop: true;
  session(): Promise<DesktopSession>;
  /** The main process asks the window to show an alert (native notification clicked). */
  onOpenAlert(cb: (alertId: string) => void): () => void;
  /** The main process asks the window to show an incident (a run to approve). */
  onOpenIncident(cb: (incidentId: string) => void): () => void;
}

declare global {
  interface Window {
    meridian?: DesktopBridge;
  }
}

/** The bridge when running inside the Meridian desktop window, otherwise null. */
export function desktopBridge(): DesktopBridge | null {
  const bridge = typeof window === 'undefined' ? undefined : window.meridian;
  return bridge && bridge.isDesktop === true ? bridge : null;
}

export const isDesktop = (): boolean => desktopBridge() !== null;

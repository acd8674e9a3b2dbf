import type { BrowserWindowConstructorOptions } from 'electron';
import { MIN_CONTENT_HEIGHT, MIN_CONTENT_WIDTH } from '../../shared/layout.js';

/** The window's background before the renderer paints: the dark theme's, so no white flash. */
export const WINDOW_BACKGROUND = '#0f1420';

export interface WindowChoices {
  /** A window icon (Linux/Windows); a NativeImage from main.ts. */
  icon?: BrowserWindowConstructorOptions['icon'];
}

/**
 * The console window: the renderer is a web page from the core's loopback port, so it gets no
 * Node, no Electron internals and a sandboxed renderer process; only the preload's few named
 * methods cross over (contextBridge).
 */
export function windowOptions(
  preloadPath: string,
  choices: WindowChoices = {},
): BrowserWindowConstructorOptions {
  return {
    title: 'Meridian',
    width: 1440,
    height: 900,
    // Sizes are of the page, not of the frame around it: the minimum is the layout's own
    // (shared/layout.ts), whatever the platform's frame adds.
    useContentSize: true,
    minWidth: MIN_CONTENT_WIDTH,
    minHeight: MIN_CONTENT_HEIGHT,
    // Shown on 'ready-to-show', after the first paint.
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    ...(choices.icon ? { icon: choices.icon } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // An operator console stays open all day in the background: keep its stream and timers live.
      backgroundThrottling: false,
    },
  };
}

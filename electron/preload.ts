// The window's preload: exposes `window.meridian`, a few named methods, through contextBridge.
// Never raw ipcRenderer. It runs sandboxed, where `require` knows only 'electron' (and a few
// Node built-ins), so it imports nothing else at run time: the channel names are repeated here
// (test/unit/shell-preload.test.ts keeps them in step with shell/ipc.ts) and it is compiled to
// CommonJS by tsconfig.preload.json, because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopSession, MeridianDesktopApi } from './shell/desktop-api.js';

const SESSION_CHANNEL = 'meridian:session';
const OPEN_ALERT_CHANNEL = 'meridian:open-alert';
const ALERT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

const api: MeridianDesktopApi = {
  isDesktop: true,
  session: () => ipcRenderer.invoke(SESSION_CHANNEL) as Promise<DesktopSession>,
  onOpenAlert(cb) {
    if (typeof cb !== 'function') throw new TypeError('meridian.onOpenAlert needs a function');
    // Only the id string crosses over: never the IPC event (it carries the sender).
    const listener = (_event: IpcRendererEvent, alertId: unknown) => {
      if (typeof alertId === 'string' && ALERT_ID.test(alertId)) cb(alertId);
    };
    ipcRenderer.on(OPEN_ALERT_CHANNEL, listener);
    return () => {
      ipcRenderer.removeListener(OPEN_ALERT_CHANNEL, listener);
    };
  },
};

contextBridge.exposeInMainWorld('meridian', api);

// The window's preload: exposes `window.meridian`, a few named methods, through contextBridge.
// Never raw ipcRenderer. It runs sandboxed, where `require` knows only 'electron' (and a few
// Node built-ins), so it imports nothing else at run time: the channel names are repeated here
// (test/unit/shell-preload.test.ts keeps them in step with shell/ipc.ts) and it is compiled to
// CommonJS by tsconfig.preload.json, because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DesktopSession, MeridianDesktopApi } from './shell/desktop-api.js';

const SESSION_CHANNEL = 'meridian:session';
const OPEN_ALERT_CHANNEL = 'meridian:open-alert';
const OPEN_INCIDENT_CHANNEL = 'meridian:open-incident';
const ALERT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Pass on only a well-formed id string: never the IPC event (it carries the sender). */
function onId(channel: string, name: string, cb: (id: string) => void): () => void {
  if (typeof cb !== 'function') throw new TypeError(`meridian.${name} needs a function`);
  const listener = (_event: IpcRendererEvent, id: unknown) => {
    if (typeof id === 'string' && ALERT_ID.test(id)) cb(id);
  };
  ipcRenderer.on(channel, listener);
  return () => {
    ipcRenderer.removeListener(channel, listener);
  };
}

const api: MeridianDesktopApi = {
  isDesktop: true,
  session: () => ipcRenderer.invoke(SESSION_CHANNEL) as Promise<DesktopSession>,
  onOpenAlert: (cb) => onId(OPEN_ALERT_CHANNEL, 'onOpenAlert', cb),
  onOpenIncident: (cb) => onId(OPEN_INCIDENT_CHANNEL, 'onOpenIncident', cb),
};

contextBridge.exposeInMainWorld('meridian', api);

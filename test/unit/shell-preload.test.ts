// The preload runs sandboxed: Electron hands its source to the renderer, which runs it as a
// CommonJS function body with a `require` that knows 'electron' only. This test does the same
// with a fake electron, so the bridge is checked without an Electron binary.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import type { MeridianDesktopApi } from '../../electron/shell/desktop-api.js';
import { IPC } from '../../electron/shell/ipc.js';

const source = readFileSync(
  fileURLToPath(new URL('../../electron/preload.ts', import.meta.url)),
  'utf8',
);

type Listener = (event: unknown, ...args: unknown[]) => void;

function loadPreload() {
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const listeners = new Map<string, Set<Listener>>();
  const exposed: Record<string, unknown> = {};
  const required: string[] = [];
  const ipcRenderer = {
    invoke: vi.fn(async (channel: string) => ({ channel })),
    on(channel: string, fn: Listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
    },
    removeListener(channel: string, fn: Listener) {
      listeners.get(channel)?.delete(fn);
    },
  };
  const electron = {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld(key: string, value: unknown) {
        exposed[key] = value;
      },
    },
  };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`module not found: ${name} (sandboxed preload)`);
    return electron;
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', js)(sandboxRequire, module, module.exports);
  const emit = (channel: string, ...args: unknown[]) =>
    listeners.get(channel)?.forEach((fn) => fn({ sender: 'the ipc event' }, ...args));
  return { exposed, required, ipcRenderer, listeners, emit };
}

describe('preload', () => {
  it('requires only electron, and exposes exactly window.meridian', () => {
    const { exposed, required } = loadPreload();
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['meridian']);
    const api = exposed.meridian as MeridianDesktopApi;
    expect(Object.keys(api).sort()).toEqual([
      'isDesktop',
      'onOpenAlert',
      'onOpenIncident',
      'session',
    ]);
    expect(api.isDesktop).toBe(true);
  });

  it('uses the channel names the main process listens on', () => {
    expect(source).toContain(`'${IPC.session}'`);
    expect(source).toContain(`'${IPC.openAlert}'`);
    expect(source).toContain(`'${IPC.openIncident}'`);
  });

  it('session() invokes the session channel and nothing else', async () => {
    const { exposed, ipcRenderer } = loadPreload();
    const api = exposed.meridian as MeridianDesktopApi;
    await expect(api.session()).resolves.toEqual({ channel: IPC.session });
    expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.invoke).toHaveBeenCalledWith(IPC.session);
  });

  it('onOpenAlert passes only a well-formed id, never the IPC event, and unsubscribes', () => {
    const { exposed, emit, listeners } = loadPreload();
    const api = exposed.meridian as MeridianDesktopApi;
    const got: unknown[][] = [];
    const off = api.onOpenAlert((...args: unknown[]) => got.push(args));
    emit(IPC.openAlert, 'alr-3f2a9c1e-1b2c', 'extra');
    emit(IPC.openAlert, { id: 'alr-1' });
    emit(IPC.openAlert, 'alr-1<script>');
    emit(IPC.openAlert, 'x'.repeat(500));
    emit('some-other-channel', 'alr-2');
    expect(got).toEqual([['alr-3f2a9c1e-1b2c']]);
    off();
    expect(listeners.get(IPC.openAlert)?.size).toBe(0);
    emit(IPC.openAlert, 'alr-4');
    expect(got).toHaveLength(1);
  });

  it('onOpenIncident passes only a well-formed incident id, on its own channel', () => {
    const { exposed, emit, listeners } = loadPreload();
    const api = exposed.meridian as MeridianDesktopApi;
    const got: unknown[][] = [];
    const off = api.onOpenIncident((...args: unknown[]) => got.push(args));
    emit(IPC.openIncident, 'inc-7f3a', 'extra');
    emit(IPC.openIncident, 'inc-1 onload=x');
    emit(IPC.openAlert, 'alr-1');
    expect(got).toEqual([['inc-7f3a']]);
    off();
    expect(listeners.get(IPC.openIncident)?.size).toBe(0);
  });

  it('refuses a callback that is not a function', () => {
    const api = loadPreload().exposed.meridian as MeridianDesktopApi;
    expect(() => api.onOpenAlert('nope' as unknown as () => void)).toThrow(TypeError);
    expect(() => api.onOpenIncident(42 as unknown as () => void)).toThrow(TypeError);
  });
});

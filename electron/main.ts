// The desktop shell: Electron's main process. It hosts the monitoring core in-process (the same
// createCore as `meridian serve`), opens one window on the core's loopback origin, and adds what
// only a desktop app can: native notifications for critical alerts, a tray icon and a badge.
// Its decisions live in ./shell/ as plain, unit-tested functions; this file wires them to Electron.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  session,
  Tray,
  type NativeImage,
  type Session,
  type WebContents,
} from 'electron';
import { systemClock } from '../shared/clock.js';
import type { RecoveryRun } from '../shared/recovery.js';
import { SESSION_COOKIE } from './core/api/access.js';
import type { MonitoringCore } from './core/core.js';
import {
  actionName,
  approvalFailedNotification,
  approvalNotification,
  ApprovalWatcher,
  approverFor,
  approveRun,
  fetchRunsView,
  type RunsView,
} from './shell/approval-notify.js';
import { parseShellArgs, ShellArgError, type ShellArgs } from './shell/args.js';
import { osUserName, startDesktopCore, type DesktopCore } from './shell/desktop-core.js';
import { ICON_ALERT, ICON_OK, iconPng, type Rgb } from './shell/icon.js';
import { IPC, isAlertId, isIncidentId, type DesktopSession } from './shell/ipc.js';
import {
  isAllowedNavigation,
  isAllowedRequest,
  isTrustedSender,
  permissionAllowed,
  withCsp,
} from './shell/policy.js';
import { countFiringCritical, trayText } from './shell/tray.js';
import { windowOptions } from './shell/window.js';

const APP_ID = 'io.meridian.console';
/** Compiled by tsconfig.preload.json as CommonJS: a sandboxed preload cannot be an ES module. */
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'preload.js');
const MAX_LIVE_NOTIFICATIONS = 50;

const out = (line: string) => {
  try {
    process.stdout.write(`${line}\n`);
  } catch {
    // no terminal (a packaged app started from the desktop): nothing to print to
  }
};

let desktop: DesktopCore | null = null;
let appOrigin = '';
let win: BrowserWindow | null = null;
let tray: Tray | null = null;
/** What to show once the window has loaded: an alert or an incident a notification named. */
let pendingOpen: { channel: string; id: string } | null = null;
let approvals: ApprovalWatcher | null = null;
let stopped = false;
const timers = new Set<ReturnType<typeof setTimeout>>();
const liveNotifications = new Set<Notification>();

function fail(title: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`meridian: ${title}: ${message}\n`);
  if (app.isReady()) dialog.showErrorBox(`Meridian: ${title}`, message);
  app.exit(1);
}

function later(fn: () => void, ms: number): void {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

// ── icons ────────────────────────────────────────────────────────────────────────────────────

function icon(color: Rgb, size: number): NativeImage {
  const image = nativeImage.createEmpty();
  image.addRepresentation({ scaleFactor: 1, buffer: iconPng(size, color) });
  image.addRepresentation({ scaleFactor: 2, buffer: iconPng(size * 2, color) });
  return image;
}

// ── window ───────────────────────────────────────────────────────────────────────────────────

function showWindow(): void {
  if (!win || win.isDestroyed()) {
    createWindow();
    return;
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function createWindow(): void {
  if (!desktop) return;
  const w = new BrowserWindow(windowOptions(PRELOAD, { icon: icon(ICON_OK, 64) }));
  win = w;
  w.once('ready-to-show', () => {
    if (!args.hidden) w.show();
  });
  w.on('closed', () => {
    if (win === w) win = null;
  });
  w.webContents.on('did-finish-load', () => {
    if (pendingOpen) {
      const { channel, id } = pendingOpen;
      pendingOpen = null;
      // Give the renderer a moment to subscribe after its first render.
      later(() => sendOpen(channel, id), 500);
    }
  });
  let reloads = 0;
  w.webContents.on('render-process-gone', (_event, details) => {
    out(`  window   renderer gone (${details.reason})`);
    if (details.reason !== 'clean-exit' && reloads++ < 3 && !w.isDestroyed()) {
      later(() => w.reload(), 1_000);
    }
  });
  // Signed in by the session cookie; should the cookie not be sent, the token URL sets it again.
  w.webContents.once('did-navigate', (_event, _url, httpResponseCode) => {
    if (httpResponseCode === 401 && desktop) {
      out('  window   the session cookie was not accepted; signing in with the token URL');
      w.loadURL(desktop.addr.consoleUrl).catch(() => {});
    }
  });
  w.loadURL(`${appOrigin}/`).catch((err: unknown) => {
    out(`  window   could not load ${appOrigin}/: ${(err as Error).message}`);
  });
}

/** Ask the window to show an alert (IPC.openAlert) or an incident (IPC.openIncident). */
function sendOpen(channel: string, id: string): void {
  if (channel === IPC.openAlert ? !isAlertId(id) : !isIncidentId(id)) return;
  if (!win || win.isDestroyed() || win.webContents.isLoading()) {
    pendingOpen = { channel, id };
    if (!win || win.isDestroyed()) createWindow();
    return;
  }
  // Only to the console's own page (navigation elsewhere is refused anyway).
  if (!isAllowedNavigation(win.webContents.getURL(), appOrigin)) return;
  win.webContents.send(channel, id);
}

function openIncident(incidentId: string): void {
  showWindow();
  sendOpen(IPC.openIncident, incidentId);
}

// ── security: every web contents, the session, IPC ──────────────────────────────────────────

function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    out(`  window   refused window.open(${url})`);
    return { action: 'deny' };
  });
  const guard = (event: { url: string; preventDefault(): void }) => {
    if (!isAllowedNavigation(event.url, appOrigin)) {
      event.preventDefault();
      out(`  window   refused navigation to ${event.url}`);
    }
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

async function secureSession(ses: Session, core: MonitoringCore): Promise<void> {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, appOrigin)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    permissionAllowed(permission, requestingOrigin, appOrigin),
  );
  ses.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !isAllowedRequest(details.url, appOrigin) }),
  );
  // The core sends this CSP too; setting it here covers every response, whatever serves it.
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCsp(details.responseHeaders) }),
  );
  // The window is signed in from its first request: the same HttpOnly cookie `?token=` sets in
  // a browser, so no token ever appears in the window's URL.
  await ses.cookies.set({
    url: appOrigin,
    name: SESSION_COOKIE,
    value: core.sessionToken,
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
  });
}

function handleIpc(core: MonitoringCore): void {
  ipcMain.handle(IPC.session, (event): DesktopSession => {
    if (!isTrustedSender(event.senderFrame, appOrigin)) {
      out(`  ipc      refused ${IPC.session} from ${event.senderFrame?.url ?? 'a gone frame'}`);
      throw new Error('refused: not the Meridian console page');
    }
    return { apiBase: appOrigin, token: core.sessionToken };
  });
}

// ── notifications and tray ───────────────────────────────────────────────────────────────────

/** The native notification shown for each incident (by the notice's tag), to replace it. */
const noticesByTag = new Map<string, Notification>();

function showNotification(planned: {
  title: string;
  body: string;
  silent: boolean;
}): Notification | null {
  if (!Notification.isSupported()) return null;
  const n = new Notification({
    title: planned.title,
    body: planned.body,
    silent: planned.silent,
    urgency: 'critical',
    timeoutType: 'never',
    icon: icon(ICON_ALERT, 64),
  });
  keep(n);
  n.on('click', () => showWindow());
  n.on('close', () => {
    for (const [tag, shown] of noticesByTag) if (shown === n) noticesByTag.delete(tag);
  });
  n.show();
  return n;
}

/** Keep a reference until it is gone, or its click handler may be collected with it. */
function keep(n: Notification): void {
  liveNotifications.add(n);
  if (liveNotifications.size > MAX_LIVE_NOTIFICATIONS) {
    const oldest = liveNotifications.values().next().value;
    if (oldest) liveNotifications.delete(oldest);
  }
  n.on('close', () => liveNotifications.delete(n));
}

// ── recovery approvals ───────────────────────────────────────────────────────────────────────

/**
 * "Approve clean_tmp on db-2?" for each run awaiting approval. The Approve button (macOS,
 * Windows) approves through the REST API as the desktop's operator; a click opens the incident.
 */
function showApproval(core: MonitoringCore, run: RecoveryRun, view: RunsView): () => void {
  if (stopped || !Notification.isSupported()) return () => {};
  const plan = approvalNotification(
    run,
    {
      action: actionName(run, view.runbooks),
      hostname: core.fleet.agent(run.agentId)?.hostname ?? null,
      incidentTitle: core.incidents.manager.get(run.incidentId)?.title ?? null,
    },
    process.platform,
  );
  out(`  notify   ${plan.options.title ?? ''} — ${plan.options.body ?? ''}`);
  const n = new Notification({ ...plan.options, icon: icon(ICON_ALERT, 64) });
  keep(n);
  n.on('click', () => openIncident(run.incidentId));
  n.on('action', (details) => {
    if (plan.approveIndex === null || details.actionIndex !== plan.approveIndex) return;
    void approveFromNotification(core, run, plan);
  });
  n.show();
  return () => n.close();
}

async function approveFromNotification(
  core: MonitoringCore,
  run: RecoveryRun,
  plan: ReturnType<typeof approvalNotification>,
): Promise<void> {
  const outcome = await approveRun(
    fetch,
    { base: appOrigin, token: core.sessionToken },
    run,
    approverFor(core.config.operators, osUserName()),
  );
  if (outcome.ok) {
    out(`  recovery approved ${run.id} from the notification`);
    void approvals?.poke();
    return;
  }
  out(`  recovery could not approve ${run.id}: ${outcome.message}`);
  if (stopped || !Notification.isSupported()) return;
  const n = new Notification({
    ...approvalFailedNotification(plan, outcome),
    icon: icon(ICON_ALERT, 64),
  });
  keep(n);
  n.on('click', () => openIncident(run.incidentId));
  n.show();
}

/** The core says when a run was proposed or changed state: the cue to look again. */
function watchApprovals(core: MonitoringCore): void {
  const api = { base: appOrigin, token: core.sessionToken };
  approvals = new ApprovalWatcher({
    clock: systemClock,
    load: () => fetchRunsView(fetch, api),
    show: (run, view) => showApproval(core, run, view),
  });
  core.events.on('recovery.changed', ({ run, previousState }) => {
    // Only a change into or out of waiting matters to the notifications.
    if (stopped || (run.state !== 'awaiting_approval' && previousState !== 'awaiting_approval'))
      return;
    void approvals?.poke();
  });
  approvals.start();
}

let trayCount = -1;
let trayScheduled = false;

function updateTray(core: MonitoringCore): void {
  trayScheduled = false;
  const count = countFiringCritical(core.alerts.openAlerts());
  if (count === trayCount) return;
  trayCount = count;
  const text = trayText(count);
  if (tray && !tray.isDestroyed()) {
    tray.setToolTip(text.tooltip);
    tray.setImage(icon(count > 0 ? ICON_ALERT : ICON_OK, 16));
    if (process.platform === 'darwin') tray.setTitle(text.badge);
  }
  app.setBadgeCount(text.badgeCount); // macOS dock, Linux Unity launchers; false elsewhere
  if (process.platform === 'win32' && win && !win.isDestroyed()) {
    win.setOverlayIcon(count > 0 ? icon(ICON_ALERT, 16) : null, text.tooltip);
  }
}

function createTray(core: MonitoringCore): void {
  try {
    tray = new Tray(icon(ICON_OK, 16));
  } catch (err) {
    out(`  tray     unavailable: ${(err as Error).message}`);
    return;
  }
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Meridian', click: () => showWindow() },
      { type: 'separator' },
      { label: 'Quit Meridian', click: () => app.quit() },
    ]),
  );
  tray.on('click', () => showWindow());
  updateTray(core);
}

/**
 * Subscribed before the core starts, so an alert raised while restoring state is seen too.
 * Native notifications come from the core's notification pipeline, one per incident: later
 * alerts of the same incident replace it (silently, with the new count) rather than pop again.
 */
function watchAlerts(core: MonitoringCore): void {
  core.events.on('alert.changed', () => {
    // Stopping closes every agent's socket: that is not an outage to announce.
    if (stopped || trayScheduled) return;
    trayScheduled = true;
    later(() => updateTray(core), 100);
  });
  core.notifier.desktop.on((notice) => {
    if (stopped) return;
    out(`  notify   ${notice.title} — ${notice.body}`);
    const previous = noticesByTag.get(notice.tag);
    if (previous) previous.close();
    const n = showNotification({ title: notice.title, body: notice.body, silent: notice.silent });
    if (n) noticesByTag.set(notice.tag, n);
  });
}

// ── lifecycle ────────────────────────────────────────────────────────────────────────────────

async function start(): Promise<void> {
  desktop = await startDesktopCore({
    args,
    dataDir: app.getPath('userData'),
    env: process.env,
    out,
    beforeStart: watchAlerts,
  });
  appOrigin = desktop.addr.apiUrl;
  await secureSession(session.defaultSession, desktop.core);
  handleIpc(desktop.core);
  createTray(desktop.core);
  createWindow();
  watchApprovals(desktop.core);
}

async function stop(): Promise<void> {
  for (const t of timers) clearTimeout(t);
  timers.clear();
  approvals?.stop();
  ipcMain.removeHandler(IPC.session);
  if (tray && !tray.isDestroyed()) tray.destroy();
  await desktop?.stop();
}

/** Before 'ready': the data dir decides the single-instance lock, so it is set first. */
function claimInstance(): boolean {
  if (args.dataDir) app.setPath('userData', resolve(args.dataDir));
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  return app.requestSingleInstanceLock();
}

function readArgs(): ShellArgs | null {
  try {
    return parseShellArgs(process.argv.slice(1));
  } catch (err) {
    if (!(err instanceof ShellArgError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return null;
  }
}

const parsedArgs = readArgs();
const args: ShellArgs = parsedArgs ?? parseShellArgs([]);

if (!parsedArgs) {
  app.exit(2);
} else if (!claimInstance()) {
  out('meridian: Meridian is already running; focusing its window.');
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    // macOS keeps apps running without windows (the tray and notifications go on).
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showWindow());
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    // The core writes state.json on stop; do not let a stuck socket hold the app open.
    setTimeout(() => app.exit(0), 5_000).unref();
    stop()
      .catch((err: unknown) => process.stderr.write(`meridian: stopping: ${String(err)}\n`))
      .finally(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  // Never a top-level await on whenReady: with an ES module main it would hang the app.
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => fail('could not start', err));
}

// e2e fixture: the compiled `meridian serve` in its own process on ephemeral ports, the
// simulator in this process (so tests can script incidents), and Debian's Chromium
// driven by playwright-core.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Simulator } from '../../agent/simulator.js';
import { systemClock } from '../../shared/clock.js';
import { spawnServe } from '../helpers/serve-process.js';
import { WAIT_MS } from './ui.js';

const ROOT = join(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SESSION_TOKEN = 'e2e-session-token';
export const AGENT_TOKEN = 'e2e-agent-token';
/**
 * Slow the page's CPU by this factor (Chrome DevTools' CPU throttling), to shake out tests that
 * read state before it has rendered: `MERIDIAN_E2E_CPU_THROTTLE=8 npm run test:e2e`.
 */
const CPU_THROTTLE = Number(process.env.MERIDIAN_E2E_CPU_THROTTLE ?? 1);

/** Flags for Chromium on a machine with no network beyond loopback (see DESIGN.md, Testing). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface StackOptions {
  agents?: number;
  seed?: number;
  /** Written to config.json before start. */
  config?: Record<string, unknown>;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
}

export interface Stack {
  consoleUrl: string;
  apiUrl: string;
  ingestUrl: string;
  dataDir: string;
  serve: ChildProcess;
  sim: Simulator | null;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  /** Every `new Notification(title, options)` the page made (the browser API is recorded, not shown). */
  notifications(): Promise<{ title: string; body: string }[]>;
  /** SIGKILL the core (no goodbye to any viewer or agent) and wait for it to be gone. */
  killServe(): Promise<void>;
  /** Start the core again on the same ports and data dir (after killServe). */
  restartServe(): Promise<void>;
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium), as .ci/run does`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function startServe(
  dataDir: string,
  ports: { port?: number; ingestPort?: number } = {},
): Promise<{ serve: ChildProcess; consoleUrl: string; apiUrl: string; ingestUrl: string }> {
  if (!existsSync(join(ROOT, 'dist/renderer/index.html')))
    throw new Error('dist/renderer is missing: run `npm run build`');
  const p = await spawnServe(
    dataDir,
    {
      MERIDIAN_SESSION_TOKEN: SESSION_TOKEN,
      MERIDIAN_AGENT_TOKEN: AGENT_TOKEN,
    },
    undefined,
    ports,
  );
  return { serve: p.child, consoleUrl: p.consoleUrl, apiUrl: p.apiUrl, ingestUrl: p.ingestUrl };
}

/** Records Notification calls and reports permission as granted. */
const NOTIFICATION_RECORDER = `
  window.__notifications = [];
  class RecordedNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) {
      window.__notifications.push({ title, body: (options && options.body) || '' });
      this.onclick = null;
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true, writable: true });
`;

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'meridian-e2e-')));
  if (opts.config) await writeFile(join(dataDir, 'config.json'), JSON.stringify(opts.config));
  const { serve, consoleUrl, apiUrl, ingestUrl } = await startServe(dataDir);
  let sim: Simulator | null = null;
  if (opts.agents) {
    sim = new Simulator({
      url: ingestUrl,
      token: AGENT_TOKEN,
      agents: opts.agents,
      seed: opts.seed ?? 1,
      clock: systemClock,
    });
    await sim.start();
    // start() gives up quietly after its own deadline; a test needs the whole fleet it asked for.
    const connected = sim.connectedCount();
    if (connected < opts.agents) {
      sim.stop();
      throw new Error(`simulator: only ${connected} of ${opts.agents} agents connected`);
    }
  }
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Playwright's waits default to this deadline (tests name a longer one where they need it).
  context.setDefaultTimeout(WAIT_MS);
  await context.addInitScript(NOTIFICATION_RECORDER);
  const page = await context.newPage();
  if (CPU_THROTTLE > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLE });
  }
  const api = async <T>(path: string, init: RequestInit = {}) => {
    const res = await fetch(`${apiUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${SESSION_TOKEN}`,
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const stack: Stack = {
    consoleUrl,
    apiUrl,
    ingestUrl,
    dataDir,
    serve,
    sim,
    browser,
    context,
    page,
    api,
    notifications: () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { __notifications: { title: string; body: string }[] })
            .__notifications,
      ),
    async killServe() {
      stack.serve.kill('SIGKILL');
      await exited(stack.serve);
    },
    async restartServe() {
      const portOf = (url: string) => Number(new URL(url).port);
      const next = await startServe(dataDir, {
        port: portOf(apiUrl),
        ingestPort: portOf(ingestUrl),
      });
      stack.serve = next.serve;
    },
    async stop(stopOpts = {}) {
      sim?.stop();
      await browser.close();
      stack.serve.kill('SIGTERM');
      await exited(stack.serve);
      if (!stopOpts.keepDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

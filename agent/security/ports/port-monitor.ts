// Listening ports: every `intervalMs` the host's listening sockets are compared with the last
// scan, and each new one is sent as `port_open`, each gone one as `port_close` (port, proto,
// address, process and pid where the agent may see them). The very first scan is the baseline
// and reports nothing; the baseline is kept in the agent's state dir, so a restart neither
// re-reports what was already listening nor misses what opened while the agent was down.
// Linux only (/proc/net); elsewhere one "not collected" notice.
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../../shared/clock.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import type { PortEventType } from '../../../shared/security-events.js';
import { StateFile } from '../state-file.js';
import { portEvent } from './port-event.js';
import { listenerKey, scanListeners, type Listener } from './port-scanner.js';
import type { ListenProto } from './proc-net.js';

export const PORTS_BASELINE_FILE = 'ports-baseline.json';
export const DEFAULT_PORTS_INTERVAL_MS = 30_000;

export interface PortSettings {
  intervalMs?: number;
  /** Where /proc is (tests point it at fixture text). */
  procRoot?: string;
  /** Which tables (default tcp and tcp6). */
  protos?: readonly ListenProto[];
  platform?: NodeJS.Platform;
}

export interface PortDeps {
  clock: Clock;
  stateDir: string | null;
  send(events: AgentEvent[]): void;
  say(line: string): void;
  warn(line: string): void;
}

interface PortBaseline {
  version: 1;
  listeners: Listener[];
}

function parseBaseline(v: unknown): PortBaseline | null {
  const b = v as Partial<PortBaseline> | null;
  if (!b || b.version !== 1 || !Array.isArray(b.listeners)) return null;
  const ok = b.listeners.every(
    (l) =>
      typeof l?.proto === 'string' && typeof l.address === 'string' && Number.isInteger(l.port),
  );
  return ok ? (b as PortBaseline) : null;
}

export class PortMonitor {
  private known: Map<string, Listener> | null = null;
  private readonly store: StateFile<PortBaseline> | null;
  private timer: TimerHandle | null = null;
  private busy = false;
  private stopped = false;
  /** Scans completed (tests wait on it). */
  scans = 0;

  constructor(
    private readonly deps: PortDeps,
    private readonly settings: PortSettings = {},
  ) {
    this.store = deps.stateDir
      ? new StateFile(join(deps.stateDir, PORTS_BASELINE_FILE), parseBaseline, deps.warn)
      : null;
  }

  async start(): Promise<void> {
    const platform = this.settings.platform ?? process.platform;
    if (platform !== 'linux') {
      this.deps.say(`listening ports: not collected on ${platform} (Linux only)`);
      return;
    }
    const stored = this.store?.read();
    if (stored) this.known = new Map(stored.listeners.map((l) => [listenerKey(l), l]));
    await this.scanNow();
    if (this.stopped) return;
    this.timer = this.deps.clock.setInterval(
      () => void this.scanNow(),
      this.settings.intervalMs ?? DEFAULT_PORTS_INTERVAL_MS,
    );
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** One scan (skipped while one runs). */
  async scanNow(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const prev = this.known;
      const now = await scanListeners(
        this.settings.procRoot ?? '/proc',
        this.settings.protos ?? ['tcp', 'tcp6'],
        prev ?? new Map(),
      );
      if (this.stopped) return;
      const events: AgentEvent[] = [];
      if (prev) {
        for (const [k, l] of now) if (!prev.has(k)) events.push(this.eventOf('port_open', l));
        for (const [k, l] of prev) if (!now.has(k)) events.push(this.eventOf('port_close', l));
      }
      this.known = now;
      if (!prev || events.length > 0) this.save(now);
      this.scans++;
      for (let i = 0; i < events.length; i += 500) this.deps.send(events.slice(i, i + 500));
    } catch (err) {
      this.deps.warn(`listening ports scan failed: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private save(now: Map<string, Listener>): void {
    try {
      this.store?.write({ version: 1, listeners: [...now.values()] });
    } catch (err) {
      this.deps.warn(`listening ports baseline not saved: ${(err as Error).message}`);
    }
  }

  private eventOf(type: PortEventType, l: Listener): AgentEvent {
    return portEvent(this.deps.clock.now(), type, l);
  }
}

import { hostname as osHostname } from 'node:os';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { AgentType } from '../shared/model.js';
import { collectors, hostReader, type Collector } from './collectors.js';
import { DEFAULT_INTERVALS, type CollectorName } from './intervals.js';
import { Uplink } from './uplink.js';
import type { UplinkEvent } from './uplink-events.js';

export interface HostAgentOptions {
  url: string;
  token: string;
  region: string;
  agentType: AgentType;
  hostname?: string;
  /** Per collector; missing ones use DEFAULT_INTERVALS. */
  intervals?: Partial<Record<CollectorName, number>>;
  version: string;
  clock: Clock;
  /** What a person should read: collection failures. */
  log: (line: string) => void;
  /** The uplink's connection events (connecting, retrying, paused, replaced …). */
  onEvent?: (event: UplinkEvent) => void;
  onFatal: (reason: string) => void;
}

/**
 * meridian-agent for this host: each collector runs on its own interval and ships its
 * samples through one Uplink, as a batch of their own.
 */
export class HostAgent {
  readonly uplink: Uplink;
  private readonly timers: TimerHandle[] = [];
  /** Collectors still running: a slow one is skipped rather than run twice at once. */
  private readonly busy = new Set<CollectorName>();
  private readonly collectors: Promise<Record<CollectorName, Collector>>;

  constructor(private readonly opts: HostAgentOptions) {
    this.uplink = new Uplink({
      url: opts.url,
      token: opts.token,
      clock: opts.clock,
      random: Math.random,
      hello: {
        hostname: (opts.hostname ?? osHostname()).replace(/[^A-Za-z0-9_.-]/g, '-') || 'host',
        region: opts.region,
        agentType: opts.agentType,
        version: opts.version,
        labels: { collector: 'systeminformation' },
      },
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      onFatal: opts.onFatal,
    });
    this.collectors = hostReader().then(collectors);
    // A failure surfaces on each collection (logged there); do not let it go unhandled here.
    this.collectors.catch(() => {});
  }

  /** The interval each collector runs at. */
  get intervals(): Record<CollectorName, number> {
    return { ...DEFAULT_INTERVALS, ...this.opts.intervals };
  }

  start(): void {
    this.uplink.start();
    for (const [name, ms] of Object.entries(this.intervals) as [CollectorName, number][]) {
      void this.collect(name);
      this.timers.push(this.opts.clock.setInterval(() => void this.collect(name), ms));
    }
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t.cancel();
    this.uplink.stop();
  }

  private async collect(name: CollectorName): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      const samples = await (await this.collectors)[name](this.opts.clock);
      if (samples.length > 0) this.uplink.sendMetrics(samples);
    } catch (err) {
      this.opts.log(`collection failed (${name}): ${(err as Error).message}`);
    } finally {
      this.busy.delete(name);
    }
  }
}

import { hostname as osHostname } from 'node:os';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { AgentType } from '../shared/model.js';
import { collectHostSamples } from './collectors.js';
import { Uplink } from './uplink.js';
import type { UplinkEvent } from './uplink-events.js';

export interface HostAgentOptions {
  url: string;
  token: string;
  region: string;
  agentType: AgentType;
  hostname?: string;
  intervalMs: number;
  version: string;
  clock: Clock;
  /** What a person should read: collection failures. */
  log: (line: string) => void;
  /** The uplink's connection events (connecting, retrying, paused, replaced …). */
  onEvent?: (event: UplinkEvent) => void;
  onFatal: (reason: string) => void;
}

/** meridian-agent for this host: collects every `intervalMs` and ships through an Uplink. */
export class HostAgent {
  readonly uplink: Uplink;
  private timer: TimerHandle | null = null;
  private collecting = false;

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
  }

  start(): void {
    this.uplink.start();
    void this.collect();
    this.timer = this.opts.clock.setInterval(() => void this.collect(), this.opts.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.uplink.stop();
  }

  private async collect(): Promise<void> {
    if (this.collecting) return;
    this.collecting = true;
    try {
      const samples = await collectHostSamples(this.opts.clock);
      if (samples.length > 0) this.uplink.sendMetrics(samples);
    } catch (err) {
      this.opts.log(`collection failed: ${(err as Error).message}`);
    } finally {
      this.collecting = false;
    }
  }
}

import { hostname as osHostname } from 'node:os';
import type { Clock, TimerHandle } from '../shared/clock.js';
import type { AgentType } from '../shared/model.js';
import type { AgentEvent } from '../shared/protocol.js';
import type { ActionsFile } from './actions/actions-file.js';
import { ActionRunner } from './actions/action-runner.js';
import { Executor } from './actions/executor.js';
import { ActionJournal, FileJournalStore, MemoryJournalStore } from './actions/journal.js';
import { collectors, hostReader, type Collector } from './collectors.js';
import { quotaSample, type DiskQuota } from './disk-quota.js';
import { DEFAULT_INTERVALS, type CollectorName } from './intervals.js';
import { Scraper } from './scrape/scraper.js';
import type { ScrapeTarget } from './scrape/targets.js';
import { AuthShipper, type AuthShipperSettings } from './security/auth-shipper.js';
import { FimMonitor, type FimSettings } from './security/fim/fim-monitor.js';
import { PortMonitor, type PortSettings } from './security/ports/port-monitor.js';
import { FileCredentialStore, MemoryCredentialStore } from './credential-file.js';
import {
  PostureShipper,
  type PostureSettings,
  type PostureShipperDeps,
} from './security/posture/posture-shipper.js';
import { Uplink } from './uplink.js';
import type { UplinkEvent } from './uplink-events.js';

export interface HostAgentOptions {
  url: string;
  /** The enrolment secret, presented until the agent has its own key (kept in `stateDir`). */
  token: string;
  /** `sha256:<hex>`: the console's CA, pinned (wss:// only). */
  caFingerprint?: string;
  region: string;
  agentType: AgentType;
  hostname?: string;
  /** Per collector; missing ones use DEFAULT_INTERVALS. */
  intervals?: Partial<Record<CollectorName, number>>;
  version: string;
  clock: Clock;
  /** What a person should read: collection failures, journal problems. */
  log: (line: string) => void;
  /** Progress a person may want once (where authentication events come from); defaults to `log`. */
  say?: (line: string) => void;
  /** The actions this agent may run (its actions file); none: every action is refused. */
  actions?: ActionsFile | null;
  /** Where the agent key and the action journal live; none: in memory (lost on restart). */
  stateDir?: string | null;
  /** One line per action run or refused; defaults to `log`. */
  logAction?: (line: string) => void;
  /** Directories reported as `disk_usage{mount=DIR}` against a byte budget, at the filesystems interval. */
  diskQuotas?: readonly DiskQuota[];
  /** After SIGTERM at an action's timeout, SIGKILL this much later (default 5 s). */
  actionKillGraceMs?: number;
  /**
   * Authentication events (journald or auth.log, Linux only) sent as `events` batches; false
   * turns them off (`--no-security`). Settings name other sources for tests.
   */
  security?: AuthShipperSettings | false;
  /** Prometheus exposition endpoints on this host to scrape (`--scrape`); see docs/scrape.md. */
  scrape?: {
    targets: readonly ScrapeTarget[];
    intervalMs?: number;
    maxSeries?: number;
    rawCounters?: boolean;
  };
  /** File integrity monitoring (baseline in `stateDir`); false turns it off (`--no-fim`). */
  fim?: FimSettings | false;
  /** Listening ports (Linux; baseline in `stateDir`); false turns them off (`--no-ports`). */
  ports?: PortSettings | false;
  /**
   * Posture facts for compliance (`facts` messages, to consoles of protocol 2 on); false
   * turns them off (`--no-posture`). `host` replaces the command runner and files in tests.
   */
  posture?: (PostureSettings & Pick<PostureShipperDeps, 'host' | 'platform'>) | false;
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
  readonly actions: ActionRunner;
  private readonly timers: TimerHandle[] = [];
  /** Collectors still running: a slow one is skipped rather than run twice at once. */
  private readonly busy = new Set<CollectorName>();
  private readonly collectors: Promise<Record<CollectorName, Collector>>;
  /** The host's authentication events, unless turned off. */
  readonly security: AuthShipper | null;
  /** The `--scrape` endpoints, if any. */
  readonly scraper: Scraper | null;
  readonly fim: FimMonitor | null;
  readonly ports: PortMonitor | null;
  /** The host's posture facts, unless turned off. */
  readonly posture: PostureShipper | null;

  constructor(private readonly opts: HostAgentOptions) {
    const store = opts.stateDir
      ? new FileJournalStore(opts.stateDir, opts.log)
      : new MemoryJournalStore();
    this.actions = new ActionRunner({
      file: opts.actions ?? null,
      journal: new ActionJournal(store, opts.log),
      executor: new Executor({
        clock: opts.clock,
        ...(opts.actionKillGraceMs !== undefined ? { killGraceMs: opts.actionKillGraceMs } : {}),
      }),
      clock: opts.clock,
      log: opts.logAction ?? opts.log,
      warn: opts.log,
      // What an action changed (a cleaned directory) is reported at once, not at the next interval.
      onActionDone: (r) => {
        if (r.status !== 'refused' && r.status !== 'dry_run') void this.collectQuotas();
      },
    });
    this.uplink = new Uplink({
      actions: this.actions,
      url: opts.url,
      token: opts.token,
      credentials: opts.stateDir
        ? new FileCredentialStore(opts.stateDir, opts.url)
        : new MemoryCredentialStore(),
      ...(opts.caFingerprint ? { caFingerprint: opts.caFingerprint } : {}),
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
    this.security =
      opts.security === false
        ? null
        : new AuthShipper(
            {
              clock: opts.clock,
              send: (events) => this.uplink.sendEvents(events),
              say: opts.say ?? opts.log,
              warn: opts.log,
            },
            opts.security ?? {},
          );
    this.scraper = opts.scrape?.targets.length
      ? new Scraper({
          targets: opts.scrape.targets,
          intervalMs: opts.scrape.intervalMs ?? this.intervals.headline,
          ...(opts.scrape.maxSeries !== undefined ? { maxSeries: opts.scrape.maxSeries } : {}),
          rawCounters: opts.scrape.rawCounters ?? false,
          clock: opts.clock,
          send: (samples) => {
            if (samples.length > 0) this.uplink.sendMetrics(samples);
          },
          warn: opts.log,
          say: opts.say ?? opts.log,
        })
      : null;
    // FIM and ports events go the way authentication events do: the uplink's `events` batches.
    const hostSecurity = {
      clock: opts.clock,
      stateDir: opts.stateDir ?? null,
      send: (events: AgentEvent[]) => void this.uplink.sendEvents(events),
      say: opts.say ?? opts.log,
      warn: opts.log,
    };
    this.fim = opts.fim === false ? null : new FimMonitor(hostSecurity, opts.fim ?? {});
    this.ports = opts.ports === false ? null : new PortMonitor(hostSecurity, opts.ports ?? {});
    const posture = opts.posture === false ? null : (opts.posture ?? {});
    this.posture = posture
      ? new PostureShipper(
          {
            clock: opts.clock,
            send: (facts, full) => this.uplink.sendFacts(facts, full),
            warn: opts.log,
            ...(posture.host ? { host: posture.host } : {}),
            ...(posture.platform ? { platform: posture.platform } : {}),
          },
          posture,
        )
      : null;
    if (this.posture) {
      const shipper = this.posture;
      this.uplink.onWelcomed(() => shipper.connected());
    }
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
    if (this.opts.diskQuotas?.length) {
      void this.collectQuotas();
      const every = this.intervals.filesystems;
      this.timers.push(this.opts.clock.setInterval(() => void this.collectQuotas(), every));
    }
    this.scraper?.start();
    this.posture?.start();
    this.security
      ?.start()
      .catch((err: Error) => this.opts.log(`authentication events not collected: ${err.message}`));
    this.fim
      ?.start()
      .catch((err: Error) => this.opts.log(`file integrity not monitored: ${err.message}`));
    this.ports
      ?.start()
      .catch((err: Error) => this.opts.log(`listening ports not collected: ${err.message}`));
  }

  private quotasBusy = false;
  /** A collection was asked for while one ran (which may have counted files since deleted). */
  private quotasAgain = false;

  private async collectQuotas(): Promise<void> {
    const quotas = this.opts.diskQuotas ?? [];
    if (quotas.length === 0) return;
    if (this.quotasBusy) {
      this.quotasAgain = true;
      return;
    }
    this.quotasBusy = true;
    const samples = [];
    for (const q of quotas) {
      try {
        samples.push(await quotaSample(q, () => this.opts.clock.now()));
      } catch (err) {
        this.opts.log(`collection failed (disk quota ${q.dir}): ${(err as Error).message}`);
      }
    }
    this.quotasBusy = false;
    if (samples.length > 0) this.uplink.sendMetrics(samples);
    if (this.quotasAgain) {
      this.quotasAgain = false;
      void this.collectQuotas();
    }
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t.cancel();
    this.scraper?.stop();
    void this.security?.stop();
    this.fim?.stop();
    this.ports?.stop();
    this.posture?.stop();
    this.uplink.stop();
  }

  private async collect(name: CollectorName): Promise<void> {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      let samples = await (await this.collectors)[name](this.opts.clock);
      // What a scraped node_exporter reports already (cpu_usage …) is not reported twice.
      const supplied = this.scraper?.suppliedBuiltins();
      if (supplied?.size) samples = samples.filter((s) => !supplied.has(s.name));
      if (samples.length > 0) this.uplink.sendMetrics(samples);
    } catch (err) {
      this.opts.log(`collection failed (${name}): ${(err as Error).message}`);
    } finally {
      this.busy.delete(name);
    }
  }
}

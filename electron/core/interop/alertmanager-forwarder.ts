// Forwards the console's alerts to external Alertmanagers, on Prometheus' cadence: an alert
// is posted when it fires, again every resend delay while it stays open (each post pushes its
// endsAt 4 resend delays out), and on resolving with endsAt = the resolve time, that post
// repeated a few times so that a lost one does not leave it open until endsAt runs out.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Alert, AlertState, Severity } from '../../../shared/model.js';
import type { AlertmanagerStatus } from '../../../shared/interop.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { postableAlert } from './alertmanager-payload.js';
import {
  AlertmanagerTarget,
  type AlertmanagerConfig,
  type JsonPoster,
  type TargetOptions,
} from './alertmanager-target.js';

export interface ForwarderOptions extends TargetOptions {
  /** Prometheus' --rules.alert.resend-delay (default 1 min). */
  resendDelayMs: number;
  /** Posts of a resolved alert: the first at once, the others one resend delay apart. */
  resolvedPosts: number;
}

export const DEFAULT_FORWARDER_OPTIONS: ForwarderOptions = {
  resendDelayMs: 60_000,
  resolvedPosts: 3,
  batchSize: 64,
  maxQueue: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
};

export interface ForwarderDeps {
  clock: Clock;
  logger: Logger;
  registry: Registry;
  post: JsonPoster;
  consoleUrl(): string;
  agent(id: string): { hostname: string; regionId: string } | undefined;
}

/** Alerts Alertmanager hears of: those that fired (pending ones are not alerts yet). */
const forwarded = (s: AlertState | null) => s === 'firing' || s === 'acknowledged';

export class AlertmanagerForwarder {
  private readonly targets: AlertmanagerTarget[];
  /** Open alerts, and resolved ones with posts left (by alert id). */
  private readonly tracked = new Map<
    string,
    { alert: Alert; resolvedPostsLeft: number; severity: Severity }
  >();
  private resendTimer: TimerHandle | null = null;

  constructor(
    configs: readonly AlertmanagerConfig[],
    private readonly deps: ForwarderDeps,
    readonly opts: ForwarderOptions = DEFAULT_FORWARDER_OPTIONS,
  ) {
    const m = createMetrics(deps.registry, () => this.targets);
    this.targets = configs.map((config) => {
      const label = { alertmanager: config.url.replace(/\/+$/, '') };
      const target: AlertmanagerTarget = new AlertmanagerTarget(
        config,
        {
          clock: deps.clock,
          post: deps.post,
          payload: (alert) =>
            postableAlert(alert, {
              now: deps.clock.now(),
              resendDelayMs: opts.resendDelayMs,
              consoleUrl: deps.consoleUrl(),
              agent: deps.agent,
            }),
          counters: {
            sent: (n) => m.sent.inc(label, n),
            error: () => m.errors.inc(label),
            dropped: (n) => m.dropped.inc(label, n),
          },
          onError: (error) =>
            deps.logger.warn('posting alerts to Alertmanager failed', { ...label, error }),
        },
        opts,
      );
      m.sent.inc(label, 0);
      m.errors.inc(label, 0);
      m.dropped.inc(label, 0);
      return target;
    });
  }

  get enabled(): boolean {
    return this.targets.length > 0;
  }

  /** Begin: post the alerts already open (loaded from state.json), then resend on the cadence. */
  start(open: readonly Alert[]): void {
    if (!this.enabled) return;
    for (const alert of open) if (forwarded(alert.state)) this.track(alert, 0);
    this.resendTimer = this.deps.clock.setInterval(() => this.resend(), this.opts.resendDelayMs);
  }

  stop(): void {
    this.resendTimer?.cancel();
    for (const t of this.targets) t.stop();
  }

  /** From 'alert.changed'. */
  alertChanged(alert: Alert, previous: AlertState | null): void {
    if (!this.enabled) return;
    if (forwarded(alert.state)) {
      const entry = this.tracked.get(alert.id);
      if (!entry || !forwarded(previous)) return this.track(alert, 0);
      if (entry.severity !== alert.severity) {
        // Escalated. Alertmanager tells alerts apart by labels, severity among them: end the
        // alert at its old severity now (not 4 resend delays later) and post the new one.
        const ended: Alert = {
          ...alert,
          severity: entry.severity,
          state: 'resolved',
          resolvedAt: this.deps.clock.now(),
        };
        for (const t of this.targets) t.enqueue(ended, `${alert.id}|${entry.severity}`);
        this.track(alert, 0);
      }
      return;
    }
    // Resolved: only what Alertmanager was told of needs telling it is over.
    if (alert.state === 'resolved' && this.tracked.has(alert.id)) {
      this.track(alert, this.opts.resolvedPosts - 1);
    }
  }

  status(): AlertmanagerStatus[] {
    return this.targets.map((t) => t.status());
  }

  private track(alert: Alert, resolvedPostsLeft: number): void {
    this.tracked.set(alert.id, { alert, resolvedPostsLeft, severity: alert.severity });
    for (const t of this.targets) t.enqueue(alert);
  }

  /** Every resend delay: every open alert again, and resolved ones with posts left. */
  private resend(): void {
    for (const [id, entry] of this.tracked) {
      if (entry.alert.state === 'resolved') {
        if (entry.resolvedPostsLeft <= 0) {
          this.tracked.delete(id);
          continue;
        }
        entry.resolvedPostsLeft -= 1;
      }
      for (const t of this.targets) t.enqueue(entry.alert);
    }
  }
}

function createMetrics(registry: Registry, targets: () => readonly AlertmanagerTarget[]) {
  const labelNames = ['alertmanager'] as const;
  return {
    sent: new Counter({
      name: 'meridian_alertmanager_sent_total',
      help: 'Alerts an Alertmanager accepted (each post of an alert counts), by Alertmanager.',
      labelNames,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'meridian_alertmanager_errors_total',
      help: 'Failed posts to an Alertmanager (no answer, timeout, non-2xx), by Alertmanager.',
      labelNames,
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'meridian_alertmanager_dropped_total',
      help: 'Alerts not posted: the queue was full, or the Alertmanager refused them (4xx).',
      labelNames,
      registers: [registry],
    }),
    queued: new Gauge({
      name: 'meridian_alertmanager_queue_length',
      help: 'Alerts waiting to be posted to an Alertmanager.',
      labelNames,
      registers: [registry],
      collect() {
        for (const t of targets()) this.set({ alertmanager: t.url }, t.queued);
      },
    }),
  };
}

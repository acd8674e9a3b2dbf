// The Alertmanager forwarder as the core runs it: fed by the alert bus, posting over fetch.
import type { CoreConfig } from '../config.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import { postJson } from '../notify/http-post.js';
import { AlertmanagerForwarder, DEFAULT_FORWARDER_OPTIONS } from './alertmanager-forwarder.js';

export interface AlertForwardingParts {
  config: CoreConfig;
  clock: Clock;
  logger: Logger;
  events: CoreEvents;
  metrics: CoreMetrics;
  fleet: Fleet;
  alerts: AlertBook;
  /** The console's address once it listens (generatorURL links into it). */
  consoleUrl(): string;
}

export interface AlertForwarding {
  forwarder: AlertmanagerForwarder;
  start(): void;
  stop(): void;
}

export function createAlertForwarding(p: AlertForwardingParts): AlertForwarding {
  const forwarder = new AlertmanagerForwarder(
    p.config.alertmanagers,
    {
      clock: p.clock,
      logger: p.logger,
      registry: p.metrics.registry,
      post: (url, body, headers, timeoutMs) => postJson(fetch, url, body, headers, timeoutMs),
      consoleUrl: p.consoleUrl,
      agent: (id) => p.fleet.agent(id),
    },
    { ...DEFAULT_FORWARDER_OPTIONS, resendDelayMs: p.config.alertmanagerResendMs },
  );
  p.events.on('alert.changed', ({ alert, previousState }) =>
    forwarder.alertChanged(alert, previousState),
  );
  return {
    forwarder,
    start: () => forwarder.start(p.alerts.all().filter((a) => a.state !== 'resolved')),
    stop: () => forwarder.stop(),
  };
}

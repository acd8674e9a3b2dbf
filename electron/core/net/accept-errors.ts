import type { Server } from 'node:net';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CoreMetrics } from '../metrics.js';
import type { PortLabel } from './connection-guard.js';

const LOG_EVERY_MS = 10_000;

/**
 * A listening server emits 'error' when accept() fails (EMFILE: out of file descriptors).
 * Unheard, that error would end the process; count it, log it now and then, keep listening.
 */
export function watchAcceptErrors(
  server: Server,
  port: PortLabel,
  deps: { clock: Clock; logger: Logger; metrics: CoreMetrics },
): void {
  let loggedAt = -Infinity;
  server.on('error', (err: NodeJS.ErrnoException) => {
    const reason =
      err.code === 'EMFILE' || err.code === 'ENFILE' ? 'fd_exhausted' : 'accept_failed';
    deps.metrics.connectionsRefused.inc({ port, reason });
    const now = deps.clock.monotonic();
    if (now - loggedAt < LOG_EVERY_MS) return;
    loggedAt = now;
    deps.logger.error('cannot accept connections', { port, code: err.code, error: err.message });
  });
}

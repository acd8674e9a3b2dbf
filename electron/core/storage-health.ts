// The console's own storage as an operator sees it: ingest pauses when the disk refuses
// writes, warnings before the disk or the storage budget fills, and alerts when stored data
// turns out damaged. Wiring only: the logic is in ingest/admission.ts, store/disk-space.ts
// and the metric store; this turns what they report into console alerts and log lines.
import { join } from 'node:path';
import type { Clock } from './clock.js';
import type { CoreConfig } from './config.js';
import { CONSOLE_RULES, formatBytes, type ConsoleAlerts } from './console-alerts.js';
import { IngestAdmission } from './ingest/admission.js';
import type { Logger } from './logger.js';
import { freeBytes, LowDiskWatch, probeWrite } from './store/disk-space.js';
import type { MetricStore, OpenResult, StoreObserver } from './store/metric-store.js';

interface Deps {
  clock: Clock;
  logger: Logger;
  alerts: ConsoleAlerts;
  config: CoreConfig;
}

/**
 * Ingest closes while the data disk refuses writes (agents keep their batches and resend)
 * and while the WAL lags too far behind; a critical alert says so until it is over.
 */
export function createAdmission(deps: Deps, store: () => MetricStore): IngestAdmission {
  const { config, alerts, logger } = deps;
  const tsdbDir = join(config.dataDir, 'tsdb');
  return new IngestAdmission(
    {
      clock: deps.clock,
      queuedBytes: () => store().walQueuedBytes,
      freeBytes: () => freeBytes(tsdbDir),
      probeWrite: () => probeWrite(tsdbDir),
      paused: (reason, error) => {
        logger.error('ingest paused: the metric log cannot be written', {
          reason,
          error: error.message,
        });
        alerts.raise(
          CONSOLE_RULES.ingestPaused,
          'tsdb',
          'critical',
          reason === 'disk_full'
            ? `Disk full: ingest paused. The console cannot write to ${config.dataDir}; agents keep their data and resend it when space is back (needs ${formatBytes(config.diskResumeFreeBytes)} free).`
            : `Ingest paused: writing the metric log failed (${error.message}). Agents keep their data and resend it when writes succeed again.`,
        );
      },
      resumed: (pausedForMs) => {
        logger.info('ingest resumed: the metric log takes writes again', { pausedForMs });
        alerts.clear(CONSOLE_RULES.ingestPaused, 'tsdb');
      },
    },
    {
      maxQueuedBytes: config.walMaxQueuedBytes,
      resumeFreeBytes: config.diskResumeFreeBytes,
      probeMs: config.ingestProbeMs,
      maxProbeMs: 30_000,
    },
  );
}

/** A warning before the data disk fills. */
export function createLowDiskWatch(deps: Deps): LowDiskWatch {
  const { config, alerts } = deps;
  return new LowDiskWatch(
    {
      clock: deps.clock,
      freeBytes: () => freeBytes(config.dataDir),
      low: (free, threshold) =>
        alerts.raise(
          CONSOLE_RULES.lowDisk,
          config.dataDir,
          'warning',
          `Low disk space: ${formatBytes(free)} free where the console keeps its data (${config.dataDir}), below ${formatBytes(threshold)}. Ingest pauses when the disk is full.`,
        ),
      recovered: () => alerts.clear(CONSOLE_RULES.lowDisk, config.dataDir),
    },
    config.lowDiskFreeBytes,
    config.diskCheckEveryMs,
  );
}

/** Share of the storage budget at which a warning says the oldest data will soon go. */
export const BUDGET_WARN_SHARE = 0.9;
/** …and below which it clears (a store hovering at the line does not flap). */
const BUDGET_CLEAR_SHARE = 0.8;

/** Flushes failing in a row before it is an alert (one may fail on a passing hiccup). */
const FLUSH_FAILURES_ALERT = 2;

/** Alerts for what the metric store reports: damaged files, the budget, failed flushes. */
export function storeObserver(deps: Deps): StoreObserver {
  const { alerts, logger } = deps;
  let failedFlushes = 0;
  return {
    damaged(what) {
      for (const d of what) {
        logger.error('damaged metric block skipped', { file: d.name, problem: d.problem });
        alerts.raise(
          CONSOLE_RULES.blockDamaged,
          d.name,
          'critical',
          `Stored metric data is damaged: ${d.problem}. The file is set aside and not read; the data in it is missing from history. Check the disk.`,
        );
      }
    },
    usage(used, budget, deleted) {
      const share = `${formatBytes(used)} of its ${formatBytes(budget)} budget (${Math.round((used / budget) * 100)} %)`;
      if (deleted.length > 0) {
        const from = Math.min(...deleted.map((b) => b.minTs));
        const to = Math.max(...deleted.map((b) => b.maxTs));
        logger.warn('oldest metric data deleted to stay within the storage budget', {
          files: deleted.length,
          bytes: deleted.reduce((n, b) => n + b.bytes, 0),
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        });
        alerts.raise(
          CONSOLE_RULES.storageBudget,
          'tsdb',
          'warning',
          `Metric storage reached its budget: the oldest data (${new Date(from).toISOString()} to ${new Date(to).toISOString()}) was deleted to make room; it now uses ${share}. Raise diskBudgetBytes or shorten retention to keep more.`,
        );
      } else if (used >= budget * BUDGET_WARN_SHARE) {
        alerts.raise(
          CONSOLE_RULES.storageBudget,
          'tsdb',
          'warning',
          `Metric storage uses ${share}. At the budget the oldest data is deleted first; raise diskBudgetBytes or shorten retention to keep more.`,
        );
      } else if (used < budget * BUDGET_CLEAR_SHARE) {
        alerts.clear(CONSOLE_RULES.storageBudget, 'tsdb');
      }
    },
    flushFailed(err) {
      failedFlushes++;
      logger.error('metric flush failed; the WAL keeps the data and it is retried', {
        error: err.message,
        inARow: failedFlushes,
      });
      if (failedFlushes < FLUSH_FAILURES_ALERT) return;
      alerts.raise(
        CONSOLE_RULES.flushFailing,
        'tsdb',
        'critical',
        `Metric flushes are failing (${failedFlushes} in a row: ${err.message}). Nothing acked is lost — the write-ahead log keeps it — but the log grows and a restart replays all of it. Check the disk.`,
      );
    },
    flushed() {
      if (failedFlushes === 0) return;
      failedFlushes = 0;
      alerts.clear(CONSOLE_RULES.flushFailing, 'tsdb');
    },
  };
}

/** After the store opened: what replay found damaged is an alert. */
export function reportReplay(deps: Deps, replayed: OpenResult): void {
  if (replayed.corrupt === 0 && replayed.orphanSamples === 0) return;
  deps.alerts.raise(
    CONSOLE_RULES.walCorrupt,
    'tsdb/wal',
    'warning',
    `${replayed.corrupt} damaged line(s) in the metric write-ahead log were skipped at start-up` +
      (replayed.orphanSamples > 0
        ? `, and ${replayed.orphanSamples} sample(s) whose series definition was lost`
        : '') +
      '. The data in them is missing from history; everything else was loaded. Check the disk.',
  );
}

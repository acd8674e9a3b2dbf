import type { Severity } from '../../shared/model.js';
import type { AlertBook } from './incidents/alert-book.js';
import { consoleAlert } from './incidents/console-alert.js';

/**
 * Alerts about the console itself (its disk, its files), not about an agent or a region.
 * They go through the same alert book and lifecycle as every other alert.
 */
export class ConsoleAlerts {
  constructor(private readonly alerts: AlertBook) {}

  /** Open the alert, or (already open) bring its message up to date without a new notification. */
  raise(ruleId: string, subjectKey: string, severity: Severity, message: string): void {
    this.alerts.report(consoleAlert(ruleId, subjectKey, severity, message));
    this.alerts.revise(ruleId, subjectKey, message, null);
  }

  /** The condition is over: the open alert (if any) resolves by itself. */
  clear(ruleId: string, subjectKey: string): void {
    this.alerts.clear(ruleId, subjectKey, null);
  }
}

/** Rule ids of console alerts, for tests and docs. */
export const CONSOLE_RULES = {
  stateRecovered: 'state_recovered',
  blockDamaged: 'metric_block_damaged',
  storageBudget: 'storage_budget',
  flushFailing: 'storage_flush_failing',
  walCorrupt: 'wal_corrupt',
  ingestPaused: 'ingest_paused',
  lowDisk: 'low_disk_space',
  /** The audit trail's hash chain does not hold (electron/core/audit/start-check.ts). */
  auditChainBroken: 'audit_chain_broken',
  /** A regional relay's link is lost (electron/core/relay/central/relay-hub.ts). */
  relayUnreachable: 'relay_unreachable',
} as const;

/** Bytes for people: 1.5 GiB, 312 MiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

// The audit trail's place in the console's life: `console.start` once it is open, the chain
// check in the background (ingest and the API do not wait for it), `console.stop` last.
// Its figures on /metrics. Kept here so core.ts only calls in.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditChainStatus } from '../../../shared/compliance.js';
import type { AuditLog } from './audit-log.js';
import { checkChainAtStart } from './start-check.js';
import type { Logger } from '../logger.js';

export interface AuditTrailRun {
  /** The start-up check, settled (never rejects). */
  checked: Promise<unknown>;
}

export function auditMetrics(registry: Registry) {
  return {
    records: new Counter({
      name: 'meridian_audit_records_total',
      help: 'Records appended to the audit trail (audit.ndjson).',
      registers: [registry],
    }),
    writes: new Counter({
      name: 'meridian_audit_writes_total',
      help: 'Durable writes (one fsync each) of the audit trail; records share them.',
      registers: [registry],
    }),
    breaks: new Gauge({
      name: 'meridian_audit_chain_breaks',
      help: 'Breaks in the audit hash chain found by the last check (recorded or not).',
      registers: [registry],
    }),
  };
}

export async function startAuditTrail(p: {
  audit: AuditLog;
  logger: Logger;
  registry: Registry;
  version: string;
  dataDir: string;
  raiseAlert(message: string): void;
}): Promise<AuditTrailRun> {
  const m = auditMetrics(p.registry);
  p.audit.onWrite = (records) => {
    m.records.inc(records);
    m.writes.inc();
  };
  p.audit.onVerified = (r) => m.breaks.set(r.recordedBreaks + (r.unrecordedBreak ? 1 : 0));
  await p.audit.record({
    by: 'console',
    action: 'console.start',
    target: 'console',
    details: { version: p.version, dataDir: p.dataDir },
  });
  const checked = checkChainAtStart({
    audit: p.audit,
    logger: p.logger,
    raiseAlert: p.raiseAlert,
  });
  return { checked };
}

export async function stopAuditTrail(audit: AuditLog, run: AuditTrailRun | null): Promise<void> {
  // A start-up check of a long chain is still reading: stop it, shutdown does not wait for it.
  audit.cancelChecks();
  await run?.checked;
  await audit.record({ by: 'console', action: 'console.stop', target: 'console' }).catch(() => {});
  await audit.close();
}

/** The chain's state for the compliance controls: its head, and whether it last verified. */
export function auditChainStatus(audit: Pick<AuditLog, 'head' | 'lastVerification'>) {
  return (): AuditChainStatus => {
    const head = audit.head();
    const checked = audit.lastVerification;
    return {
      enabled: true,
      verified: checked ? checked.ok : null,
      headHash: head.hash,
      headSeq: head.seq,
    };
  };
}

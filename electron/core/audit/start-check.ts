// The console's own check of the audit chain at start-up: streamed, in the background (ingest
// and the API are already up), over the file as it was on open. A break nobody recorded yet
// raises a critical console alert and is written into the chain as an `audit.segment` record,
// and the head is checkpointed at once: later records chain on from there, later checks see
// the break as recorded instead of raising it again on every start.
import type { AuditBreak, AuditVerifyResult } from '../../../shared/audit.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from './audit-log.js';

export interface StartCheckDeps {
  audit: AuditLog;
  logger: Logger;
  raiseAlert(message: string): void;
}

export const describeBreak = (b: AuditBreak): string =>
  `line ${b.line} ${b.kind}: expected ${b.expected}; found ${b.found}`;

export async function checkChainAtStart(d: StartCheckDeps): Promise<AuditVerifyResult | null> {
  const { audit } = d;
  let result: AuditVerifyResult;
  try {
    result = await audit.verify({
      endByte: audit.bytesAtOpen,
      checkpoint: audit.checkpointAtOpen,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError')
      d.logger.info('audit chain check stopped at shutdown');
    else d.logger.error('audit chain check failed to run', { error: (err as Error).message });
    return null;
  }
  const found = result.unrecordedBreak;
  if (!found) {
    d.logger.info('audit chain verified', {
      records: result.records,
      recordedBreaks: result.recordedBreaks,
      ms: result.durationMs,
    });
    return result;
  }
  const text = describeBreak(found);
  d.logger.error('audit chain broken', { ...found });
  d.raiseAlert(
    `The audit trail (audit.ndjson) was tampered with or damaged: ${text}. New records continue on a new chain segment.`,
  );
  await audit.record({
    by: 'console',
    action: 'audit.segment',
    target: 'audit.ndjson',
    details: { break: found, records: result.records },
  });
  await audit.writeHead();
  return result;
}

import type { Severity } from '../../../shared/model.js';
import type { AlertReport } from './alert-book.js';

/** An alert about the console itself (its files, its limits), not about an agent or region. */
export function consoleAlert(
  ruleId: string,
  subjectKey: string,
  severity: Severity,
  message: string,
): AlertReport {
  return {
    ruleId,
    subjectKey,
    subject: { kind: 'console', regionId: null, agentId: null },
    severity,
    message,
    metric: null,
    value: null,
    threshold: null,
    sampleArrivedAt: null,
    arrivedMono: null,
    forMs: 0,
  };
}

// The console's own state, as the console-scope controls read it (controls.yml `state:`):
// the audit trail, event retention, failed-login alerting and the console host's clock.
// Each comes from a dependency passed in, so tests (and the other parts of the console, as
// they grow) decide what it says.
import type { AuditChainStatus } from '../../../shared/compliance.js';
import type { StateReading } from './evaluate.js';

export const CONSOLE_STATES = {
  auditVerified: 'audit.verified',
  auditEnabled: 'audit.enabled',
  eventRetentionDays: 'events.retention_days',
  sshBruteForce: 'detection.ssh_brute_force',
  timeSynchronized: 'console.time_synchronized',
} as const;

/** The Sigma rule whose being in force is "failed-login alerting enabled". */
export const SSH_BRUTE_FORCE_RULE = 'meridian_ssh_brute_force';

export interface ConsoleStateDeps {
  now(): number;
  /** The audit trail (a seam: the hash-chained audit log reports itself through this). */
  auditStatus(): AuditChainStatus;
  /** config.eventRetentionDays, read defensively: anything but a number is "not configured". */
  eventRetentionDays(): unknown;
  /** Whether a detection rule (by Sigma name or id) is loaded and in force. */
  detectionRule(name: string): { loaded: boolean; status: string | null };
  /** The console host's clock synchronisation, as last read (null: not known). */
  timeSync(): { synced: boolean | null; source: string; raw: string; reason?: string };
}

export function readConsoleState(deps: ConsoleStateDeps): Map<string, StateReading> {
  const at = deps.now();
  const out = new Map<string, StateReading>();
  const audit = deps.auditStatus();
  const auditRaw = JSON.stringify(audit);
  out.set(CONSOLE_STATES.auditEnabled, {
    value: audit.enabled,
    source: 'audit trail',
    raw: auditRaw,
    at,
  });
  out.set(CONSOLE_STATES.auditVerified, {
    value: audit.enabled ? audit.verified : false,
    source: 'audit trail',
    raw: auditRaw,
    at,
    ...(audit.enabled && audit.verified === null
      ? { reason: 'the audit chain has not been verified (or has no hash chain)' }
      : {}),
    ...(!audit.enabled ? { reason: 'the audit trail is off' } : {}),
  });
  const days = deps.eventRetentionDays();
  out.set(CONSOLE_STATES.eventRetentionDays, {
    value: typeof days === 'number' && Number.isFinite(days) ? days : null,
    source: 'config eventRetentionDays',
    raw: days === undefined ? '(not set)' : JSON.stringify(days),
    at,
    ...(typeof days === 'number'
      ? {}
      : { reason: 'eventRetentionDays is not configured: no time-based event retention' }),
  });
  const rule = deps.detectionRule(SSH_BRUTE_FORCE_RULE);
  const inForce = rule.loaded && rule.status !== 'deprecated' && rule.status !== 'unsupported';
  out.set(CONSOLE_STATES.sshBruteForce, {
    value: inForce,
    source: `detection rule ${SSH_BRUTE_FORCE_RULE}`,
    raw: rule.loaded ? `loaded, status ${rule.status ?? 'none'}` : 'not loaded',
    at,
  });
  const time = deps.timeSync();
  out.set(CONSOLE_STATES.timeSynchronized, {
    value: time.synced,
    source: time.source,
    raw: time.raw,
    at,
    ...(time.reason ? { reason: time.reason } : {}),
  });
  return out;
}

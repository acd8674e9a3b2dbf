// The core's compliance side, built from its parts: the service, its /metrics figures and its
// seams to the rest of the console (the audit trail, the detection rules, the config). Kept
// out of core.ts (as security-wiring.ts is) so the core stays about lifecycle.
import { Counter, type Registry } from 'prom-client';
import type { AuditChainStatus } from '../../../shared/compliance.js';
import type { Clock } from '../clock.js';
import type { CoreConfig } from '../config.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { SecurityService } from '../security/security-service.js';
import { ComplianceService } from './compliance-service.js';
import { readConsoleTimeSync } from './console-time.js';

export interface ComplianceParts {
  config: CoreConfig;
  clock: Clock;
  logger: Logger;
  metrics: { registry: Registry };
  fleet: Pick<Fleet, 'listAgents' | 'agent' | 'regions'>;
  audit: Pick<AuditLog, 'list' | 'record'>;
  security: Pick<SecurityService, 'ruleStatus'>;
  /** The audit trail's chain state (electron/core/audit/audit-wiring.ts auditChainStatus). */
  auditStatus: () => AuditChainStatus;
}

export function createCompliance(p: ComplianceParts): ComplianceService {
  const factsReceived = new Counter({
    name: 'meridian_posture_facts_received_total',
    help: 'Posture facts received from agents, by whether they changed the stored value.',
    labelNames: ['outcome'],
    registers: [p.metrics.registry],
  });
  return new ComplianceService(
    {
      clock: p.clock,
      logger: p.logger,
      dataDir: p.config.dataDir,
      fleet: {
        listAgents: () => p.fleet.listAgents(),
        agent: (id) => p.fleet.agent(id),
        regionIds: () => p.fleet.regions().map((r) => r.id),
      },
      state: {
        auditStatus: p.auditStatus,
        eventRetentionDays: () => p.config.eventRetentionDays,
        detectionRule: (name) => p.security.ruleStatus(name),
      },
      readTimeSync: () => readConsoleTimeSync(),
      recordExport: (by, detail) =>
        p.audit.record({
          by,
          action: 'compliance.export',
          target: `compliance:${String(detail.format)}`,
          before: null,
          after: detail,
        }),
      onFacts: ({ facts, changed }) => {
        if (changed > 0) factsReceived.inc({ outcome: 'changed' }, changed);
        if (facts > changed) factsReceived.inc({ outcome: 'unchanged' }, facts - changed);
      },
    },
    { snapshotEveryMs: 60 * 60_000 },
  );
}

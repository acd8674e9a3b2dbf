// Per-agent credentials as the core uses them: the ingest port asks who a token is
// (IngestCredentials); operators list and revoke keys and rotate the enrolment secret over
// the API, each change recorded in the audit log before it is reported done.
import type { AgentKeyView, EnrolmentSecretRotated } from '../../../shared/credentials.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthOutcome, IngestCredentials } from '../ingest/ingest-auth.js';
import { AgentKeys, parseKeyToken } from './agent-keys.js';
import type { createCredentialsMetrics } from './credentials-metrics.js';
import type { EnrolmentSecret } from './enrolment-secret.js';

export interface CredentialsDeps {
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditLog, 'record'>;
  metrics: ReturnType<typeof createCredentialsMetrics>;
  keys: AgentKeys;
  secret: EnrolmentSecret;
  /** Close the live connections of a revoked key; returns how many. */
  disconnectKey(keyId: string): number;
}

/** Thrown for an unknown agent or key (the route answers 404). */
export class CredentialNotFound extends Error {}

export class Credentials implements IngestCredentials {
  /** Legacy agents already warned about (one log line each, not one per reconnect). */
  private readonly warnedLegacy = new Set<string>();

  constructor(private readonly deps: CredentialsDeps) {}

  authenticate(token: string): AuthOutcome {
    if (parseKeyToken(token)) {
      const check = this.deps.keys.check(token);
      if (check.ok) return { kind: 'key', agentId: check.agentId, keyId: check.keyId };
      return { kind: 'refused', reason: check.reason };
    }
    return this.deps.secret.matches(token)
      ? { kind: 'enrolment' }
      : { kind: 'refused', reason: 'unknown' };
  }

  enrolled(agentId: string): boolean {
    return this.deps.keys.enrolled(agentId);
  }

  async issue(agentId: string): Promise<{ keyId: string; key: string }> {
    const issued = await this.deps.keys.issue(agentId);
    this.deps.metrics.keysIssued.inc();
    await this.deps.audit.record({
      by: 'system',
      action: 'agent.key.enrol',
      target: agentId,
      before: null,
      after: { keyId: issued.keyId },
    });
    return issued;
  }

  used(keyId: string): void {
    this.deps.keys.used(keyId);
  }

  legacyHello(agentId: string): void {
    this.deps.metrics.legacyHellos.inc();
    if (this.warnedLegacy.has(agentId)) return;
    this.warnedLegacy.add(agentId);
    this.deps.logger.warn(
      'agent connected with the enrolment secret and protocol 1 (no key of its own); upgrade it to enrol',
      { agentId },
    );
  }

  list(agentId: string): AgentKeyView[] {
    return this.deps.keys.list(agentId);
  }

  /** Revoke, durably and audited, then cut the agent's live connection. */
  async revoke(
    agentId: string,
    keyId: string,
    by: string,
    comment?: string,
  ): Promise<{ key: AgentKeyView; disconnected: number }> {
    const before = this.deps.keys.get(keyId);
    if (!before || before.agentId !== agentId)
      throw new CredentialNotFound(`agent ${agentId} has no key ${keyId}`);
    const key = (await this.deps.keys.revoke(keyId, by))!;
    if (before.revokedAt === null) {
      this.deps.metrics.keysRevoked.inc();
      await this.deps.audit.record({
        by,
        action: 'agent.key.revoke',
        target: agentId,
        before: { keyId, revokedAt: null },
        after: { keyId, revokedAt: key.revokedAt, ...(comment ? { comment } : {}) },
      });
    }
    const disconnected = this.deps.disconnectKey(keyId);
    this.deps.logger.info('agent key revoked', { agentId, keyId, by, disconnected });
    return { key, disconnected };
  }

  /** A new enrolment secret; keys already issued stay valid. */
  async rotateSecret(by: string): Promise<EnrolmentSecretRotated> {
    const secret = await this.deps.secret.rotate();
    const rotatedAt = this.deps.clock.now();
    this.deps.metrics.secretRotations.inc();
    // The secret itself never goes into the audit log.
    await this.deps.audit.record({
      by,
      action: 'ingest.enrolment_secret.rotate',
      target: 'ingest',
      before: null,
      after: { rotatedAt },
    });
    this.deps.logger.info('enrolment secret rotated', { by });
    return { secret, rotatedAt };
  }
}

import { Counter, Gauge, type Registry } from 'prom-client';

/** /metrics for agent credentials: enrolments, revocations, legacy (key-less) agents. */
export function createCredentialsMetrics(registry: Registry, keysLive: () => number) {
  return {
    keysIssued: new Counter({
      name: 'meridian_agent_keys_issued_total',
      help: 'Agent keys issued on enrolment (an agent presented the enrolment secret with protocol 2).',
      registers: [registry],
    }),
    keysRevoked: new Counter({
      name: 'meridian_agent_keys_revoked_total',
      help: 'Agent keys revoked by an operator.',
      registers: [registry],
    }),
    legacyHellos: new Counter({
      name: 'meridian_ingest_legacy_auth_total',
      help: 'Connections of protocol-1 agents on the enrolment secret alone (no key of their own): accepted for compatibility, each logged as a warning.',
      registers: [registry],
    }),
    secretRotations: new Counter({
      name: 'meridian_enrolment_secret_rotations_total',
      help: 'Rotations of the enrolment secret.',
      registers: [registry],
    }),
    keysLive: new Gauge({
      name: 'meridian_agent_keys',
      help: 'Agent keys on record (live and revoked).',
      registers: [registry],
      collect() {
        this.set(keysLive());
      },
    }),
  };
}

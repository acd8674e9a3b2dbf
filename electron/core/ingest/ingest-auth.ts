// Who an ingest connection is, decided at the HTTP upgrade from its bearer token: an agent
// key (bound to one agent id), the enrolment secret (an agent that has no key yet, or an
// old agent that never takes one), or nobody.

export type IngestAuth =
  | { kind: 'key'; agentId: string; keyId: string }
  /** The enrolment secret: a protocol-2 hello gets a key; protocol 1 is a legacy agent. */
  | { kind: 'enrolment' };

export type AuthOutcome = IngestAuth | { kind: 'refused'; reason: 'unknown' | 'revoked' };

/** What ingest asks of the credentials side (electron/core/credentials/). */
export interface IngestCredentials {
  authenticate(token: string): AuthOutcome;
  /** Whether any key was ever issued for this agent id (it may then only use its key). */
  enrolled(agentId: string): boolean;
  /**
   * A new key for the agent; resolves once its record is durable. null: this side issues no
   * keys (a relay: its agents keep presenting its secret).
   */
  issue(agentId: string): Promise<{ keyId: string; key: string } | null>;
  /** A connection authenticated with this key was accepted. */
  used(keyId: string): void;
  /** A protocol-1 hello on the enrolment secret (an agent that cannot take a key). */
  legacyHello(agentId: string): void;
}

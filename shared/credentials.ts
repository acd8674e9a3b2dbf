// Per-agent credentials and the ingest port's TLS, as the REST API shows them
// (electron/core/credentials/). Keys themselves never leave the console after enrolment:
// these are their records.

/** One agent key's record. The console keeps only the key's SHA-256, never the key. */
export interface AgentKeyView {
  keyId: string;
  agentId: string;
  createdAt: number;
  /** Last connection authenticated with it; null when never used since enrolment. */
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** The enrolment secret after a rotation; keys already issued stay valid. */
export interface EnrolmentSecretRotated {
  /** The new secret (the old one is refused from now on). */
  secret: string;
  rotatedAt: number;
}

export interface CredentialsRoutes {
  /** An agent's keys, newest first (revoked ones included). */
  'GET /api/v1/agents/:id/keys': {
    query: Record<string, never>;
    body: never;
    response: { keys: AgentKeyView[] };
  };
  /** Revoke a key: the agent is disconnected at once (close 4013) and refused afterwards. */
  'POST /api/v1/agents/:id/keys/:key/revoke': {
    query: Record<string, never>;
    body: { by?: string; comment?: string };
    response: { key: AgentKeyView; disconnected: number };
  };
  /** New enrolment secret; agents enrolled already keep their own keys. */
  'POST /api/v1/ingest/enrolment-secret/rotate': {
    query: Record<string, never>;
    body: { by?: string };
    response: EnrolmentSecretRotated;
  };
}

export type CredentialsRouteKey = keyof CredentialsRoutes;

/** `sha256:` + 64 lowercase hex digits: how a CA fingerprint is written everywhere. */
export function formatFingerprint(hex: string): string {
  return `sha256:${hex.replace(/:/g, '').toLowerCase()}`;
}

/**
 * A fingerprint as an operator may paste it (`sha256:ab…`, `AB:CD:…` as openssl prints it,
 * or bare hex) in the canonical form, or null when it is not a SHA-256 fingerprint.
 */
export function parseFingerprint(raw: string): string | null {
  const hex = raw
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : null;
}

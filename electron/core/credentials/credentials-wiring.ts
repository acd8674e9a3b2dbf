// The core's credentials side: agent keys (agent-keys.ndjson), the enrolment secret
// (agent-token) and the ingest port's TLS material (tls/), built at start before ingest
// listens. Kept out of core.ts, as ingest-wiring.ts is.
import { isIP } from 'node:net';
import type { Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import { ConfigError } from '../config-error.js';
import type { CoreConfig } from '../config.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import { advertisedHost } from '../ingest/ingest-wiring.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AgentKeys } from './agent-keys.js';
import { Credentials } from './credentials.js';
import { createCredentialsMetrics } from './credentials-metrics.js';
import { EnrolmentSecret } from './enrolment-secret.js';
import { loadOperatorTls, loadOrCreateTls, type TlsMaterial } from './tls-material.js';

export interface CredentialParts {
  clock: Clock;
  logger: Logger;
  ids: IdSource;
  audit: Pick<AuditLog, 'record'>;
  registry: Registry;
  /** Where the enrolment secret came from, when not the file (a rotation cannot change it). */
  secretFixedBy: string | null;
  disconnectKey(keyId: string): number;
}

export interface CoreCredentials {
  service: Credentials;
  keys: AgentKeys;
  secret: EnrolmentSecret;
  /** null when ingest is plain ws://. */
  tls: TlsMaterial | null;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** A non-loopback ingest host must serve TLS, unless the operator said --insecure-ingest. */
export function checkIngestTransport(
  config: Pick<CoreConfig, 'ingestHost' | 'ingestTls' | 'insecureIngest'>,
): void {
  if (config.ingestTls !== 'off' || config.insecureIngest || isLoopbackHost(config.ingestHost))
    return;
  throw new ConfigError(
    `ingestHost '${config.ingestHost}' is not loopback and ingestTls is 'off': agents' keys and data would cross the network in clear text. Turn TLS on (ingestTls 'auto' or your own cert/key) or pass --insecure-ingest (config insecureIngest: true)`,
  );
}

export async function createCredentials(
  config: CoreConfig,
  agentToken: string,
  p: CredentialParts,
): Promise<CoreCredentials> {
  checkIngestTransport(config);
  const keys = new AgentKeys(config.dataDir, p);
  await keys.open();
  const secret = new EnrolmentSecret(agentToken, config.dataDir, p.secretFixedBy);
  const tls = await loadTls(config, p.clock);
  const service = new Credentials({
    clock: p.clock,
    logger: p.logger,
    audit: p.audit,
    metrics: createCredentialsMetrics(p.registry, () => keys.size),
    keys,
    secret,
    disconnectKey: (keyId) => p.disconnectKey(keyId),
  });
  return { service, keys, secret, tls };
}

/** The ingest port's TLS material by its setting (also a relay's, for its own agents). */
export async function loadTls(
  config: Pick<CoreConfig, 'dataDir' | 'ingestHost' | 'ingestTls'>,
  clock: Clock,
): Promise<TlsMaterial | null> {
  const setting = config.ingestTls;
  if (setting === 'off') return null;
  if (setting === 'auto')
    return loadOrCreateTls(config.dataDir, config.ingestHost, new Date(clock.now()), [
      advertisedHost(config.ingestHost),
    ]);
  try {
    return await loadOperatorTls(setting.cert, setting.key);
  } catch (err) {
    throw new ConfigError(`ingestTls: ${(err as Error).message}`);
  }
}

// The console's relay hub, built from the core's parts (kept out of core.ts).
import type { CoreConfig } from '../../config.js';
import type { Registry } from 'prom-client';
import { createRelayMetrics } from './relay-metrics.js';
import { RelayHub, type RelayHubDeps } from './relay-hub.js';

export function createRelayHub(
  config: CoreConfig,
  deps: Omit<RelayHubDeps, 'metrics' | 'credentials'> & { metricsRegistry: Registry },
  credentials: () => RelayHubDeps['credentials'] | null,
): RelayHub {
  const { metricsRegistry, ...rest } = deps;
  // Credentials exist once the core has started; the hub asks for them per hello.
  const lazy: RelayHubDeps['credentials'] = {
    authenticate: (t) => credentials()!.authenticate(t),
    enrolled: (id) => credentials()?.enrolled(id) ?? false,
    issue: (id) => credentials()!.issue(id),
    used: (keyId) => credentials()?.used(keyId),
    legacyHello: (id) => credentials()?.legacyHello(id),
  };
  return new RelayHub(
    { ...rest, credentials: lazy, metrics: createRelayMetrics(metricsRegistry) },
    {
      dataDir: config.dataDir,
      pingIntervalMs: config.pingIntervalMs,
      statusIntervalMs: config.relayStatusIntervalMs,
      holdMs: config.relayHoldMs,
      restartGraceMs: config.restartGraceMs,
      maxSendBufferBytes: config.maxSendBufferBytes,
    },
  );
}

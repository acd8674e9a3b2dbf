// The core's own figures for the API: the header's live stats, the storage report and the
// session a console page starts from. Kept out of core.ts so the core stays about lifecycle.
import type { ConsoleStats, SessionInfo, StorageReport } from '../../shared/api.js';
import type { Severity } from '../../shared/model.js';
import type { MonitoringCore } from './core.js';
import { VERSION } from './version.js';

export function consoleStats(core: MonitoringCore, agentsConnected: number): ConsoleStats {
  const count = (s: Severity) => core.alerts.openCount(s);
  return {
    serverTime: core.clock.now(),
    agentsTotal: core.fleet.size,
    agentsOnline: core.fleet.onlineCount(),
    agentsConnected,
    samplesPerSecond: core.live.samplesPerSecond(),
    sampleToAlertP99Ms: core.live.latencyP99(),
    alertsOpen: { critical: count('critical'), warning: count('warning'), info: count('info') },
  };
}

export async function storageReport(core: MonitoringCore): Promise<StorageReport> {
  return {
    serverTime: core.clock.now(),
    dataDir: core.config.dataDir,
    samplesPerSecond: core.live.samplesPerSecond(),
    diskFreeBytes: core.lowDisk.lastFree,
    ...(await core.store.storageReport()),
  };
}

export function sessionInfo(core: MonitoringCore, ingestUrl: string): SessionInfo {
  return {
    version: VERSION,
    agentToken: core.credentials?.secret.value ?? core.agentToken,
    ...(core.credentials?.tls ? { caFingerprint: core.credentials.tls.fingerprint } : {}),
    ingestUrl,
    heartbeatIntervalMs: core.config.heartbeatIntervalMs,
    serverTime: core.clock.now(),
    operators: [...core.config.operators],
  };
}

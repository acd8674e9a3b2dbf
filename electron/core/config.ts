import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { RegionDefinition } from '../../shared/regions.js';
import type { LogLevel } from './logger.js';
import { ConfigError } from './config-error.js';
import { NetLimitSettings } from './net/limits.js';
import { DEFAULT_RETENTION, type Retention } from './store/tsdb.js';
import { DEFAULT_INCIDENT_OPTIONS, type IncidentOptions } from './incidents/incident-options.js';
import { DEFAULT_NOTIFY_OPTIONS } from './notify/defaults.js';
import {
  AlertmanagerResendSetting,
  AlertmanagersSetting,
  checkAlertmanagers,
} from './interop/alertmanager-config.js';
import type { AlertmanagerConfig } from './interop/alertmanager-target.js';
import { RemoteWriteSetting as RemoteWriteReceiverSetting } from './remote-write/remote-write-config.js';
import {
  RemoteWriteSetting,
  checkRemoteWrite,
  type RemoteWriteConfig,
} from './interop/remote-write-out/config.js';

export const DEFAULT_API_PORT = 4780;
export const DEFAULT_INGEST_PORT = 4781;

export type IngestTls = 'auto' | 'off' | { cert: string; key: string };

export interface CoreConfig {
  dataDir: string;
  /** 0 picks a free port (tests). The API always binds 127.0.0.1. */
  apiPort: number;
  ingestHost: string;
  ingestPort: number;
  /**
   * TLS on the ingest port: 'auto' (a private CA and server certificate made on first run in
   * <dataDir>/tls/), 'off' (plain ws://), or the operator's own PEM files.
   */
  ingestTls: IngestTls;
  /** Allow plain ws:// on a non-loopback ingest host (otherwise a config error). */
  insecureIngest: boolean;
  /** Random per launch when not given. */
  sessionToken: string | null;
  /** Read from (or created in) <dataDir>/agent-token when not given. */
  agentToken: string | null;
  heartbeatIntervalMs: number;
  missedHeartbeatsBeforeOffline: number;
  /** After a restart, agents that were online have this long to reconnect. */
  restartGraceMs: number;
  allowUnknownRegions: boolean;
  regions: RegionDefinition[];
  maxSeriesPerAgent: number;
  /**
   * Registered agents at most. A hello that would register one more is refused (close 4011)
   * and raises an alert; known agents reconnecting are never refused.
   */
  maxAgents: number;
  /** How long each tier of the metric store keeps data. */
  retention: Retention;
  /** WAL group-commit window; acks wait for it. */
  walFlushMs: number;
  checkpointEveryMs: number;
  checkpointWalBytes: number;
  /**
   * How far behind its series' newest sample a sample may arrive and still be stored (a
   * resend after a pause or a reconnect). Older ones are refused with `out_of_order`.
   */
  outOfOrderWindowMs: number;
  /** Block files and WAL together stay under this; past it the oldest data goes first. */
  diskBudgetBytes: number;
  /** A series with no sample for this long leaves memory at the next flush. */
  headIdleMs: number;
  /** Ingest pauses (agents told to wait) while more than this waits for the WAL. */
  walMaxQueuedBytes: number;
  /** After a failed write, ingest resumes once the data disk has this much free. */
  diskResumeFreeBytes: number;
  /** A warning alert is raised when the data disk has less than this free. */
  lowDiskFreeBytes: number;
  diskCheckEveryMs: number;
  /** How often a paused ingest looks for space again (doubles after each relapse, up to 30 s). */
  ingestProbeMs: number;
  /** How often trends are recomputed (they are also computed on demand). */
  analysisEveryMs: number;
  /** Forecasts of the regions' averages are recomputed this often … */
  forecastRegionsEveryMs: number;
  /** … and of every agent's capacity series this often (both on the forecast worker). */
  forecastAgentsEveryMs: number;
  /** History a series needs before anomaly rules score it (its baseline's warm-up). */
  anomalyWarmupMs: number;
  persistDebounceMs: number;
  /** No longer used (events live in the event log); accepted so old config files load. */
  maxStoredEvents: number;
  /** Agent events are kept this many days (PCI DSS 10.5.1 asks for a year), whole segments dropped. */
  eventRetentionDays: number;
  /** The event log's size bound (<data-dir>/events); past it the oldest segments go first. */
  eventMaxBytes: number;
  maxResolvedAlerts: number;
  pingIntervalMs: number;
  maxSendBufferBytes: number;
  /** Regional relays: how often each reports its health, how long its agents are held after its link is lost. */
  relayStatusIntervalMs: number;
  relayHoldMs: number;
  /** Connection caps and timeouts of both ports; unset ones are derived from the open-files limit. */
  limits: NetLimitSettings;
  /** The built renderer to serve, or null for the placeholder page. */
  rendererDir: string | null;
  /**
   * Operator names. With several, every action over the API must say `by`; with one, it is
   * the default `by`; with none, the default is "operator".
   */
  operators: string[];
  /** Alerts of one region within this of an incident's last alert join that incident. */
  incidentGroupWindowMs: number;
  /** A resolved incident that a related alert fires into within this is reopened. */
  incidentReopenWindowMs: number;
  /** An alert firing more than `flapMaxFires` times within `flapWindowMs` is flapping. */
  flapMaxFires: number;
  flapWindowMs: number;
  /** Resolved incidents stay in the incident log this long… */
  incidentRetentionMs: number;
  /** …and the log's live records under this many bytes (oldest resolved go first). */
  incidentLogMaxBytes: number;
  /** A new incident is held this long before its first page (Alertmanager's group_wait). */
  notifyGroupWaitMs: number;
  /**
   * After the console starts, no recovery run acts for this long (runs wait `deferred`): the
   * fleet reconnects and reports first, so a restart is not read as an outage to repair.
   */
  recoveryGraceMs: number;
  /** Recovery runs that act on one agent within an hour, all runbooks together. */
  recoveryMaxRunsPerAgentPerHour: number;
  /** Ended recovery runs (and their actions) are kept this long… */
  recoveryRetentionMs: number;
  /** …and at most this many of them. */
  recoveryMaxRuns: number;
  /** External Alertmanagers the alerts are forwarded to (electron/core/interop/). */
  alertmanagers: AlertmanagerConfig[];
  /** Open alerts are posted to them again this often (Prometheus' resend delay). */
  alertmanagerResendMs: number;
  /** Prometheus remote-write into the ingest port (electron/core/remote-write/). */
  remoteWriteReceiver: RemoteWriteReceiverSetting;
  /** Long-term stores every ingested sample is forwarded to (interop/remote-write-out/). */
  remoteWrite: RemoteWriteConfig[];
  logLevel: LogLevel;
}

/** The incident manager's settings from the config. */
export function incidentOptions(c: CoreConfig): IncidentOptions {
  return {
    groupWindowMs: c.incidentGroupWindowMs,
    reopenWindowMs: c.incidentReopenWindowMs,
    flap: { maxFires: c.flapMaxFires, windowMs: c.flapWindowMs },
    retentionMs: c.incidentRetentionMs,
    maxBytes: c.incidentLogMaxBytes,
    debounceMs: c.persistDebounceMs,
  };
}

export function defaultDataDir(): string {
  return join(homedir(), '.meridian');
}

export function defaultConfig(overrides: Partial<CoreConfig> = {}): CoreConfig {
  return {
    dataDir: defaultDataDir(),
    apiPort: DEFAULT_API_PORT,
    ingestHost: '127.0.0.1',
    ingestPort: DEFAULT_INGEST_PORT,
    ingestTls: 'auto',
    insecureIngest: false,
    sessionToken: null,
    agentToken: null,
    heartbeatIntervalMs: 1_000,
    missedHeartbeatsBeforeOffline: 3,
    restartGraceMs: 40_000,
    allowUnknownRegions: false,
    regions: [],
    maxSeriesPerAgent: 1_000,
    maxAgents: 10_000,
    retention: DEFAULT_RETENTION,
    walFlushMs: 50,
    checkpointEveryMs: 5 * 60_000,
    // Start-up replays at most this much WAL (~6 M samples, about a second).
    checkpointWalBytes: 64 * 1024 * 1024,
    outOfOrderWindowMs: 60 * 60_000,
    diskBudgetBytes: 10 * 1024 ** 3,
    headIdleMs: 60 * 60_000,
    walMaxQueuedBytes: 64 * 1024 * 1024,
    diskResumeFreeBytes: 64 * 1024 * 1024,
    lowDiskFreeBytes: 1024 * 1024 * 1024,
    diskCheckEveryMs: 30_000,
    ingestProbeMs: 1_000,
    analysisEveryMs: 60_000,
    forecastRegionsEveryMs: 5 * 60_000,
    forecastAgentsEveryMs: 60 * 60_000,
    anomalyWarmupMs: 24 * 60 * 60_000,
    persistDebounceMs: 1_000,
    maxStoredEvents: 10_000,
    eventRetentionDays: 400,
    eventMaxBytes: 2 * 1024 ** 3,
    maxResolvedAlerts: 5_000,
    pingIntervalMs: 10_000,
    maxSendBufferBytes: 1024 * 1024,
    relayStatusIntervalMs: 5_000,
    relayHoldMs: 24 * 3_600_000,
    limits: {},
    rendererDir: null,
    logLevel: 'info',
    operators: [],
    incidentGroupWindowMs: DEFAULT_INCIDENT_OPTIONS.groupWindowMs,
    incidentReopenWindowMs: DEFAULT_INCIDENT_OPTIONS.reopenWindowMs,
    flapMaxFires: DEFAULT_INCIDENT_OPTIONS.flap.maxFires,
    flapWindowMs: DEFAULT_INCIDENT_OPTIONS.flap.windowMs,
    incidentRetentionMs: DEFAULT_INCIDENT_OPTIONS.retentionMs,
    incidentLogMaxBytes: DEFAULT_INCIDENT_OPTIONS.maxBytes,
    notifyGroupWaitMs: DEFAULT_NOTIFY_OPTIONS.groupWaitMs,
    recoveryGraceMs: 2 * 60_000,
    recoveryMaxRunsPerAgentPerHour: 6,
    recoveryRetentionMs: 90 * 24 * 60 * 60_000,
    recoveryMaxRuns: 5_000,
    alertmanagers: [],
    alertmanagerResendMs: 60_000,
    remoteWriteReceiver: {},
    remoteWrite: [],
    ...overrides,
  };
}

/** What `<dataDir>/config.json` may set (all optional; flags win over the file). */
export const ConfigFile = Type.Object(
  {
    // An empty host makes Node listen on every interface: refuse it (say 0.0.0.0 to mean that).
    ingestHost: Type.Optional(Type.String({ minLength: 1, pattern: '^\\S+$' })),
    ingestPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    ingestTls: Type.Optional(
      Type.Union([
        Type.Literal('auto'),
        Type.Literal('off'),
        Type.Object(
          { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
      ]),
    ),
    insecureIngest: Type.Optional(Type.Boolean()),
    apiPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    heartbeatIntervalMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 600_000 })),
    missedHeartbeatsBeforeOffline: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    restartGraceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
    relayStatusIntervalMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 600_000 })),
    relayHoldMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000 })),
    allowUnknownRegions: Type.Optional(Type.Boolean()),
    regions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            latitude: Type.Number({ minimum: -90, maximum: 90 }),
            longitude: Type.Number({ minimum: -180, maximum: 180 }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    maxSeriesPerAgent: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    maxAgents: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    retention: Type.Optional(
      Type.Object(
        {
          rawMs: Type.Integer({ minimum: 60_000 }),
          minuteMs: Type.Integer({ minimum: 3_600_000 }),
          hourMs: Type.Integer({ minimum: 86_400_000 }),
        },
        { additionalProperties: false },
      ),
    ),
    walFlushMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
    checkpointEveryMs: Type.Optional(Type.Integer({ minimum: 10_000 })),
    outOfOrderWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 3_600_000 })),
    walMaxQueuedBytes: Type.Optional(Type.Integer({ minimum: 1024 * 1024 })),
    diskBudgetBytes: Type.Optional(Type.Integer({ minimum: 1024 * 1024 })),
    headIdleMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 24 * 3_600_000 })),
    diskResumeFreeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    lowDiskFreeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    diskCheckEveryMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    forecastRegionsEveryMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
    forecastAgentsEveryMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
    anomalyWarmupMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400_000 })),
    ingestProbeMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
    persistDebounceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    maxStoredEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    eventRetentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_650 })),
    eventMaxBytes: Type.Optional(Type.Integer({ minimum: 1024 * 1024 })),
    maxResolvedAlerts: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    limits: Type.Optional(NetLimitSettings),
    operators: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 100,
        uniqueItems: true,
      }),
    ),
    incidentGroupWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    incidentReopenWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    flapMaxFires: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
    flapWindowMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
    incidentRetentionMs: Type.Optional(Type.Integer({ minimum: 3_600_000 })),
    incidentLogMaxBytes: Type.Optional(Type.Integer({ minimum: 64 * 1024 })),
    notifyGroupWaitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 60_000 })),
    recoveryGraceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 * 60_000 })),
    recoveryMaxRunsPerAgentPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
    recoveryRetentionMs: Type.Optional(Type.Integer({ minimum: 3_600_000 })),
    recoveryMaxRuns: Type.Optional(Type.Integer({ minimum: 10, maximum: 1_000_000 })),
    alertmanagers: Type.Optional(AlertmanagersSetting),
    alertmanagerResendMs: Type.Optional(AlertmanagerResendSetting),
    remoteWriteReceiver: Type.Optional(RemoteWriteReceiverSetting),
    remoteWrite: Type.Optional(RemoteWriteSetting),
    logLevel: Type.Optional(
      Type.Union([
        Type.Literal('debug'),
        Type.Literal('info'),
        Type.Literal('warn'),
        Type.Literal('error'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFile>;
const configFileCheck = TypeCompiler.Compile(ConfigFile);

export { ConfigError };

/** Read and check a config file; a missing file is an empty config, a bad one a ConfigError naming the field. */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not JSON: ${(err as Error).message}`);
  }
  if (configFileCheck.Check(raw)) {
    checkAlertmanagers(raw.alertmanagers, path);
    checkRemoteWrite(raw.remoteWrite, path);
    return raw;
  }
  const first = configFileCheck.Errors(raw).First();
  throw new ConfigError(
    `${path}: field '${first?.path.replace(/^\//, '') || '(root)'}' ${first?.message ?? 'is invalid'}`,
  );
}

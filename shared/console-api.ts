// The console's own part of the REST API (merged into ApiRoutes in shared/api.ts): the session a
// viewer starts with, the console's KPI figures (also pushed on the stream) and the metric
// store's footprint.

export interface SessionInfo {
  version: string;
  ingestUrl: string;
  /** For the "connect an agent" command shown on first run; the session token holder is the operator. */
  agentToken: string;
  /**
   * The ingest CA's fingerprint (`sha256:…`) when ingest serves TLS, for the connect
   * command's `--ca-fingerprint`; absent when ingest is plain ws://.
   */
  caFingerprint?: string;
  heartbeatIntervalMs: number;
  serverTime: number;
  /**
   * Operator names configured (config.json `operators`). With more than one, actions must
   * say `by`; with one, it is the default `by`; with none, the default is "operator".
   */
  operators?: string[];
}

/** The console's own figures, for KPI tiles (also pushed on the stream every second). */
export interface ConsoleStats {
  serverTime: number;
  agentsTotal: number;
  agentsOnline: number;
  agentsConnected: number;
  /** Samples accepted per second, averaged over the last 10 s. */
  samplesPerSecond: number;
  /** p99 of sample arrival → alert raised over the last 1,000 alerts, ms; null before any. */
  sampleToAlertP99Ms: number | null;
  alertsOpen: { critical: number; warning: number; info: number };
}

export type StorageTierName = 'raw' | '1m' | '1h';

export interface StorageTierReport {
  tier: StorageTierName;
  bytes: number;
  files: number;
  /** Samples (raw) or buckets (1m, 1h) held on disk. */
  rows: number;
  /** Oldest and newest timestamp held on disk, epoch ms; null when empty. */
  oldest: number | null;
  newest: number | null;
  retentionMs: number;
}

/** The metric store's footprint: what it holds, where, and against which budget. */
export interface StorageReport {
  serverTime: number;
  dataDir: string;
  series: { total: number; active: number };
  samplesPerSecond: number;
  /** What RAM holds: the open chunks of active series and chunks waiting for a flush. */
  head: { rows: number; bytes: number };
  wal: { bytes: number };
  tiers: StorageTierReport[];
  /** Block files, WAL, head snapshot and series catalogue together. */
  totalBytes: number;
  budgetBytes: number;
  diskFreeBytes: number | null;
  /** On-disk bytes per raw sample (raw tier), null while it is empty. */
  rawBytesPerSample: number | null;
  lastCompactionAt: number | null;
}

export interface ConsoleRoutes {
  'GET /api/v1/session': { query: Record<string, never>; body: never; response: SessionInfo };
  'GET /api/v1/stats': { query: Record<string, never>; body: never; response: ConsoleStats };
  'GET /api/v1/storage': { query: Record<string, never>; body: never; response: StorageReport };
}

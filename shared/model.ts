// The console's domain model: what the core keeps, the API returns and the renderer shows.
// Plain types only; imported by core, renderer and agent alike.

/**
 * `maintenance`: a maintenance window covers the region; its alerts are recorded, not paged.
 * Its health still says how many agents are online.
 */
export type RegionStatus = 'active' | 'degraded' | 'failed' | 'maintenance';
export type AgentType = 'system' | 'application' | 'database' | 'network';
export type AgentStatus = 'online' | 'offline' | 'error';
export type Severity = 'critical' | 'warning' | 'info';
export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary';

export const AGENT_TYPES: readonly AgentType[] = ['system', 'application', 'database', 'network'];
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** Rank for comparing severities: a higher number is worse. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  warning: 1,
  critical: 2,
};

export interface Region {
  id: string;
  name: string;
  /** Map position, degrees. */
  latitude: number;
  longitude: number;
  status: RegionStatus;
  /** Registered agents (online or not). */
  agentCount: number;
  onlineCount: number;
  /** Distinct agent types seen in the region. */
  serviceCount: number;
  /** online / registered, 0..1; 1 for a region with no agents. */
  healthScore: number;
  /** Epoch ms of the newest heartbeat from any agent in the region, or null. */
  lastHeartbeat: number | null;
}

/** The newest value of the headline metrics, for tables and cards. */
export interface LatestValues {
  cpu_usage?: number;
  memory_usage?: number;
  disk_usage?: number;
}

export interface Agent {
  id: string;
  regionId: string;
  hostname: string;
  ipAddress: string;
  type: AgentType;
  version: string;
  labels: Record<string, string>;
  status: AgentStatus;
  /** Epoch ms. */
  registeredAt: number;
  lastHeartbeat: number | null;
  /** Epoch ms of the last connect or disconnect. */
  statusChangedAt: number;
  metricsCount: number;
  alertsCount: number;
  latest: LatestValues;
}

export type AlertState = 'pending' | 'firing' | 'acknowledged' | 'resolved';

export interface AlertSubject {
  kind: 'agent' | 'region' | 'console';
  regionId: string | null;
  agentId: string | null;
}

export interface AlertTransition {
  at: number;
  from: AlertState | null;
  to: AlertState;
  by: string;
  comment?: string;
}

export interface Alert {
  id: string;
  ruleId: string;
  /** One alert per (rule, subject key) while its condition holds. */
  subjectKey: string;
  subject: AlertSubject;
  severity: Severity;
  state: AlertState;
  message: string;
  metric: string | null;
  /** Value that last triggered or escalated the alert. */
  value: number | null;
  threshold: number | null;
  /** Newest value seen while the alert was open. */
  lastValue: number | null;
  /** Epoch ms when the triggering sample reached the console. */
  sampleArrivedAt: number | null;
  /** Epoch ms the alert was raised (entered pending or firing). */
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  ackComment: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  history: AlertTransition[];
  /**
   * The silence or maintenance window (its id: `sil-…`, `mnt-…`) that matched the alert while
   * it fired: recorded and shown, never notified. Absent or null when none did.
   */
  suppressedBy?: string | null;
  /** The cause alert (a region's status alert) this one is an effect of: not paged on its own. */
  inhibitedBy?: string | null;
  /** The incident the alert belongs to, once the incident manager has placed it. */
  incidentId?: string | null;
  /**
   * What the alert is about beyond its subject, for alerts not about a series: a detection's
   * Sigma id, MITRE technique ids and group values (src_ip, user, hostname).
   */
  labels?: Record<string, string>;
}

export interface StoredEvent {
  id: string;
  agentId: string;
  regionId: string;
  /** Epoch ms the event happened at the agent. */
  ts: number;
  receivedAt: number;
  category: 'security' | 'log' | 'change';
  severity: Severity;
  source: string;
  message: string;
  attributes: Record<string, string | number | boolean>;
}

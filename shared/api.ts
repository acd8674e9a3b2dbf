// The console's API contract: REST under /api/v1 and the /api/v1/stream WebSocket.
// The core's router and the renderer's client both import this file, so the two cannot drift.
// Each area's routes and types live in a file of their own (fleet-api.ts, alerts-api.ts, …);
// this file composes ApiRoutes from them and re-exports them.
import type { FieldProblem, RuleRoutes } from './rules-api.js';
import type { NotifyApiRoutes } from './notify.js';
import type { IncidentRoutes } from './api-incidents.js';
import type { RecoveryRoutes } from './recovery.js';
import type { SecurityRoutes } from './security.js';
import type { InteropRoutes } from './interop.js';
import type { CredentialsRoutes } from './credentials.js';
import type { ComplianceRoutes } from './compliance.js';
import type { EventRoutes } from './events-api.js';
import type { FleetRoutes } from './fleet-api.js';
import type { AlertRoutes } from './alerts-api.js';
import type { AnalysisRoutes } from './analysis-api.js';
import type { ConsoleRoutes } from './console-api.js';

export type { RegionHistoryRange } from './api-constants.js';
export * from './rules-api.js';
export * from './events-api.js';
export * from './fleet-api.js';
export * from './alerts-api.js';
export * from './analysis-api.js';
export * from './console-api.js';
export * from './stream-api.js';
import type { AuditRoutes } from './audit.js';
import type { AgentActionsRoutes } from './agent-actions.js';
export type { AuditHead, AuditVerifyResult, AuditBreak, AuditInput } from './audit.js';

export interface ApiError {
  error: { code: string; message: string; field?: string };
  /** Every bad field, when there can be several (a rule). */
  errors?: FieldProblem[];
}

/** Every REST route: method + path template → query, body and response types. */
export interface ApiRoutes
  extends
    NotifyApiRoutes,
    IncidentRoutes,
    RuleRoutes,
    RecoveryRoutes,
    SecurityRoutes,
    InteropRoutes,
    CredentialsRoutes,
    ComplianceRoutes,
    EventRoutes,
    AuditRoutes,
    AgentActionsRoutes,
    ConsoleRoutes,
    FleetRoutes,
    AlertRoutes,
    AnalysisRoutes {}

export type RouteKey = keyof ApiRoutes;

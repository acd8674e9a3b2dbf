// Compliance: the REST contract of /api/v1/compliance (scorecards per framework and region,
// each control's result per agent with its evidence, a daily trend) and of its evidence
// export. The console evaluates the control catalogue (electron/core/compliance/controls.yml)
// over the agents' posture facts (shared/posture.ts) and its own state. docs/security.md
// ("Compliance controls") lists the controls and how to add one.
import { Type, type Static } from '@sinclair/typebox';
import type { FactValue, PostureFact } from './posture.js';

export const FRAMEWORKS = ['pci-dss', 'gdpr', 'sox', 'cis'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
export const FRAMEWORK_NAMES: Record<Framework, string> = {
  'pci-dss': 'PCI-DSS v4.0',
  gdpr: 'GDPR',
  sox: 'SOX ITGC',
  cis: 'CIS Benchmarks',
};

export type ControlResult = 'pass' | 'fail' | 'unknown';
/** `host`: evaluated per agent from its facts; `console`: once, from the console's own state. */
export type ControlScope = 'host' | 'console';

/** What a result was decided from. */
export interface ControlEvidence {
  /** The fact id (host) or console state key (console) the control reads. */
  fact: string;
  value: FactValue;
  /** The command run or file read (host), or the console part asked (console). */
  source: string;
  raw: string;
  /** Agent time of the fact's collection; console time for console state; null when none. */
  collectedAt: number | null;
  /** Why the result is unknown (not reported, not collected: the agent's reason, wrong type). */
  reason?: string;
}

export interface AgentControlResult {
  agentId: string;
  hostname: string;
  regionId: string;
  result: ControlResult;
  evidence: ControlEvidence;
}

export interface ControlView {
  id: string;
  title: string;
  description: string;
  scope: ControlScope;
  /** Framework → requirement references (PCI-DSS numbers, GDPR articles, SOX ITGC areas, CIS titles). */
  refs: Partial<Record<Framework, string[]>>;
  /** The pass rule in words ("sshd.permit_root_login equals no"). */
  rule: string;
  pass: number;
  fail: number;
  unknown: number;
  /** Host controls: one per agent in scope, failing first. Console controls: one row, agentId "console". */
  results: AgentControlResult[];
}

/** Pass ratio = pass / (pass + fail); null when nothing was evaluated (all unknown). */
export interface Scorecard {
  pass: number;
  fail: number;
  unknown: number;
  ratio: number | null;
}

export interface FrameworkScorecard extends Scorecard {
  framework: Framework;
  name: string;
  controls: number;
  failingControls: number;
}

export interface RegionScorecard extends Scorecard {
  regionId: string;
  agents: number;
  /** Agents with at least one failing host control. */
  failingAgents: number;
}

/** One day's pass ratios (the last evaluation of that day, UTC). */
export interface ComplianceTrendPoint {
  day: string;
  at: number;
  ratios: Partial<Record<Framework, number | null>>;
}

/** The audit trail's state, as the audit side reports it (see docs/security.md). */
export interface AuditChainStatus {
  enabled: boolean;
  /** Last verification of the chain: true/false, or null when never verified (or no chain). */
  verified: boolean | null;
  headHash: string | null;
  headSeq: number;
}

export interface ComplianceReport {
  generatedAt: number;
  filter: { framework: Framework | null; region: string | null };
  frameworks: FrameworkScorecard[];
  regions: RegionScorecard[];
  /** Failing controls first, then unknown, then passing. */
  controls: ControlView[];
  trend: ComplianceTrendPoint[];
  audit: AuditChainStatus;
}

/** One agent's posture: its latest facts and the host controls' results for it. */
export interface AgentPosture {
  agentId: string;
  /** null: this agent never sent facts (an older agent, or `--no-posture`). */
  receivedAt: number | null;
  facts: PostureFact[];
  controls: { id: string; title: string; result: ControlResult; evidence: ControlEvidence }[];
}

export const ComplianceQuery = Type.Object(
  {
    framework: Type.Optional(Type.Union(FRAMEWORKS.map((f) => Type.Literal(f)))),
    region: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
  },
  { additionalProperties: false },
);
export type ComplianceQuery = Static<typeof ComplianceQuery>;

export const EXPORT_FORMATS = ['html', 'json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const ComplianceExportQuery = Type.Object(
  {
    format: Type.Union(EXPORT_FORMATS.map((f) => Type.Literal(f))),
    framework: Type.Optional(Type.Union(FRAMEWORKS.map((f) => Type.Literal(f)))),
    region: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
    /** The operator asking, for the audit entry. */
    by: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ComplianceExportQuery = Static<typeof ComplianceExportQuery>;

/** A response that is a file, not JSON: the API server sends `body` as is. */
export interface RawFileResponse {
  rawFile: { contentType: string; filename: string; body: string };
}

export interface ComplianceRoutes {
  'GET /api/v1/compliance': { query: ComplianceQuery; body: never; response: ComplianceReport };
  /** The evidence for an auditor: HTML (printable, self-contained), JSON or CSV. */
  'GET /api/v1/compliance/export': {
    query: ComplianceExportQuery;
    body: never;
    response: RawFileResponse;
  };
  'GET /api/v1/compliance/agents/:id': {
    query: Record<string, never>;
    body: never;
    response: AgentPosture;
  };
}

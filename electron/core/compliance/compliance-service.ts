// Compliance: the agents' posture facts (facts-store.ts), the control catalogue
// (controls.yml), the console's own state (console-state.ts), the report with scorecards
// (scorecards.ts), the daily trend (trend.ts) and the evidence export (export-*.ts).
import type {
  AgentPosture,
  ComplianceReport,
  ExportFormat,
  Framework,
  RawFileResponse,
} from '../../../shared/compliance.js';
import type { Agent } from '../../../shared/model.js';
import type { FactsMessage } from '../../../shared/protocol.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../logger.js';
import { loadCatalogue, type Control } from './catalogue.js';
import { readConsoleState, type ConsoleStateDeps } from './console-state.js';
import { evaluateFact } from './evaluate.js';
import { complianceCsv } from './export-csv.js';
import { complianceHtml } from './export-html.js';
import { FactsStore } from './facts-store.js';
import { buildReport, type AgentInScope } from './scorecards.js';
import { ComplianceTrend } from './trend.js';

export interface ComplianceDeps {
  clock: Clock;
  logger: Logger;
  dataDir: string;
  fleet: {
    listAgents(): Agent[];
    agent(id: string): Agent | undefined;
    regionIds(): string[];
  };
  state: Omit<ConsoleStateDeps, 'now' | 'timeSync'>;
  /** The console host's clock sync, read now (electron/core/compliance/console-time.ts). */
  readTimeSync(): Promise<ReturnType<ConsoleStateDeps['timeSync']>>;
  /** Record an export in the audit trail; resolves once durable. */
  recordExport(by: string, detail: Record<string, unknown>): Promise<unknown>;
  /** Counted on /metrics. */
  onFacts?(outcome: { facts: number; changed: number }): void;
  catalogPath?: string;
}

export interface ComplianceOptions {
  /** Refresh the console's time-sync reading and today's trend point this often. */
  snapshotEveryMs: number;
}

export class ComplianceService {
  readonly facts: FactsStore;
  readonly trend: ComplianceTrend;
  private catalogue: Control[] = [];
  private timer: TimerHandle | null = null;
  private timeSync: ReturnType<ConsoleStateDeps['timeSync']> = {
    synced: null,
    source: 'timedatectl',
    raw: '',
    reason: 'not read yet',
  };

  constructor(
    private readonly deps: ComplianceDeps,
    private readonly opts: ComplianceOptions,
  ) {
    this.facts = new FactsStore(deps.dataDir, deps);
    this.trend = new ComplianceTrend(deps.dataDir, deps);
  }

  get controls(): readonly Control[] {
    return this.catalogue;
  }

  async open(): Promise<void> {
    this.catalogue = await loadCatalogue(this.deps.catalogPath);
    await Promise.all([this.facts.open(), this.trend.open()]);
  }

  start(): void {
    const tick = () => void this.snapshot();
    tick();
    this.timer = this.deps.clock.setInterval(tick, this.opts.snapshotEveryMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  async close(): Promise<void> {
    this.stop();
    await Promise.all([this.facts.close(), this.trend.close()]);
  }

  /** An agent's facts message: kept (the history only grows on a change). */
  onFacts(agentId: string, msg: FactsMessage): Promise<void> {
    if (!this.deps.fleet.agent(agentId)) return Promise.resolve();
    const { changed, durable } = this.facts.record(agentId, msg.facts);
    this.deps.onFacts?.({ facts: msg.facts.length, changed });
    return durable;
  }

  /** Today's trend point from a fresh evaluation, and the console's clock sync re-read. */
  async snapshot(): Promise<void> {
    try {
      this.timeSync = await this.deps.readTimeSync();
      await this.trend.record(this.evaluate({}).frameworks);
    } catch (err) {
      this.deps.logger.warn('compliance snapshot failed', { error: (err as Error).message });
    }
  }

  /**
   * The scorecards for `q`, with the trend whose today point is this moment's fleet-wide
   * evaluation: the stored one is only refreshed now and then, and a page showing "100 %"
   * today beside a scorecard of 43 % would be wrong.
   */
  report(q: { framework?: Framework; region?: string }): ComplianceReport {
    const report = this.evaluate(q);
    const fleet = q.framework === undefined && q.region === undefined ? report : this.evaluate({});
    return { ...report, trend: this.trend.listWithToday(fleet.frameworks) };
  }

  private evaluate(q: { framework?: Framework; region?: string }): ComplianceReport {
    return buildReport({
      now: this.deps.clock.now(),
      catalogue: this.catalogue,
      agents: this.deps.fleet.listAgents().map((a) => this.inScope(a)),
      regionIds: this.deps.fleet.regionIds(),
      state: readConsoleState({
        ...this.deps.state,
        now: () => this.deps.clock.now(),
        timeSync: () => this.timeSync,
      }),
      framework: q.framework ?? null,
      region: q.region ?? null,
      trend: [],
      audit: this.deps.state.auditStatus(),
    });
  }

  agentPosture(agentId: string): AgentPosture | undefined {
    const agent = this.deps.fleet.agent(agentId);
    if (!agent) return undefined;
    const scope = this.inScope(agent);
    return {
      agentId,
      receivedAt: this.facts.reportedAt(agentId),
      facts: [...scope.facts.values()].sort((a, b) => a.id.localeCompare(b.id)),
      controls: this.catalogue
        .filter((c) => c.scope === 'host')
        .map((c) => ({
          id: c.id,
          title: c.title,
          ...evaluateFact(c, scope.facts.get(c.reads), scope.reported),
        })),
    };
  }

  /** The evidence file; recorded in the audit trail before it is handed out. */
  async export(q: {
    format: ExportFormat;
    framework?: Framework;
    region?: string;
    by?: string;
  }): Promise<RawFileResponse> {
    const report = this.report(q);
    const stamp = new Date(report.generatedAt).toISOString().replace(/[:.]/g, '-');
    const filename = `meridian-compliance-${stamp}.${q.format}`;
    const file =
      q.format === 'html'
        ? { contentType: 'text/html; charset=utf-8', body: complianceHtml(report) }
        : q.format === 'csv'
          ? { contentType: 'text/csv; charset=utf-8', body: complianceCsv(report) }
          : {
              contentType: 'application/json; charset=utf-8',
              body: `${JSON.stringify(report, null, 2)}\n`,
            };
    await this.deps.recordExport(q.by ?? 'operator', {
      format: q.format,
      framework: q.framework ?? null,
      region: q.region ?? null,
      generatedAt: report.generatedAt,
      auditHeadHash: report.audit.headHash,
      controls: report.controls.length,
    });
    return { rawFile: { ...file, filename } };
  }

  private inScope(a: Agent): AgentInScope {
    return {
      id: a.id,
      hostname: a.hostname,
      regionId: a.regionId,
      facts: this.facts.latest(a.id),
      reported: this.facts.reportedAt(a.id) !== null,
    };
  }
}

// Detection, wired: every stored agent event (with its agent's host and region) goes through
// the Sigma rules, and each detection becomes an alert in the normal alert book (rule id
// `detect:<sigma id>`), so it reaches incidents and notifications like any other alert.
//
// How a detection alert resolves: a correlation's alert resolves once its group has been
// quiet for the rule's timespan (the engine forgets the group on a sweep: the episode is
// over); a plain rule's alert once no new match for the same subject came for `plainQuietMs`.
// A continuing attack therefore keeps one alert open; the next one after a quiet gap is new.
import { existsSync } from 'node:fs';
import type { Alert, StoredEvent } from '../../../shared/model.js';
import {
  detectionRuleId,
  DETECTION_RULE_PREFIX,
  type DetectionRulesInfo,
  type DetectionView,
} from '../../../shared/security.js';
import type { RegionDefinition } from '../../../shared/regions.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { AlertBook } from '../incidents/alert-book.js';
import type { Logger } from '../logger.js';
import { DetectionEngine } from './detect/engine.js';
import { builtinRulesDir, readRuleDir } from './detect/rule-files.js';
import { buildRuleSet } from './detect/rule-set.js';
import type { Detection, SecurityEvent } from './detect/types.js';
import type { SecurityMetrics } from './security-metrics.js';

export interface SecurityServiceDeps {
  clock: Clock;
  logger: Logger;
  alerts: Pick<AlertBook, 'report' | 'revise' | 'clear' | 'openAlerts'>;
  /** The sending agent's host name, if the fleet knows it. */
  hostnameOf(agentId: string): string | undefined;
  metrics: SecurityMetrics;
}

export interface SecurityOptions {
  /** The operator's rule files (`<data-dir>/detections/*.yml`); absent is fine. */
  operatorDir: string;
  builtinDir?: string;
  /** How often idle correlation groups are forgotten and finished episodes resolved. */
  sweepEveryMs: number;
  /** A plain rule's alert resolves after this long without a new match for its subject. */
  plainQuietMs: number;
  /** Recent detections kept for the API. */
  maxRecent: number;
  /** The fleet's region map (impossible travel measures km between regions). */
  regions?: readonly RegionDefinition[];
}

/** The agent id of the console's own security events (ingest refusals): not an agent. */
export const CONSOLE_SOURCE_ID = 'console';

interface Episode {
  sigmaId: string;
  alertRuleId: string;
  subjectKey: string;
  group: Record<string, string>;
  correlation: boolean;
  /** Console time of its last detection (or of adoption after a restart). */
  lastAt: number;
}

export class SecurityService {
  private engine: DetectionEngine | null = null;
  private info: DetectionRulesInfo = { loaded: 0, errors: [] };
  /** Sigma status of each rule in force, by id and by name (for compliance's console controls). */
  private readonly inForce = new Map<string, string>();
  private readonly recent: DetectionView[] = [];
  private readonly episodes = new Map<string, Episode>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly deps: SecurityServiceDeps,
    private readonly opts: SecurityOptions,
  ) {}

  /** Load the built-in rules and the operator's; a bad file is left out whole and logged. */
  async load(): Promise<void> {
    const dirs = [this.opts.builtinDir ?? builtinRulesDir()];
    if (existsSync(this.opts.operatorDir)) dirs.push(this.opts.operatorDir);
    const sources = (await Promise.all(dirs.map(readRuleDir))).flat();
    const set = buildRuleSet(sources);
    for (const e of set.errors)
      this.deps.logger.error(`detection rule file not loaded: ${e.message}`, {
        file: e.file,
        line: e.line,
        reason: e.reason,
      });
    this.info = {
      loaded: set.rules.length,
      errors: set.errors.map((e) => ({ file: e.file, line: e.line, reason: e.reason })),
    };
    this.inForce.clear();
    for (const r of set.rules) {
      this.inForce.set(r.id, r.status);
      if (r.name) this.inForce.set(r.name, r.status);
    }
    this.deps.metrics.rulesLoaded.set(set.rules.length);
    this.deps.metrics.ruleErrors.set(set.errors.length);
    this.engine = new DetectionEngine({
      rules: set.rules,
      clock: this.deps.clock,
      ...(this.opts.regions ? { regions: this.opts.regions } : {}),
    });
    this.deps.logger.info('detection rules loaded', {
      rules: set.rules.length,
      rejectedFiles: set.errors.length,
    });
  }

  /** Whether a rule (Sigma id or name) is loaded, and its Sigma status. */
  ruleStatus(idOrName: string): { loaded: boolean; status: string | null } {
    const status = this.inForce.get(idOrName);
    return { loaded: status !== undefined, status: status ?? null };
  }

  /** Sweep on the clock; detection alerts still open from before a restart resolve when quiet. */
  start(): void {
    const now = this.deps.clock.now();
    for (const a of this.deps.alerts.openAlerts()) {
      if (!a.ruleId.startsWith(DETECTION_RULE_PREFIX)) continue;
      this.episodes.set(keyOf(a.ruleId, a.subjectKey), adopted(a, now));
    }
    this.timer = this.deps.clock.setInterval(() => this.sweep(), this.opts.sweepEveryMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** An agent's event was stored: run it through the rules. */
  onEvent(e: StoredEvent): void {
    const engine = this.engine;
    if (!engine) return;
    this.deps.metrics.eventsScanned.inc();
    const hostname = this.deps.hostnameOf(e.agentId);
    const found = engine.process({
      ts: e.ts,
      category: e.category,
      severity: e.severity,
      source: e.source,
      message: e.message,
      attributes: e.attributes,
      agentId: e.agentId,
      regionId: e.regionId,
      ...(hostname !== undefined ? { hostname } : {}),
    });
    for (const d of found) this.raise(d, engine.isCorrelation(d.ruleId));
  }

  /**
   * One of the console's own security events (agentId CONSOLE_SOURCE_ID): the ingest refusing
   * an agent token. Its detections are alerts about the console, not an agent.
   */
  onConsoleEvent(e: Omit<SecurityEvent, 'agentId'>): void {
    const engine = this.engine;
    if (!engine) return;
    this.deps.metrics.eventsScanned.inc();
    const found = engine.process({ ...e, agentId: CONSOLE_SOURCE_ID });
    for (const d of found) this.raise(d, engine.isCorrelation(d.ruleId));
  }

  /** Forget idle groups; resolve the alerts of episodes that are over. */
  sweep(): void {
    const engine = this.engine;
    if (!engine) return;
    engine.sweep();
    const now = this.deps.clock.now();
    for (const [key, ep] of this.episodes) {
      const over = ep.correlation
        ? !engine.isLive(ep.sigmaId, ep.group)
        : now - ep.lastAt > this.opts.plainQuietMs;
      if (!over) continue;
      this.episodes.delete(key);
      this.deps.alerts.clear(ep.alertRuleId, ep.subjectKey, null);
    }
  }

  detections(q: { rule?: string; agent?: string; region?: string; limit?: number }) {
    const out: DetectionView[] = [];
    for (let i = this.recent.length - 1; i >= 0 && out.length < (q.limit ?? 100); i--) {
      const d = this.recent[i]!;
      if (q.rule !== undefined && d.ruleId !== q.rule) continue;
      if (q.agent !== undefined && d.agentId !== q.agent) continue;
      if (q.region !== undefined && d.regionId !== q.region) continue;
      out.push(d);
    }
    return out;
  }

  rules(): DetectionRulesInfo {
    return this.info;
  }

  evictions(): Record<string, number> {
    return this.engine?.stats().evictions ?? {};
  }

  private raise(d: Detection, correlation: boolean): void {
    const alertRuleId = detectionRuleId(d.ruleId);
    const subjectKey = subjectKeyOf(d);
    const message = messageOf(d);
    const alert = this.deps.alerts.report({
      ruleId: alertRuleId,
      subjectKey,
      subject:
        d.agentId === CONSOLE_SOURCE_ID
          ? { kind: 'console', agentId: null, regionId: null }
          : { kind: 'agent', agentId: d.agentId, regionId: d.regionId ?? null },
      severity: d.severity,
      message,
      metric: null,
      value: d.count,
      threshold: null,
      sampleArrivedAt: null,
      arrivedMono: null,
      forMs: 0,
      labels: labelsOf(d),
    });
    this.deps.alerts.revise(alertRuleId, subjectKey, message, d.count);
    this.episodes.set(keyOf(alertRuleId, subjectKey), {
      sigmaId: d.ruleId,
      alertRuleId,
      subjectKey,
      group: d.group,
      correlation,
      lastAt: this.deps.clock.now(),
    });
    this.deps.metrics.detections.inc({ rule: d.ruleId, severity: d.severity });
    this.recent.push({
      ruleId: d.ruleId,
      alertRuleId,
      alertId: alert.id,
      title: d.title,
      severity: d.severity,
      mitre: d.mitre,
      tags: d.tags,
      kind: d.kind,
      detectedAt: d.detectedAt,
      count: d.count,
      firstTs: d.firstTs,
      lastTs: d.lastTs,
      group: d.group,
      ...(d.distinctValues ? { distinctValues: d.distinctValues } : {}),
      agentId: d.agentId,
      hostname: d.hostname ?? null,
      regionId: d.regionId ?? null,
      message: d.message,
    });
    if (this.recent.length > this.opts.maxRecent) this.recent.shift();
  }
}

const keyOf = (ruleId: string, subjectKey: string) => `${ruleId}|${subjectKey}`;

/** One alert per rule and group (src_ip, user, agent …); a plain rule's per agent. */
function subjectKeyOf(d: Detection): string {
  const entries = Object.entries(d.group).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return `agentId=${d.agentId}`;
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function labelsOf(d: Detection): Record<string, string> {
  return {
    ...d.group,
    sigma_id: d.ruleId,
    ...(d.mitre.length > 0 ? { mitre: d.mitre.join(',') } : {}),
    ...(d.hostname !== undefined ? { hostname: d.hostname } : {}),
    ...(d.distinctValues ? { distinct: d.distinctValues.join(',') } : {}),
  };
}

function messageOf(d: Detection): string {
  const group = Object.entries(d.group)
    .filter(([k, v]) => k !== 'agentId' && v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const where = d.hostname ?? d.agentId;
  const span = Math.round((d.lastTs - d.firstTs) / 1000);
  const what =
    d.kind === 'detection'
      ? d.message
      : d.kind === 'impossible_travel'
        ? `logins in ${(d.distinctValues ?? []).join(' and ')} ${span} s apart${group ? ` (${group})` : ''}`
        : `${d.count} event(s) within ${span} s${group ? ` (${group})` : ''}`;
  const mitre = d.mitre.length > 0 ? ` [MITRE ${d.mitre.join(', ')}]` : '';
  return `${d.title} on ${where}: ${what}${mitre}`;
}

/** An open detection alert from before a restart: the engine has no group for it any more. */
function adopted(a: Alert, now: number): Episode {
  return {
    sigmaId: a.ruleId.slice(DETECTION_RULE_PREFIX.length),
    alertRuleId: a.ruleId,
    subjectKey: a.subjectKey,
    group: {},
    correlation: false,
    lastAt: now,
  };
}

// A scripted world for the recovery tests: the incident world (real Fleet, AlertBook,
// RuleEvaluator, IncidentServices on files in a temp dir, a ManualClock), plus the real audit
// log, the real Notifier (its transport captures messages instead of sending them: the channel
// tests send for real) and the real recovery service with its runbook book and logs on disk.
// ScriptedAgents stands in for the agents' WebSocket connections (the integration tests use
// real ones): it records each `action` sent and answers as the test scripts it.
import { Registry } from 'prom-client';
import type { ActionMessage, ActionResultMessage, Sample } from '../../../shared/protocol.js';
import type { RecoveryRun, RunbookInput } from '../../../shared/recovery.js';
import { DEFAULT_RULES } from '../../../shared/rules.js';
import { ConsoleAlerts } from '../../../electron/core/console-alerts.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { NotificationMessage } from '../../../electron/core/notify/message.js';
import { Notifier } from '../../../electron/core/notify/notifier.js';
import { createRecovery, type Recovery } from '../../../electron/core/recovery/recovery-wiring.js';
import { AuditLog } from '../../../electron/core/audit/audit-log.js';
import { world, type WorldOptions } from './incident-fixture.js';

export type Answer = Partial<Omit<ActionResultMessage, 'type' | 'id' | 'action'>> | null;

/** Stands in for the agents' live connections: which actions each offers, what each answers. */
export class ScriptedAgents {
  readonly offers = new Map<string, string[]>();
  readonly sent: { agentId: string; msg: ActionMessage }[] = [];
  /** What an agent answers an action with (null: nothing yet; answer later with `reply`). */
  answer: (agentId: string, msg: ActionMessage) => Answer = (_a, msg) =>
    msg.dryRun
      ? { status: 'dry_run', argv: ['/usr/bin/true', ...Object.values(msg.params)] }
      : { status: 'succeeded', exitCode: 0, output: 'cleaned 12 files' };
  sink: ((agentId: string, msg: ActionResultMessage) => Promise<void>) | null = null;

  sendAction(agentId: string, msg: ActionMessage): boolean {
    if (!this.offers.has(agentId)) return false;
    this.sent.push({ agentId, msg });
    const a = this.answer(agentId, msg);
    // As over a network: the answer comes later than the send.
    if (a) queueMicrotask(() => void this.reply(agentId, msg, a));
    return true;
  }

  offeredActions(agentId: string): readonly string[] | null {
    return this.offers.get(agentId) ?? null;
  }

  reply(agentId: string, msg: Pick<ActionMessage, 'id' | 'action'>, a: Answer): Promise<void> {
    return this.sink!(agentId, {
      type: 'action_result',
      id: msg.id,
      action: msg.action,
      status: 'succeeded',
      exitCode: 0,
      durationMs: 1_200,
      output: '',
      outputTruncated: false,
      ...a,
    });
  }
}

export interface RecoveryWorldOptions extends WorldOptions {
  graceMs?: number;
  /** recoveryMaxRunsPerAgentPerHour (all runbooks on one agent); default as the console's. */
  maxRunsPerAgentPerHour?: number;
}

/** The live worlds' recovery logs, written out by settle(). */
const logs = new Set<() => Promise<void>>();

/**
 * Let promise chains and the scripted agents' answers run (no time passes on the manual
 * clock). An action goes out only once its records are durable, which takes real file writes:
 * each round also writes out what the recovery logs hold, so what waits on them goes on.
 */
export async function settle(): Promise<void> {
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await Promise.all([...logs].map((flush) => flush()));
  }
}

export type RecoveryWorld = Awaited<ReturnType<typeof recoveryWorld>>;

export async function recoveryWorld(o: RecoveryWorldOptions = {}) {
  const w = await world(o);
  const { clock, alerts, events, services, fleet, evaluator } = w;
  const audit = new AuditLog(w.dir, { clock, ids: w.ids, logger: silentLogger });
  await audit.open();
  const registry = new Registry();
  const consoleAlerts = new ConsoleAlerts(alerts);
  const pages: NotificationMessage[] = [];
  const notifier = new Notifier({
    clock,
    ids: w.ids,
    logger: silentLogger,
    events,
    dataDir: null,
    registry,
    consoleAlerts,
    recordTimeline: (id, e) => {
      if (services.manager.get(id)) services.manager.record(id, e);
    },
    setEscalation: (id, step, at, to) => services.manager.setEscalation(id, step, at, to),
    incident: (id) => services.manager.get(id),
    transport: async (_channel, msg) => {
      pages.push(structuredClone(msg));
      return { ok: true, status: 200, error: null, retryable: false };
    },
    options: { groupWaitMs: 0 },
  });
  await notifier.start();
  const agents = new ScriptedAgents();
  const recovery: Recovery = createRecovery({
    config: {
      dataDir: w.dir,
      recoveryGraceMs: o.graceMs ?? 0,
      recoveryMaxRunsPerAgentPerHour: o.maxRunsPerAgentPerHour ?? 6,
      recoveryRetentionMs: 30 * 86_400_000,
      recoveryMaxRuns: 1_000,
    },
    clock,
    ids: w.ids,
    logger: silentLogger,
    events,
    metrics: { registry },
    fleet,
    alerts,
    incidents: services,
    rules: () => DEFAULT_RULES,
    audit,
    notifier,
    consoleAlerts,
    ingest: () => agents,
  });
  agents.sink = (agentId, msg) => recovery.service.actionResult(agentId, msg);
  await recovery.open();
  recovery.start();
  const flush = () => recovery.flush().catch(() => {});
  logs.add(flush);

  /** A sample as ingest takes it: the rules judge it, then a waiting verification sees it. */
  function sample(agentId: string, name: string, value: number, labels?: Record<string, string>) {
    const agent = fleet.agent(agentId)!;
    const now = clock.now();
    const s: Sample = { name, value, ts: now, ...(labels ? { labels } : {}) };
    evaluator.onSample(agent, s, now, clock.monotonic());
    if (recovery.service.wantsSamples(agentId)) recovery.service.samples(agentId, [s]);
  }

  /** `n` agents of the region, connected and offering these actions. */
  function fleetOf(region: string, n: number, offer = ['clean_tmp'], prefix = region): string[] {
    const ids = w.connect(region, n, prefix);
    for (const id of ids) agents.offers.set(id, offer);
    return ids;
  }

  return {
    ...w,
    audit,
    registry,
    notifier,
    pages,
    agents,
    recovery,
    service: recovery.service,
    sample,
    fleetOf,
    disk: (agentId: string, value: number) => sample(agentId, 'disk_usage', value),
    runbook: (input: RunbookInput, by = 'alice') => recovery.book.create(input, by),
    runs: (): RecoveryRun[] => recovery.views.runs({}).runs,
    /** The newest run for the agent. */
    runOf: (agentId: string): RecoveryRun | undefined =>
      recovery.views.runs({ agent: agentId }).runs[0],
    /** A counter's value on /metrics. */
    async metric(name: string, labels: Record<string, string>): Promise<number> {
      const m = await registry.getSingleMetric(name)?.get();
      const v = m?.values.find((x) =>
        Object.entries(labels).every(([k, l]) => String(x.labels[k]) === l),
      );
      return v?.value ?? 0;
    },
    async closeAll() {
      logs.delete(flush);
      notifier.stop();
      await recovery.stop();
      await audit.close();
      await w.close();
    },
  };
}

/** The disk runbook of the issue: clean_tmp, verify disk_usage < 85 within 2 min, escalate. */
export function diskRunbook(over: Partial<RunbookInput> = {}): RunbookInput {
  return {
    id: 'disk',
    name: 'Free disk',
    mode: 'automatic',
    trigger: { ruleIds: ['disk_usage'] },
    steps: [
      { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp', days: '7' } },
      {
        kind: 'verify',
        condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
        withinMs: 120_000,
      },
      { kind: 'escalate', text: 'disk still full after clean_tmp' },
    ],
    ...over,
  };
}

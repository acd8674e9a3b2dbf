import type { LatestValues } from '../../../shared/model.js';
import {
  ERROR_CODES,
  type ActionResultMessage,
  type AgentEvent,
  type EventsMessage,
  type FactsMessage,
  type HelloMessage,
  type MetricsMessage,
  type Sample,
} from '../../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { IdSource } from '../ids.js';
import type { AnomalyService } from '../anomaly/anomaly-service.js';
import type { RuleEvaluator } from '../incidents/evaluator.js';
import type { CoreMetrics } from '../metrics.js';
import type { EventStore } from '../events/event-store.js';
import type { MetricStore } from '../store/metric-store.js';
import type { LiveFigures } from '../stats.js';
import type { AgentLog } from '../state/agent-log.js';
import type { RecoveryIngestSink } from '../recovery/agent-link.js';
import type { IngestAdmission } from './admission.js';
import { EventIntake } from './event-intake.js';
import type { HelloResult, IngestHandler } from './session.js';
import type { ForwardSink } from '../interop/remote-write-out/wiring.js';

/** How far ahead of the console's clock an agent's timestamps may be (clock skew). */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

const HEADLINE = new Set<keyof LatestValues>(['cpu_usage', 'memory_usage', 'disk_usage']);

export interface PipelineDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  fleet: Fleet;
  evaluator: RuleEvaluator;
  anomalies: Pick<AnomalyService, 'watchesMetric' | 'onSample'>;
  store: MetricStore;
  eventLog: Pick<EventStore, 'add'>;
  metrics: CoreMetrics;
  live: LiveFigures;
  admission: IngestAdmission;
  /** Samples older than this (by the console's clock) are refused: their hour is compacted. */
  maxSampleAgeMs: number;
  /** The agent registry on disk. */
  registry: Pick<AgentLog, 'persist'>;
  /** Action results and the samples verifications wait for (electron/core/recovery/). */
  recovery?: RecoveryIngestSink;
  /** Posture facts (electron/core/compliance/). */
  posture?: { onFacts(agentId: string, msg: FactsMessage): Promise<void> };
  /** Remote write: stored samples queued for forwarding; the ack waits for that queue too. */
  forward?: ForwardSink | null;
}

/** What happens to each accepted frame: registry, recent values, rule checks, event log. */
export class IngestPipeline implements IngestHandler {
  private readonly intake = new EventIntake((agentId, events, arrivedAt) =>
    this.storeEvents(agentId, events, arrivedAt),
  );

  constructor(
    private readonly deps: PipelineDeps,
    readonly heartbeatIntervalMs: number,
  ) {}

  hello(hello: HelloMessage, remoteAddress: string, boundId?: string): HelloResult {
    const result = this.deps.fleet.connect(hello, remoteAddress, boundId);
    if (!result.ok) return result;
    // A new agent (or a changed identity) is one line in agents.ndjson; the welcome waits for it.
    return { ...result, durable: this.deps.registry.persist(result.agent) };
  }

  knownAgentId(hello: HelloMessage): string | null {
    return this.deps.fleet.knownId(hello);
  }

  heartbeat(agentId: string): void {
    this.deps.fleet.heartbeat(agentId);
  }

  admission() {
    return this.deps.admission.check();
  }

  actionResult(agentId: string, msg: ActionResultMessage): Promise<void> {
    return this.deps.recovery?.actionResult(agentId, msg) ?? Promise.resolve();
  }

  facts(agentId: string, msg: FactsMessage): Promise<void> {
    return this.deps.posture?.onFacts(agentId, msg) ?? Promise.resolve();
  }

  closed(agentId: string, connectionId: number, status: 'offline' | 'error'): void {
    this.deps.fleet.disconnect(agentId, connectionId, status);
  }

  metrics(agentId: string, msg: MetricsMessage, arrivedAt: number, arrivedMono: number) {
    const { fleet, store, evaluator, anomalies, metrics } = this.deps;
    const agent = fleet.agent(agentId);
    if (!agent) return { problems: [], durable: Promise.resolve() };
    // A sample from the future (an agent clock gone wrong) would make every later, correct
    // sample of its series look out of order: refuse it. One older than the console keeps raw
    // data for could no longer be compacted into its hour: refuse it too.
    const latestAllowed = arrivedAt + MAX_CLOCK_AHEAD_MS;
    const earliestAllowed = arrivedAt - this.deps.maxSampleAgeMs;
    let samples = msg.samples;
    if (samples.some((x) => x.ts > latestAllowed || x.ts < earliestAllowed))
      samples = samples.filter((x) => x.ts <= latestAllowed && x.ts >= earliestAllowed);
    const future = msg.samples.filter((x) => x.ts > latestAllowed).length;
    const tooOld = msg.samples.length - samples.length - future;
    let latest: LatestValues | null = null;
    // A verification waiting on this agent is handed the same samples the rules judge.
    const forRecovery = this.deps.recovery?.wantsSamples(agentId) ? ([] as Sample[]) : null;
    const forward = this.deps.forward?.begin(agent);
    // Only samples newer than their series' newest are judged by the rules: a batch resent
    // after a lost ack is stored once and cannot reopen alerts (nor verify a recovery), and a
    // late sample (stored in place, within the out-of-order window) is history, not the
    // current state.
    const { outcome, durable: stored } = store.append(agentId, samples, (series, sample) => {
      forRecovery?.push(sample);
      forward?.add(series, sample);
      if (evaluator.watches(sample.name)) evaluator.onSample(agent, sample, arrivedAt, arrivedMono);
      if (anomalies.watchesMetric(sample.name)) anomalies.onSample(series, agent, sample);
      if (!sample.labels && HEADLINE.has(sample.name as keyof LatestValues)) {
        (latest ??= {})[sample.name as keyof LatestValues] = sample.value;
      }
    });
    const queued = forward?.commit();
    const durable = queued ? Promise.all([stored, queued]).then(() => {}) : stored;
    metrics.samplesReceived.inc(outcome.accepted + outcome.late);
    this.deps.live.addSamples(outcome.accepted + outcome.late);
    if (outcome.late > 0) metrics.samplesLate.inc(outcome.late);
    const dropped: [string, number][] = [
      ['duplicate', outcome.duplicates],
      [ERROR_CODES.outOfOrder, outcome.tooOld],
      [ERROR_CODES.seriesLimit, outcome.overLimit],
      [ERROR_CODES.futureTimestamp, future],
      [ERROR_CODES.tooOld, tooOld],
    ];
    for (const [reason, n] of dropped) if (n > 0) metrics.samplesDropped.inc({ reason }, n);
    fleet.recordMetrics(agentId, outcome.accepted, latest);
    // A verification waiting on this agent sees the batch at once (no polling).
    if (forRecovery && forRecovery.length > 0) this.deps.recovery!.samples(agentId, forRecovery);
    // The batch is still acked: these samples cannot be stored by resending them.
    const problems: { code: string; message: string }[] = [];
    if (future > 0) {
      problems.push({
        code: ERROR_CODES.futureTimestamp,
        message: `${future} sample(s) dropped: ts more than ${MAX_CLOCK_AHEAD_MS / 1000} s ahead of the console's clock`,
      });
    }
    if (tooOld > 0) {
      problems.push({
        code: ERROR_CODES.tooOld,
        message: `${tooOld} sample(s) dropped: older than the ${Math.round(this.deps.maxSampleAgeMs / 60_000)} min the console takes samples for`,
      });
    }
    if (outcome.tooOld > 0) {
      problems.push({
        code: ERROR_CODES.outOfOrder,
        message: `${outcome.tooOld} sample(s) dropped: more than ${store.head.outOfOrderWindowMs / 1000} s older than the newest sample of their series`,
      });
    }
    if (outcome.overLimit > 0) {
      problems.push({
        code: ERROR_CODES.seriesLimit,
        message: `${outcome.overLimit} sample(s) dropped: this agent already has ${store.head.seriesCount(agentId)} series, the limit`,
      });
    }
    return { problems, durable };
  }

  /** Queued and taken in turns with other agents' batches (event-intake.ts). */
  events(agentId: string, msg: EventsMessage, arrivedAt: number): Promise<void> {
    return this.intake.submit(agentId, msg, arrivedAt);
  }

  private storeEvents(agentId: string, batch: AgentEvent[], arrivedAt: number): Promise<void> {
    const agent = this.deps.fleet.agent(agentId);
    if (!agent) return Promise.resolve();
    const events = batch.map((e) => ({
      id: this.deps.ids('evt'),
      agentId,
      regionId: agent.regionId,
      ts: e.ts,
      receivedAt: arrivedAt,
      category: e.category,
      severity: e.severity,
      source: e.source,
      message: e.message,
      attributes: e.attributes ?? {},
    }));
    // Detection sees an event at once; the ack waits for the group commit that holds it.
    const { stored, durable } = this.deps.eventLog.add(events);
    for (const event of stored) this.deps.events.emit('event.stored', { event });
    return durable;
  }
}

import type { LatestValues } from '../../../shared/model.js';
import {
  ERROR_CODES,
  type EventsMessage,
  type HelloMessage,
  type MetricsMessage,
} from '../../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { CoreEvents } from '../events.js';
import type { Fleet } from '../fleet/fleet.js';
import type { IdSource } from '../ids.js';
import type { RuleEvaluator } from '../incidents/evaluator.js';
import type { CoreMetrics } from '../metrics.js';
import type { EventLog } from '../store/event-log.js';
import type { MetricStore } from '../store/metric-store.js';
import type { LiveFigures } from '../stats.js';
import type { IngestHandler } from './session.js';

const HEADLINE = new Set<keyof LatestValues>(['cpu_usage', 'memory_usage', 'disk_usage']);

export interface PipelineDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  fleet: Fleet;
  evaluator: RuleEvaluator;
  store: MetricStore;
  eventLog: EventLog;
  metrics: CoreMetrics;
  live: LiveFigures;
}

/** What happens to each accepted frame: registry, recent values, rule checks, event log. */
export class IngestPipeline implements IngestHandler {
  constructor(
    private readonly deps: PipelineDeps,
    readonly heartbeatIntervalMs: number,
  ) {}

  hello(hello: HelloMessage, remoteAddress: string) {
    return this.deps.fleet.connect(hello, remoteAddress);
  }

  heartbeat(agentId: string): void {
    this.deps.fleet.heartbeat(agentId);
  }

  closed(agentId: string, connectionId: number, status: 'offline' | 'error'): void {
    this.deps.fleet.disconnect(agentId, connectionId, status);
  }

  metrics(agentId: string, msg: MetricsMessage, arrivedAt: number, arrivedMono: number) {
    const { fleet, store, evaluator, metrics } = this.deps;
    const agent = fleet.agent(agentId);
    if (!agent) return { problem: null, durable: Promise.resolve() };
    let latest: LatestValues | null = null;
    // Only samples newer than their series' newest are stored and judged: a batch resent
    // after a lost ack is stored once and cannot reopen alerts.
    const { outcome, durable } = store.append(agentId, msg.samples, (_series, sample) => {
      if (evaluator.watches(sample.name)) evaluator.onSample(agent, sample, arrivedAt, arrivedMono);
      if (!sample.labels && HEADLINE.has(sample.name as keyof LatestValues)) {
        (latest ??= {})[sample.name as keyof LatestValues] = sample.value;
      }
    });
    metrics.samplesReceived.inc(outcome.accepted);
    this.deps.live.addSamples(outcome.accepted);
    if (outcome.duplicates > 0)
      metrics.samplesDropped.inc({ reason: 'duplicate' }, outcome.duplicates);
    if (outcome.outOfOrder > 0)
      metrics.samplesDropped.inc({ reason: 'out_of_order' }, outcome.outOfOrder);
    fleet.recordMetrics(agentId, outcome.accepted, latest);
    if (outcome.overLimit === 0) return { problem: null, durable };
    metrics.samplesDropped.inc({ reason: ERROR_CODES.seriesLimit }, outcome.overLimit);
    return {
      durable,
      problem: {
        code: ERROR_CODES.seriesLimit,
        message: `${outcome.overLimit} sample(s) dropped: this agent already has ${store.head.seriesCount(agentId)} series, the limit`,
      },
    };
  }

  events(agentId: string, msg: EventsMessage, arrivedAt: number): void {
    const agent = this.deps.fleet.agent(agentId);
    if (!agent) return;
    for (const e of msg.events) {
      const event = {
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
      };
      if (this.deps.eventLog.add(event)) this.deps.events.emit('event.stored', { event });
    }
  }
}

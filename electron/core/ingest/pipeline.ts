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
import { seriesKey, type RuleEvaluator } from '../incidents/evaluator.js';
import type { CoreMetrics } from '../metrics.js';
import type { EventLog } from '../store/event-log.js';
import type { RecentValues } from '../store/recent-values.js';
import type { IngestHandler } from './session.js';

const HEADLINE = new Set<keyof LatestValues>(['cpu_usage', 'memory_usage', 'disk_usage']);

export interface PipelineDeps {
  clock: Clock;
  ids: IdSource;
  events: CoreEvents;
  fleet: Fleet;
  evaluator: RuleEvaluator;
  recent: RecentValues;
  eventLog: EventLog;
  metrics: CoreMetrics;
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
    const { fleet, recent, evaluator, metrics } = this.deps;
    const agent = fleet.agent(agentId);
    if (!agent) return null;
    let accepted = 0;
    let overLimit = 0;
    let duplicates = 0;
    let latest: LatestValues | null = null;
    for (const sample of msg.samples) {
      const key = seriesKey(sample.name, sample.labels);
      const outcome = recent.put(agentId, key, sample.ts, sample.value);
      if (outcome === 'limit') {
        overLimit++;
        continue;
      }
      // A sample no newer than the one held is a resend (lost ack) or out of order: the newer
      // value stays, and it is not judged, so a resent old batch cannot reopen alerts.
      if (outcome === 'stale') {
        duplicates++;
        continue;
      }
      accepted++;
      if (evaluator.watches(sample.name)) evaluator.onSample(agent, sample, arrivedAt, arrivedMono);
      if (!sample.labels && HEADLINE.has(sample.name as keyof LatestValues)) {
        (latest ??= {})[sample.name as keyof LatestValues] = sample.value;
      }
    }
    metrics.samplesReceived.inc(accepted);
    if (duplicates > 0) metrics.samplesDropped.inc({ reason: 'duplicate' }, duplicates);
    fleet.recordMetrics(agentId, accepted, latest);
    if (overLimit === 0) return null;
    metrics.samplesDropped.inc({ reason: ERROR_CODES.seriesLimit }, overLimit);
    return {
      code: ERROR_CODES.seriesLimit,
      message: `${overLimit} sample(s) dropped: this agent already has ${recent.seriesCount(agentId)} series, the limit`,
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

// What a relay does with its agents' frames: the same IngestHandler contract as the console's
// pipeline, so the console's ingest server (auth, throttle, frame checks, acks, pings) serves
// the relay's agents unchanged. Registrations and liveness go to the relay's own Fleet (it
// judges its agents alive by their heartbeats, as the console would); every batch goes into
// the durable queue, and the agent's ack waits for that fsync, so an acked batch survives a
// relay crash and a WAN cut. So does an agent's action result: queued, then acked, then sent
// upstream in a batch like any other entry.
import type {
  ActionResultMessage,
  EventsMessage,
  FactsMessage,
  HelloMessage,
  MetricsMessage,
} from '../../../../shared/protocol.js';
import type { RelayEntry } from '../../../../shared/relay-protocol.js';
import type { Admission } from '../../ingest/admission.js';
import type { HelloResult, IngestHandler } from '../../ingest/session.js';
import type { Fleet } from '../../fleet/fleet.js';
import type { AgentLog } from '../../state/agent-log.js';

export interface RelayHandlerDeps {
  fleet: Fleet;
  registry: Pick<AgentLog, 'persist' | 'statusChanged'>;
  /** Append to the queue; resolves once fsynced. */
  enqueue(entry: RelayEntry): Promise<void>;
  /** Whether the queue takes writes now (closed after a failed write, for `retryAfterMs`). */
  admission(): Admission;
  counters: { samplesIn: number; eventsIn: number; actionResults: number };
  /** Each agent's offered actions (its hello's `capabilities.actions`), reported upstream. */
  offered: Map<string, readonly string[]>;
}

export class RelayIngestHandler implements IngestHandler {
  constructor(
    private readonly deps: RelayHandlerDeps,
    readonly heartbeatIntervalMs: number,
  ) {}

  hello(hello: HelloMessage, remoteAddress: string, boundId?: string): HelloResult {
    // Set before the fleet's change event, which reports the agent upstream with its offer.
    if (hello.agentId) this.deps.offered.set(hello.agentId, hello.capabilities?.actions ?? []);
    const result = this.deps.fleet.connect(hello, remoteAddress, boundId);
    if (!result.ok) return result;
    this.deps.offered.set(result.agent.id, hello.capabilities?.actions ?? []);
    return { ...result, durable: this.deps.registry.persist(result.agent) };
  }

  knownAgentId(hello: HelloMessage): string | null {
    return this.deps.fleet.knownId(hello);
  }

  heartbeat(agentId: string): void {
    this.deps.fleet.heartbeat(agentId);
  }

  admission(): Admission {
    return this.deps.admission();
  }

  metrics(agentId: string, msg: MetricsMessage) {
    this.deps.counters.samplesIn += msg.samples.length;
    // Checked against the console's clock and windows there; the relay only keeps and forwards.
    return { problems: [], durable: this.deps.enqueue({ agentId, message: msg }) };
  }

  events(agentId: string, msg: EventsMessage): Promise<void> {
    this.deps.counters.eventsIn += msg.events.length;
    return this.deps.enqueue({ agentId, message: msg });
  }

  facts(agentId: string, msg: FactsMessage): Promise<void> {
    return this.deps.enqueue({ agentId, message: msg });
  }

  /** Durable in the queue before the agent's ack: it survives a relay crash and a WAN cut. */
  actionResult(agentId: string, msg: ActionResultMessage): Promise<void> {
    this.deps.counters.actionResults++;
    return this.deps.enqueue({ agentId, message: msg });
  }

  closed(agentId: string, connectionId: number, status: 'offline' | 'error'): void {
    this.deps.fleet.disconnect(agentId, connectionId, status);
  }
}

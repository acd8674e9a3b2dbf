// The recovery service's view of the agents' live connections: a port the ingest side
// implements (electron/core/ingest/server.ts), so recovery never imports ingest internals.
import type { ActionMessage, ActionResultMessage, Sample } from '../../../shared/protocol.js';

export interface AgentLink {
  /** Send on the agent's live connection; false when it has none. */
  send(agentId: string, msg: ActionMessage): boolean;
  /** The actions the agent's hello offered on its live connection; null when not connected. */
  offered(agentId: string): readonly string[] | null;
}

/** What ingest hands the recovery service (ingest/pipeline.ts). */
export interface RecoveryIngestSink {
  /** Record an agent's action result; resolves once it is durable (then the agent is acked). */
  actionResult(agentId: string, msg: ActionResultMessage): Promise<void>;
  /** Whether a verification waits for samples of this agent (cheap: asked per batch). */
  wantsSamples(agentId: string): boolean;
  /** The agent's samples just stored. */
  samples(agentId: string, samples: readonly Sample[]): void;
}

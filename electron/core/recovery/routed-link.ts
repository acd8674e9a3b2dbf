// The AgentLink the recovery service sees: per agent, its direct connection to the console if
// it has one, else the regional relay it is behind. Both sides are asked late (the ingest
// server and the relay hub exist only once the core has started).
import type { ActionMessage } from '../../../shared/protocol.js';
import type { AgentLink } from './agent-link.js';

/** One way to reach agents: the ingest server (direct) or the relay hub (relayed). */
export interface AgentRoute {
  sendAction(agentId: string, msg: ActionMessage): boolean;
  offeredActions(agentId: string): readonly string[] | null;
}

export function routedAgentLink(
  direct: () => AgentRoute | null,
  relayed: () => AgentRoute | null,
): AgentLink {
  /** A live direct connection wins: an agent that moved off its relay is reached directly. */
  const routeOf = (agentId: string): AgentRoute | null => {
    const d = direct();
    if (d?.offeredActions(agentId) != null) return d;
    return relayed();
  };
  return {
    send: (agentId, msg) => routeOf(agentId)?.sendAction(agentId, msg) ?? false,
    offered: (agentId) => routeOf(agentId)?.offeredActions(agentId) ?? null,
  };
}

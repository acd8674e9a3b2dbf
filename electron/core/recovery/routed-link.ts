// The AgentLink the recovery service sees: per agent, its direct connection to the console if
// it has one, else the regional relay it is behind. Both sides are asked late (the ingest
// server and the relay hub exist only once the core has started). The same choice answers the
// API's "how is this agent reached" (reach), so what it shows is what a run will do.
import type { AgentActionsView } from '../../../shared/agent-actions.js';
import type { ActionMessage } from '../../../shared/protocol.js';
import type { AgentLink } from './agent-link.js';

/** One way to reach agents: the ingest server (direct) or the relay hub (relayed). */
export interface AgentRoute {
  sendAction(agentId: string, msg: ActionMessage): boolean;
  offeredActions(agentId: string): readonly string[] | null;
}

/** The relay hub's side: also which relay an agent is behind, and what stops an action now. */
export interface RelayedRoute extends AgentRoute {
  /** Null when the agent is behind no relay; `blocked` in words, null when an action can go. */
  behind(agentId: string): { relay: { id: string; name: string }; blocked: string | null } | null;
}

export interface RoutedAgentLink extends AgentLink {
  /** Which actions the agent offers and the way an action would take now. */
  reach(agentId: string): AgentActionsView;
}

/** The reason when the agent has no connection of its own and is behind no relay. */
export const NOT_CONNECTED = 'not connected to the console, and behind no relay';

type Picked =
  | { kind: 'direct'; route: AgentRoute; offered: readonly string[] }
  | { kind: 'relay'; route: RelayedRoute; offered: readonly string[] | null };

const unreachable = (relay: AgentActionsView['relay'], reason: string): AgentActionsView => ({
  offered: null,
  route: null,
  relay,
  reason,
});

export function routedAgentLink(
  direct: () => AgentRoute | null,
  relayed: () => RelayedRoute | null,
): RoutedAgentLink {
  /** A live direct connection wins: an agent that moved off its relay is reached directly. */
  const pick = (agentId: string): Picked | null => {
    const d = direct();
    const offered = d?.offeredActions(agentId) ?? null;
    if (d && offered !== null) return { kind: 'direct', route: d, offered };
    const r = relayed();
    return r ? { kind: 'relay', route: r, offered: r.offeredActions(agentId) } : null;
  };
  return {
    send: (agentId, msg) => pick(agentId)?.route.sendAction(agentId, msg) ?? false,
    offered: (agentId) => pick(agentId)?.offered ?? null,
    reach: (agentId) => {
      const p = pick(agentId);
      if (p?.kind === 'direct')
        return { offered: [...p.offered], route: 'direct', relay: null, reason: null };
      const behind = p?.route.behind(agentId) ?? null;
      if (!p || !behind) return unreachable(null, NOT_CONNECTED);
      if (p.offered === null)
        return unreachable(
          behind.relay,
          behind.blocked ?? `behind relay ${behind.relay.name}, which cannot reach it now`,
        );
      return { offered: [...p.offered], route: 'relay', relay: behind.relay, reason: null };
    },
  };
}

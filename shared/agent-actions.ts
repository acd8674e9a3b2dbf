// Which recovery actions an agent offers, and how the console reaches it to run one
// (electron/core/recovery/routed-link.ts decides; the recovery service sends the same way).

/** How an action would reach the agent now. */
export interface AgentActionsView {
  /** The action names its hello offered; null when no action can reach it now. */
  offered: string[] | null;
  /** `direct`: the agent's own connection to the console; `relay`: the relay it is behind. */
  route: 'direct' | 'relay' | null;
  /** The relay the agent is behind (also when its link is down); null when direct or none. */
  relay: { id: string; name: string } | null;
  /** Why no action can reach it now, in words; null when one can. */
  reason: string | null;
}

export interface AgentActionsRoutes {
  /** Which recovery actions the agent offers and the route to it; 404 for an unknown agent. */
  'GET /api/v1/agents/:id/actions': {
    query: Record<string, never>;
    body: never;
    response: AgentActionsView;
  };
}

export type AgentActionsRouteKey = keyof AgentActionsRoutes;

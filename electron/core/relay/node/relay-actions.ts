// What a relay does with a `relay_action` from the console: hands the action to the agent's
// live connection (its ingest server's send, the call the console makes for a direct agent).
// When it cannot, it says so at once (`relay_action_refused`): the console records that as the
// action's result, so the run fails now, naming the relay, instead of waiting out the deadline.
// The agent's `action_result` comes back the other way, through the durable queue
// (relay-handler.ts).
import type { ActionMessage } from '../../../../shared/protocol.js';
import type { RelayAction, RelayActionRefused } from '../../../../shared/relay-protocol.js';

export interface RelayActionCounters {
  actionsDelivered: number;
  actionsRefused: number;
}

export interface RelayActionDeps {
  relayName: string;
  /** Whether the relay has the agent registered at all. */
  known(agentId: string): boolean;
  /** Send on the agent's live connection; false when it has none. */
  send(agentId: string, msg: ActionMessage): boolean;
  /** Answer the console (on the relay link). */
  reply(msg: RelayActionRefused): void;
  counters: RelayActionCounters;
}

export function deliverRelayAction(deps: RelayActionDeps, msg: RelayAction): void {
  const { agentId, action } = msg;
  if (deps.known(agentId) && deps.send(agentId, action)) {
    deps.counters.actionsDelivered++;
    return;
  }
  deps.counters.actionsRefused++;
  const known = deps.known(agentId);
  deps.reply({
    type: 'relay_action_refused',
    agentId,
    id: action.id,
    action: action.action,
    code: known ? 'agent_not_connected' : 'unknown_agent',
    message: known
      ? `agent not connected to relay ${deps.relayName}`
      : `agent ${agentId} is not known to relay ${deps.relayName}`,
  });
}

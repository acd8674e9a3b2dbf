// Recovery actions for agents behind a relay: the console's side. An action goes down the
// relay's link (`relay_action`) only while that link is up, the relay said in its hello that it
// routes actions, and it holds the agent online; otherwise the agent counts as not connected,
// as a direct agent without a connection does. The relay answers a refusal at once
// (`relay_action_refused`): taken here as the action's result, so the run driver records it
// and fails the run now. The agent's own result comes in the relay's queued batches.
import type { ActionMessage, ActionResultMessage } from '../../../../shared/protocol.js';
import type { RelayActionRefused } from '../../../../shared/relay-protocol.js';
import type { IngestHandler } from '../../ingest/session.js';
import type { RelayMetrics } from './relay-metrics.js';
import type { RelayedAgent } from './relay-record.js';
import type { RelaySession } from './relay-session.js';

/** Where an agent is reached: its relay's current link, and the relay's report of it. */
export interface RelayRoute {
  session: Pick<RelaySession, 'actions' | 'isClosing' | 'send'> | undefined;
  agent: RelayedAgent | undefined;
}

/** Why no action can reach an agent through its relay now. */
export type RelayBlock = 'link_down' | 'no_action_routing' | 'agent_offline';

/**
 * What stops an action going down the relay link now; null when one can go. The one test of it
 * (offeredThroughRelay, sendThroughRelay, and the API's answer of how an agent is reached).
 */
export function relayBlock(route: RelayRoute): RelayBlock | null {
  const { session, agent } = route;
  if (!session || session.isClosing) return 'link_down';
  if (!session.actions) return 'no_action_routing';
  if (!agent?.online) return 'agent_offline';
  return null;
}

/** A RelayBlock in words, for an operator. */
export function relayBlockText(block: RelayBlock, relayName: string): string {
  switch (block) {
    case 'link_down':
      return `behind relay ${relayName}, whose link to the console is down`;
    case 'no_action_routing':
      return `behind relay ${relayName}, which does not route recovery actions (its hello did not offer to)`;
    case 'agent_offline':
      return `behind relay ${relayName}, which reports it offline`;
  }
}

/** The actions the agent offers through its relay; null when no action can reach it now. */
export function offeredThroughRelay(route: RelayRoute): readonly string[] | null {
  if (relayBlock(route) !== null) return null;
  return route.agent!.actions ?? [];
}

/** Send down the relay link; false (not delivered) when offeredThroughRelay says null. */
export function sendThroughRelay(
  route: RelayRoute,
  agentId: string,
  action: ActionMessage,
  metrics: Pick<RelayMetrics, 'actions'>,
): boolean {
  if (offeredThroughRelay(route) === null) return false;
  route.session!.send({ type: 'relay_action', agentId, action });
  metrics.actions.inc({ outcome: 'sent' });
  return true;
}

/** The relay could not hand the action over: recorded as its result (refused, saying why). */
export function refusalAsResult(msg: RelayActionRefused): ActionResultMessage {
  return {
    type: 'action_result',
    id: msg.id,
    action: msg.action,
    status: 'refused',
    reason: msg.message,
    exitCode: null,
    durationMs: 0,
    output: '',
    outputTruncated: false,
  };
}

/**
 * A relay's refusal. Taken only for an agent behind that relay (another relay cannot end an
 * action it was never sent); an unknown action id is counted by the run driver and ignored.
 */
export function takeRefusal(
  relayId: string,
  msg: RelayActionRefused,
  ctx: {
    ownerOf: ReadonlyMap<string, string>;
    handler: Pick<IngestHandler, 'actionResult'> | null;
    metrics: Pick<RelayMetrics, 'actions'>;
  },
): void {
  if (ctx.ownerOf.get(msg.agentId) !== relayId || !ctx.handler) {
    ctx.metrics.actions.inc({ outcome: 'refusal_ignored' });
    return;
  }
  ctx.metrics.actions.inc({ outcome: msg.code });
  void ctx.handler.actionResult(msg.agentId, refusalAsResult(msg)).catch(() => {});
}

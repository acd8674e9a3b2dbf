// A relay's `relay_agents`, applied to the console's fleet: each agent registered (or its
// liveness changed) as the relay reports it, under the relay's name, unless it holds a key of
// its own at the console (then it connects directly, and no relay may speak for it). The
// actions its hello offers are kept: the console sends them through the relay (relay-actions.ts).
import type { HelloMessage } from '../../../../shared/protocol.js';
import type { RelayAgentEntry, RelayProblem } from '../../../../shared/relay-protocol.js';
import type { Fleet } from '../../fleet/fleet.js';
import type { IngestCredentials } from '../../ingest/ingest-auth.js';
import type { RelayRecord } from './relay-record.js';

export interface RegistrationContext {
  fleet: Fleet;
  credentials: Pick<IngestCredentials, 'enrolled'>;
  registry: { persist(agent: NonNullable<ReturnType<Fleet['agent']>>): Promise<void> };
  relays: ReadonlyMap<string, RelayRecord>;
  /** Which relay each agent is behind (updated here: the last relay to register it wins). */
  ownerOf: Map<string, string>;
  alive(agentId: string): void;
}

/** Apply the entries; what was refused, and the registry writes the batch acks must wait for. */
export function applyRegistrations(
  relay: RelayRecord,
  entries: readonly RelayAgentEntry[],
  ctx: RegistrationContext,
): { problems: RelayProblem[]; durable: Promise<void>[] } {
  const problems: RelayProblem[] = [];
  const durable: Promise<void>[] = [];
  const { fleet, credentials, registry, relays, ownerOf } = ctx;
  for (const entry of entries) {
    const { hello } = entry;
    const id = hello.agentId;
    if (!id) {
      problems.push({
        agentId: hello.hostname.slice(0, 64),
        code: 'no_agent_id',
        message: 'a relayed hello names its agentId',
      });
      continue;
    }
    if (credentials.enrolled(id)) {
      problems.push({
        agentId: id,
        code: 'agent_has_own_key',
        message: `agent ${id} has its own key: it connects to the console directly`,
      });
      continue;
    }
    const owner = ownerOf.get(id);
    if (owner && owner !== relay.id) relays.get(owner)?.agents.delete(id);
    ownerOf.set(id, relay.id);
    const key = JSON.stringify(hello);
    const known = relay.agents.get(id);
    const address = hello.ipAddress ?? entry.address;
    if (entry.online) {
      if (known?.online && known.hello === key && fleet.agent(id)) {
        ctx.alive(id);
        continue;
      }
      const result = fleet.connect(relayed(hello, relay.name), address);
      if (!result.ok) {
        problems.push({ agentId: id, code: result.reason, message: result.message });
        continue;
      }
      relay.agents.set(id, {
        ...{ online: true, hello: key, connectionId: result.connectionId },
        actions: hello.capabilities?.actions ?? [],
      });
      ctx.alive(id);
      durable.push(registry.persist(result.agent));
    } else {
      if (!fleet.agent(id)) {
        const result = fleet.connect(relayed(hello, relay.name), address);
        if (!result.ok) {
          problems.push({ agentId: id, code: result.reason, message: result.message });
          continue;
        }
        durable.push(registry.persist(result.agent));
        relay.agents.set(id, { online: true, hello: key, connectionId: result.connectionId });
      }
      const a = relay.agents.get(id) ?? { online: true, hello: key, connectionId: 0 };
      if (a.online) fleet.disconnect(id, a.connectionId, 'offline');
      relay.agents.set(id, {
        ...{ online: false, hello: key, connectionId: a.connectionId },
        actions: hello.capabilities?.actions ?? [],
      });
    }
  }
  return { problems, durable };
}

/** The hello as the console registers it: labelled with its relay. */
function relayed(hello: HelloMessage, relayName: string): HelloMessage {
  return { ...hello, labels: { ...hello.labels, relay: relayName } };
}

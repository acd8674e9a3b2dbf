// Whether a hello may speak for the agent it names. A key is bound to one agent id: a hello
// on it naming another id is impersonation (one naming no id connects as the key's agent). The
// enrolment secret may register new agents and old (key-less) ones, never an agent that has
// been issued a key: that agent must use its key.
import type { HelloMessage } from '../../../shared/protocol.js';
import type { IngestAuth, IngestCredentials } from './ingest-auth.js';

/** Why this hello is refused (close 4012), or null when it may go on. */
export function identityProblem(
  auth: IngestAuth,
  hello: HelloMessage,
  knownId: string | null,
  creds: Pick<IngestCredentials, 'enrolled'>,
): string | null {
  if (auth.kind === 'key') {
    if (hello.agentId !== undefined && hello.agentId !== auth.agentId)
      return `this key belongs to agent ${auth.agentId}, not ${hello.agentId}`;
    // Whatever host it names, it connects as the key's agent (the fleet is told the bound id).
    return null;
  }
  const target = knownId ?? hello.agentId ?? null;
  if (target !== null && creds.enrolled(target))
    return `agent ${target} has its own key; the enrolment secret cannot connect as it`;
  return null;
}

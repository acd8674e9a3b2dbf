import type { Agent } from '../../../shared/model.js';
import type { RuleMatchers } from '../../../shared/rules.js';

/** What a rule's matchers look at: the sample's agent and the sample's own labels. */
export type MatchedAgent = Pick<Agent, 'regionId' | 'type' | 'labels'>;

/** True when every part of the matchers holds for this series (no matchers: always). */
export function matchesSeries(
  m: RuleMatchers | undefined,
  agent: MatchedAgent,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!m) return true;
  if (m.regions && m.regions.length > 0 && !m.regions.includes(agent.regionId)) return false;
  if (m.agentTypes && m.agentTypes.length > 0 && !m.agentTypes.includes(agent.type)) return false;
  if (m.labels) {
    for (const [name, want] of Object.entries(m.labels)) {
      const have = labels?.[name] ?? agent.labels[name];
      if (have !== want) return false;
    }
  }
  return true;
}

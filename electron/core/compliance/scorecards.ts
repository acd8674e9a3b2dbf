// Builds the compliance report: every control evaluated (host controls per agent, console
// controls once), scorecards per framework and per region, failing controls first.
import {
  FRAMEWORK_NAMES,
  FRAMEWORKS,
  type AgentControlResult,
  type ComplianceReport,
  type ControlResult,
  type ControlView,
  type Framework,
  type FrameworkScorecard,
  type RegionScorecard,
  type Scorecard,
} from '../../../shared/compliance.js';
import type { PostureFact } from '../../../shared/posture.js';
import { describeRule, type Control } from './catalogue.js';
import { evaluateFact, evaluateState, type StateReading } from './evaluate.js';

export interface AgentInScope {
  id: string;
  hostname: string;
  regionId: string;
  facts: Map<string, PostureFact>;
  /** Whether the agent ever sent facts. */
  reported: boolean;
}

export const CONSOLE_SUBJECT = 'console';

const RANK: Record<ControlResult, number> = { fail: 0, unknown: 1, pass: 2 };

const ratioOf = (s: Omit<Scorecard, 'ratio'>): number | null =>
  s.pass + s.fail === 0 ? null : s.pass / (s.pass + s.fail);

function tally(results: Iterable<ControlResult>): Scorecard {
  const s = { pass: 0, fail: 0, unknown: 0 };
  for (const r of results) s[r]++;
  return { ...s, ratio: ratioOf(s) };
}

export function evaluateControls(
  catalogue: readonly Control[],
  agents: readonly AgentInScope[],
  state: Map<string, StateReading>,
): ControlView[] {
  return catalogue.map((c) => {
    const results: AgentControlResult[] =
      c.scope === 'host'
        ? agents.map((a) => ({
            agentId: a.id,
            hostname: a.hostname,
            regionId: a.regionId,
            ...evaluateFact(c, a.facts.get(c.reads), a.reported),
          }))
        : [
            {
              agentId: CONSOLE_SUBJECT,
              hostname: CONSOLE_SUBJECT,
              regionId: '',
              ...evaluateState(c, state.get(c.reads)),
            },
          ];
    results.sort((a, b) => RANK[a.result] - RANK[b.result] || a.hostname.localeCompare(b.hostname));
    const score = tally(results.map((r) => r.result));
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      scope: c.scope,
      refs: c.refs,
      rule: describeRule(c),
      pass: score.pass,
      fail: score.fail,
      unknown: score.unknown,
      results,
    };
  });
}

/** A control's overall result: failing if any subject fails, else unknown if any is, else pass. */
export function controlResult(c: Pick<ControlView, 'pass' | 'fail' | 'unknown'>): ControlResult {
  if (c.fail > 0) return 'fail';
  if (c.unknown > 0 || c.pass === 0) return 'unknown';
  return 'pass';
}

export function frameworkScorecards(controls: readonly ControlView[]): FrameworkScorecard[] {
  return FRAMEWORKS.map((framework) => {
    const mine = controls.filter((c) => c.refs[framework]);
    const score = tally(mine.flatMap((c) => c.results.map((r) => r.result)));
    return {
      framework,
      name: FRAMEWORK_NAMES[framework],
      ...score,
      controls: mine.length,
      failingControls: mine.filter((c) => c.fail > 0).length,
    };
  });
}

export function regionScorecards(
  controls: readonly ControlView[],
  regionIds: readonly string[],
): RegionScorecard[] {
  const hostResults = controls.filter((c) => c.scope === 'host').flatMap((c) => c.results);
  return regionIds.map((regionId) => {
    const mine = hostResults.filter((r) => r.regionId === regionId);
    const agents = new Set(mine.map((r) => r.agentId));
    const failing = new Set(mine.filter((r) => r.result === 'fail').map((r) => r.agentId));
    return {
      regionId,
      ...tally(mine.map((r) => r.result)),
      agents: agents.size,
      failingAgents: failing.size,
    };
  });
}

export function buildReport(input: {
  now: number;
  catalogue: readonly Control[];
  agents: readonly AgentInScope[];
  regionIds: readonly string[];
  state: Map<string, StateReading>;
  framework: Framework | null;
  region: string | null;
  trend: ComplianceReport['trend'];
  audit: ComplianceReport['audit'];
}): ComplianceReport {
  const agents = input.region
    ? input.agents.filter((a) => a.regionId === input.region)
    : input.agents;
  const catalogue = input.framework
    ? input.catalogue.filter((c) => c.refs[input.framework!])
    : input.catalogue;
  const controls = evaluateControls(catalogue, agents, input.state).sort(
    (a, b) =>
      RANK[controlResult(a)] - RANK[controlResult(b)] ||
      b.fail - a.fail ||
      a.id.localeCompare(b.id),
  );
  const frameworks = frameworkScorecards(controls).filter(
    (f) => !input.framework || f.framework === input.framework,
  );
  const regionIds = input.region ? [input.region] : input.regionIds;
  return {
    generatedAt: input.now,
    filter: { framework: input.framework, region: input.region },
    frameworks,
    regions: regionScorecards(controls, regionIds),
    controls,
    trend: input.trend,
    audit: input.audit,
  };
}

// What /federate answers: the newest sample of every series a `match[]` selector picks, with
// the agent's id, hostname and region as labels, so that a Prometheus scraping the console
// gets the fleet as series it can aggregate by host and region.
import { renderExposition, labelName, metricName, type ExposedSample } from './exposition.js';
import { parseSelector, selects, SelectorError, type LabelMatcher } from './selector.js';

/** What federation reads of a stored series. */
export interface FederatedSeries {
  agentId: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  lastTs: number;
  lastValue: number;
}

export interface FederationSource {
  now(): number;
  metricNames(): readonly string[];
  seriesOf(metric: string): Iterable<FederatedSeries>;
  agent(id: string): { hostname: string; regionId: string } | undefined;
}

/** Series whose newest sample is older than this are left out (Prometheus' lookback delta). */
export const LOOKBACK_MS = 5 * 60_000;
/** The labels the console adds; a series label of the same name is kept as `exported_<name>`. */
const TARGET_LABELS = ['agent', 'hostname', 'region'] as const;

/** Parse every `match[]`; a bad one throws SelectorError naming which. */
export function parseMatches(params: readonly string[]): LabelMatcher[][] {
  if (params.length === 0) throw new SelectorError("give at least one 'match[]' selector");
  if (params.length > 100) throw new SelectorError("at most 100 'match[]' selectors");
  return params.map((p, i) => {
    try {
      return parseSelector(p);
    } catch (err) {
      if (!(err instanceof SelectorError)) throw err;
      throw new SelectorError(`match[] #${i + 1} (${JSON.stringify(p)}): ${err.message}`);
    }
  });
}

/** The exposition text of every series any selector picks (a series once, however many pick it). */
export function federate(src: FederationSource, selectors: readonly LabelMatcher[][]): string {
  const oldest = src.now() - LOOKBACK_MS;
  const out: ExposedSample[] = [];
  for (const stored of candidateNames(src, selectors)) {
    const name = metricName(stored);
    for (const s of src.seriesOf(stored)) {
      if (!Number.isFinite(s.lastTs) || s.lastTs < oldest) continue;
      const labels = exposedLabels(src, s);
      const withName = { ...labels, __name__: name };
      if (selectors.some((m) => selects(m, withName)))
        out.push({ name, labels, value: s.lastValue, ts: s.lastTs });
    }
  }
  return renderExposition(out);
}

/** A selector naming its metric exactly reads only that metric's series. */
function candidateNames(src: FederationSource, selectors: readonly LabelMatcher[][]): string[] {
  const all = src.metricNames();
  const exact = selectors.map(
    (ms) => ms.find((m) => m.name === '__name__' && m.op === '=')?.value ?? null,
  );
  if (exact.some((n) => n === null)) return [...all];
  return all.filter((n) => exact.includes(metricName(n)));
}

function exposedLabels(src: FederationSource, s: FederatedSeries): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.labels)) {
    const name = labelName(k);
    labels[(TARGET_LABELS as readonly string[]).includes(name) ? `exported_${name}` : name] = v;
  }
  const agent = src.agent(s.agentId);
  labels.agent = s.agentId;
  if (agent) {
    labels.hostname = agent.hostname;
    labels.region = agent.regionId;
  }
  return labels;
}

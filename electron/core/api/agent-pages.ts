// GET /api/v1/agents, a page at a time: agents in id order from an opaque cursor, filtered by
// region and status, with only the fields asked for. A fleet of 35,000 agents must not come
// back as one 167 MB body.
import type { AgentsPage, AgentsQuery, AgentView } from '../../../shared/api.js';
import { AGENT_FIELDS, AGENTS_PAGE_MAX } from '../../../shared/api-constants.js';
import type { Agent } from '../../../shared/model.js';
import type { Fleet } from '../fleet/fleet.js';
import { HttpError } from './http-util.js';

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const KNOWN_FIELDS = new Set<string>(AGENT_FIELDS);

const invalid = (field: string, message: string) =>
  new HttpError(400, 'invalid_query', `query field '${field}': ${message}`, field);

export function encodeCursor(afterId: string): string {
  return Buffer.from(afterId, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!ID_RE.test(id) || encodeCursor(id) !== cursor)
    throw invalid('cursor', 'not a cursor this API gave out (use nextCursor as it came)');
  return id;
}

function parseLimit(limit: string | undefined): number {
  if (limit === undefined) return AGENTS_PAGE_MAX;
  const n = Number(limit);
  if (n < 1 || n > AGENTS_PAGE_MAX) throw invalid('limit', `must be 1 to ${AGENTS_PAGE_MAX}`);
  return n;
}

function parseFields(fields: string | undefined): (keyof Agent)[] | null {
  if (fields === undefined) return null;
  const names = fields.split(',');
  const unknown = names.find((f) => !KNOWN_FIELDS.has(f));
  if (unknown !== undefined)
    throw invalid(
      'fields',
      `'${unknown}' is not an agent field (known: ${AGENT_FIELDS.join(', ')})`,
    );
  return [...new Set(['id', ...names])] as (keyof Agent)[];
}

/** First index in sorted `ids` whose id sorts after `after`. */
function firstAfter(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function pageAgents(fleet: Fleet, query: AgentsQuery): AgentsPage {
  const limit = parseLimit(query.limit);
  const fields = parseFields(query.fields);
  const ids = fleet.agentIds();
  const start = query.cursor === undefined ? 0 : firstAfter(ids, decodeCursor(query.cursor));
  const page: Agent[] = [];
  let more = false;
  for (let i = start; i < ids.length; i++) {
    const agent = fleet.agent(ids[i]!)!;
    if (query.region && agent.regionId !== query.region) continue;
    if (query.status && agent.status !== query.status) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(agent);
  }
  const agents: AgentView[] = fields
    ? page.map((a) => Object.fromEntries(fields.map((f) => [f, a[f]])) as AgentView)
    : page;
  return { agents, nextCursor: more ? encodeCursor(page[page.length - 1]!.id) : null };
}

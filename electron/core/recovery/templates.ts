// Parameter templates of runbook steps: `{{labels.NAME}}`, `{{agent.hostname}}`, `{{agent.id}}`,
// `{{region}}` (and, in an http step's status URL, `{{response.FIELD}}`). Substitution only
// fills in values the console knows; it never builds a command: the agent checks every value
// against its own pattern, and an action is only ever a name from the agent's own file.

/** What a run's templates may name. */
export interface TemplateContext {
  /** The agent's labels, overlaid with the triggering series' labels. */
  labels: Readonly<Record<string, string>>;
  agent: { id: string; hostname: string };
  region: string;
  /** The JSON answer of an http step's call (for its statusUrl). */
  response?: unknown;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;

export class TemplateError extends Error {}

/** The value a placeholder names, or a TemplateError naming what is missing. */
function lookup(name: string, ctx: TemplateContext): string {
  if (name === 'region') return ctx.region;
  if (name === 'agent.id') return ctx.agent.id;
  if (name === 'agent.hostname') return ctx.agent.hostname;
  if (name.startsWith('labels.')) {
    const label = name.slice('labels.'.length);
    const value = Object.hasOwn(ctx.labels, label) ? ctx.labels[label] : undefined;
    if (value === undefined) throw new TemplateError(`no label '${label}' on the alert or agent`);
    return value;
  }
  if (name.startsWith('response.')) {
    const value = dotted(ctx.response, name.slice('response.'.length));
    if (value === undefined || value === null || typeof value === 'object')
      throw new TemplateError(`the response has no plain field '${name.slice(9)}'`);
    return String(value);
  }
  throw new TemplateError(`unknown placeholder {{${name}}}`);
}

/** Fill in every placeholder; throws TemplateError when one cannot be filled. */
export function substitute(text: string, ctx: TemplateContext): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => lookup(name, ctx));
}

/** Every value of a parameter map filled in. */
export function substituteAll(
  params: Readonly<Record<string, string>> | undefined,
  ctx: TemplateContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = substitute(v, ctx);
  return out;
}

/** The placeholders a text names (for checking a runbook when it is saved). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Whether a placeholder name is one a step may use (`response.*` only in a status URL). */
export function knownPlaceholder(name: string, allowResponse: boolean): boolean {
  return (
    name === 'region' ||
    name === 'agent.id' ||
    name === 'agent.hostname' ||
    /^labels\.[a-zA-Z][a-zA-Z0-9_]*$/.test(name) ||
    (allowResponse && /^response\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(name))
  );
}

/** A dotted path into parsed JSON (`job.status`); own properties only. */
export function dotted(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * The labels of the series an alert is about, from its subject key
 * (`<agentId>/<metric>\u0001<name>\u0002<value>…`, see store/series-key.ts).
 */
export function seriesLabelsOf(subjectKey: string): Record<string, string> {
  const out: Record<string, string> = {};
  const slash = subjectKey.indexOf('/');
  if (slash < 0) return out;
  const parts = subjectKey.slice(slash + 1).split('\u0001');
  for (const part of parts.slice(1)) {
    const sep = part.indexOf('\u0002');
    if (sep > 0) out[part.slice(0, sep)] = part.slice(sep + 1);
  }
  return out;
}

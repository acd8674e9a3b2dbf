// Parameter templates of runbook steps: `{{labels.NAME}}`, `{{agent.hostname}}`, `{{agent.id}}`,
// `{{region}}` (and, in an http step's status URL, `{{response.FIELD}}`). Substitution only
// fills in values the console knows; it never builds a command: the agent checks every value
// against its own pattern, and an action is only ever a name from the agent's own file.
// Label values come from agents and may hold anything (`"`, `/`, `?`, `#`, `@`), so each value
// is encoded for where it lands: percent-encoded in a URL (it cannot add a path segment, a
// query or a fragment; it never stands in the scheme, host or port — refused when saved),
// filled inside the JSON strings of a body (it cannot close the string and add fields), never
// in a header, and an action parameter must be plain text (no control or format character).
import { MAX_ACTION_PARAM_CHARS } from '../../../shared/protocol.js';

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
export function substitute(
  text: string,
  ctx: TemplateContext,
  encode: (value: string, name: string) => string = (v) => v,
): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => encode(lookup(name, ctx), name));
}

/** Every value of a map filled in as it is (verify labels: matched, never sent). */
export function substituteAll(
  params: Readonly<Record<string, string>> | undefined,
  ctx: TemplateContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = substitute(v, ctx);
  return out;
}

/** Control (C0, DEL, C1) and format characters (bidi overrides, zero-width), line separators. */
const NOT_PLAIN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * An action's parameters filled in; a value that is not plain text (a control or format
 * character) or too long for the protocol is refused here, before anything is sent. The agent
 * still checks each value against its own pattern.
 */
export function substituteParams(
  params: Readonly<Record<string, string>> | undefined,
  ctx: TemplateContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    const value = substitute(v, ctx);
    if (NOT_PLAIN.test(value))
      throw new TemplateError(
        `params/${k}: the value filled in is not plain text (a control or format character): not sent`,
      );
    if (value.length > MAX_ACTION_PARAM_CHARS)
      throw new TemplateError(
        `params/${k}: the value filled in is longer than ${MAX_ACTION_PARAM_CHARS} characters: not sent`,
      );
    out[k] = value;
  }
  return out;
}

/**
 * A URL filled in: each value percent-encoded (encodeURIComponent), so it stays one path
 * segment or query value. `{{response.FIELD}}` (a status URL the automation system answered
 * with, often a whole URL) goes in as it is: the step's headers follow it only to the launch
 * URL's own origin.
 */
export function substituteUrl(text: string, ctx: TemplateContext): string {
  return substitute(text, ctx, (v, name) =>
    name.startsWith('response.') ? v : encodeURIComponent(v),
  );
}

/**
 * A JSON body filled in: placeholders only inside its string values, each value put into the
 * parsed string (JSON.stringify escapes it), so a value cannot end its string and add fields.
 * A body without placeholders is sent as written.
 */
export function substituteJson(body: string, ctx: TemplateContext): string {
  if (placeholders(body).length === 0) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TemplateError('body: not JSON (placeholders are filled only inside JSON strings)');
  }
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return substitute(v, ctx);
    if (Array.isArray(v)) return v.map(fill);
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return JSON.stringify(fill(parsed));
}

/** The placeholders a text names (for checking a runbook when it is saved). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The text with each placeholder replaced by what `fn` makes of its name. */
export function replacePlaceholders(text: string, fn: (name: string) => string): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => fn(name));
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

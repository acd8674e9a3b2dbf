// Parameters into argv: the one place a value from the console meets a command line. A value
// only ever fills a `{name}` placeholder inside one argv element (never a shell: the program
// is spawned with shell:false), and only after it fully matches its parameter's anchored
// pattern, is short, holds no control character and cannot pass as an option.
import { MAX_ACTION_PARAM_CHARS } from '../../shared/protocol-codes.js';

export const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const MAX_PATTERN_CHARS = 1024;
const MAX_ARG_CHARS = 4096;
/**
 * All of argv together: it is echoed in action_result, which with 16 KiB of output must stay
 * well inside the console's frame limit (256 KiB); a result the console refused would be resent
 * on every reconnect.
 */
export const MAX_ARGV_TOTAL_CHARS = 32_768;

/** NUL, newline and the other C0 controls, and DEL. */
export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** One argv element: literal text and placeholders, in order. */
export type ArgPart = { text: string } | { param: string };

/**
 * A parameter pattern must be anchored at both ends (`^…$`). It is compiled wrapped in a
 * group, so a top-level alternation (`^a|b$`, whose anchors each bind one branch only) still
 * has to match the whole value.
 */
export function compileParamPattern(src: string): { regex: RegExp } | { error: string } {
  if (src.length > MAX_PATTERN_CHARS)
    return { error: `longer than ${MAX_PATTERN_CHARS} characters` };
  // A final `\$` is a literal dollar, not an anchor: count the backslashes before the `$`.
  const backslashes = /(\\*)\$$/.exec(src)?.[1]?.length;
  if (!src.startsWith('^') || backslashes === undefined || backslashes % 2 === 1) {
    return {
      error: `'${src}' is not anchored: it must begin with ^ and end with $ so that it matches the whole value`,
    };
  }
  try {
    return { regex: new RegExp(`^(?:${src})$`) };
  } catch (err) {
    return { error: `is not a valid regular expression (${(err as Error).message})` };
  }
}

/** `{name}` placeholders of an element; `{{` is a literal `{`. */
export function parseElement(el: string): { parts: ArgPart[] } | { error: string } {
  const parts: ArgPart[] = [];
  let text = '';
  for (let i = 0; i < el.length;) {
    if (el[i] !== '{') {
      text += el[i++];
      continue;
    }
    if (el[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    const m = /^\{([a-zA-Z][a-zA-Z0-9_]{0,63})\}/.exec(el.slice(i));
    if (!m) {
      return {
        error: `'{' at ${i} does not begin a {name} placeholder (write {{ for a literal {)`,
      };
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ param: m[1]! });
    i += m[0].length;
  }
  if (text || parts.length === 0) parts.push({ text });
  return { parts };
}

export function placeholdersIn(el: string): { names: string[] } | { error: string } {
  const parsed = parseElement(el);
  if ('error' in parsed) return parsed;
  return { names: parsed.parts.flatMap((p) => ('param' in p ? [p.param] : [])) };
}

export interface ParamRule {
  name: string;
  pattern: string;
  regex: RegExp;
  default?: string;
  allowLeadingDash: boolean;
}

/** Why one value is refused, or null when it may be used. */
export function checkParamValue(rule: ParamRule, value: unknown): string | null {
  if (typeof value !== 'string') return `parameter '${rule.name}' must be a string`;
  if (value.length > MAX_ACTION_PARAM_CHARS)
    return `parameter '${rule.name}' is longer than ${MAX_ACTION_PARAM_CHARS} characters`;
  // NUL cannot reach a program's argv; newlines and other controls would mislead logs and tools.
  if (hasControlChar(value))
    return `parameter '${rule.name}' contains a control character (NUL, newline …)`;
  if (value.startsWith('-') && !rule.allowLeadingDash)
    return `parameter '${rule.name}' begins with '-' (it could pass as an option) and its pattern does not allow that`;
  if (!rule.regex.test(value))
    return `parameter '${rule.name}' ${JSON.stringify(value)} does not match ${rule.pattern}`;
  return null;
}

export interface ArgvTemplate {
  argv: ArgPart[][];
  params: Map<string, ParamRule>;
}

/**
 * The argv to run for these parameters, or why not. Every given parameter must be declared,
 * every declared one given (or defaulted); a value filling the program (argv[0]) may name a
 * file in the directory written before it, never a path.
 */
export function renderArgv(
  t: ArgvTemplate,
  given: Record<string, unknown>,
): { argv: string[] } | { error: string } {
  for (const name of Object.keys(given)) {
    if (!t.params.has(name)) return { error: `unknown parameter '${name.slice(0, 64)}'` };
  }
  const values = new Map<string, string>();
  for (const [name, rule] of t.params) {
    const value = Object.hasOwn(given, name) ? given[name] : rule.default;
    if (value === undefined) return { error: `parameter '${name}' is missing` };
    const problem = checkParamValue(rule, value);
    if (problem) return { error: problem };
    values.set(name, value as string);
  }
  const argv: string[] = [];
  for (const [i, parts] of t.argv.entries()) {
    let el = '';
    for (const p of parts) {
      if ('text' in p) {
        el += p.text;
        continue;
      }
      const v = values.get(p.param)!;
      if (i === 0 && (v.includes('/') || v === '.' || v === '..'))
        return { error: `parameter '${p.param}' names the program: a bare file name, no '/'` };
      el += v;
    }
    if (el.length > MAX_ARG_CHARS)
      return { error: `argv[${i}] would be longer than ${MAX_ARG_CHARS} characters` };
    argv.push(el);
  }
  if (argv.reduce((n, a) => n + a.length, 0) > MAX_ARGV_TOTAL_CHARS)
    return { error: `argv would be longer than ${MAX_ARGV_TOTAL_CHARS} characters in all` };
  return { argv };
}

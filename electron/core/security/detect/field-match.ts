// One `field|modifier…: value(s)` entry of a Sigma selection, compiled to a predicate.
// Sigma semantics: plain, contains, startswith and endswith compare case-insensitively and
// honour the `*` / `?` wildcards (escaped with `\`); `re` is a case-sensitive JS regular
// expression unless `|i`; a list means any value (or every value with `|all`).
import { fieldGetter, type FieldValue } from './event-fields.js';
import type { SecurityEvent } from './types.js';

export const STRING_MODIFIERS = ['contains', 'startswith', 'endswith'] as const;
export const SUPPORTED_MODIFIERS = [...STRING_MODIFIERS, 're', 'all', 'expand', 'i', 'm', 's'];

type Mode = 'equals' | (typeof STRING_MODIFIERS)[number];
type ValuePredicate = (v: FieldValue) => boolean;

/** A problem with the entry; the caller adds the file and line. */
export class FieldSpecError extends Error {}

export interface FieldMatchOptions {
  /** `%name%` placeholders for the `expand` modifier. */
  placeholders: Readonly<Record<string, readonly string[]>>;
}

export function compileFieldMatch(
  key: string,
  raw: unknown,
  opts: FieldMatchOptions,
): (e: SecurityEvent) => boolean {
  const [field, ...mods] = key.split('|');
  if (!field) throw new FieldSpecError(`field name missing in '${key}'`);
  for (const m of mods) {
    if (!SUPPORTED_MODIFIERS.includes(m)) {
      throw new FieldSpecError(
        `unsupported modifier '${m}' in '${key}' (supported: ${SUPPORTED_MODIFIERS.join(', ')})`,
      );
    }
  }
  const modes = mods.filter(
    (m) => m === 're' || (STRING_MODIFIERS as readonly string[]).includes(m),
  );
  if (modes.length > 1)
    throw new FieldSpecError(`'${key}': ${modes.join(' and ')} cannot be combined`);
  const reFlags = mods.filter((m) => m === 'i' || m === 'm' || m === 's');
  if (reFlags.length > 0 && modes[0] !== 're') {
    throw new FieldSpecError(`'${key}': the ${reFlags.join(', ')} flags apply only to |re`);
  }
  const all = mods.includes('all');
  let values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (mods.includes('expand')) values = expand(key, values, opts);
  if (all && values.length < 2 && !Array.isArray(raw)) {
    throw new FieldSpecError(`'${key}': |all needs a list of values`);
  }
  for (const v of values) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new FieldSpecError(`'${key}': values must be strings, numbers, booleans or null`);
    }
  }
  const preds = (values as (string | number | boolean | null)[]).map((v) =>
    modes[0] === 're'
      ? regexPredicate(key, v, reFlags)
      : stringPredicate((modes[0] ?? 'equals') as Mode, v),
  );
  const get = fieldGetter(field);
  if (preds.length === 0) return () => false;
  if (preds.length === 1) {
    const p = preds[0]!;
    return (e) => p(get(e));
  }
  return all
    ? (e) => {
        const v = get(e);
        for (const p of preds) if (!p(v)) return false;
        return true;
      }
    : (e) => {
        const v = get(e);
        for (const p of preds) if (p(v)) return true;
        return false;
      };
}

function expand(key: string, values: unknown[], opts: FieldMatchOptions): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    const m = typeof v === 'string' ? /^%([A-Za-z0-9_.-]+)%$/.exec(v) : null;
    if (!m) throw new FieldSpecError(`'${key}': |expand takes '%placeholder%' values`);
    const list = Object.hasOwn(opts.placeholders, m[1]!) ? opts.placeholders[m[1]!] : undefined;
    if (!list) throw new FieldSpecError(`'${key}': unknown placeholder %${m[1]}%`);
    out.push(...list);
  }
  return out;
}

function regexPredicate(
  key: string,
  v: string | number | boolean | null,
  flags: string[],
): ValuePredicate {
  if (typeof v !== 'string') throw new FieldSpecError(`'${key}': |re needs a string pattern`);
  let re: RegExp;
  try {
    re = new RegExp(v, flags.join(''));
  } catch (err) {
    throw new FieldSpecError(`'${key}': bad regular expression: ${(err as Error).message}`);
  }
  return (x) => x !== undefined && re.test(String(x));
}

function stringPredicate(mode: Mode, v: string | number | boolean | null): ValuePredicate {
  // null: the field is absent (or empty), as in Sigma.
  if (v === null) return (x) => x === undefined || x === '';
  const text = String(v);
  if (typeof v === 'string' && /(^|[^\\])(\\\\)*[*?]/.test(text)) {
    const re = wildcardRegex(mode, text);
    return (x) => x !== undefined && re.test(String(x));
  }
  const want = unescape(text).toLowerCase();
  switch (mode) {
    case 'equals':
      return (x) => x !== undefined && String(x).toLowerCase() === want;
    case 'contains':
      return (x) => x !== undefined && String(x).toLowerCase().includes(want);
    case 'startswith':
      return (x) => x !== undefined && String(x).toLowerCase().startsWith(want);
    case 'endswith':
      return (x) => x !== undefined && String(x).toLowerCase().endsWith(want);
  }
}

/** Sigma escapes: `\*`, `\?` and `\\` are literal; any other backslash is itself. */
function unescape(s: string): string {
  return s.replace(/\\([*?\\])/g, '$1');
}

function wildcardRegex(mode: Mode, s: string): RegExp {
  let body = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      body += escapeRe(next);
      i++;
    } else if (c === '*') body += '.*';
    else if (c === '?') body += '.';
    else body += escapeRe(c);
  }
  const start = mode === 'equals' || mode === 'startswith' ? '^' : '';
  const end = mode === 'equals' || mode === 'endswith' ? '$' : '';
  return new RegExp(start + body + end, 'is');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

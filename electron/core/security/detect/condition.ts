// A Sigma `condition` compiled to one closure over the rule's selections.
// Grammar (lowest precedence first):
//   or   := and ('or' and)*
//   and  := not ('and' not)*
//   not  := 'not' not | atom
//   atom := '(' or ')' | ('1' | 'all') 'of' (name-pattern | 'them') | selection-name
// A name pattern may end in or contain `*` (sel*, filter_*).
import type { SecurityEvent } from './types.js';

export type Predicate = (e: SecurityEvent) => boolean;

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.-]+|\|)/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m)
      throw new ConditionError(`unexpected '${src.slice(pos).trim()[0]}' at column ${pos + 1}`);
    if (m[1] === '|') {
      throw new ConditionError(
        "aggregations in the condition ('| count()') are not supported: write a correlation rule",
      );
    }
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function compileCondition(
  src: string,
  selections: ReadonlyMap<string, Predicate>,
): Predicate {
  const tokens = tokenize(src);
  if (tokens.length === 0) throw new ConditionError('condition is empty');
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const expect = (t: string) => {
    if (peek() !== t) throw new ConditionError(`expected '${t}' but found ${describe(tokens[i])}`);
    i++;
  };

  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (peek() === 'or') {
      i++;
      parts.push(andExpr());
    }
    return anyOf(parts);
  };
  const andExpr = (): Predicate => {
    const parts = [notExpr()];
    while (peek() === 'and') {
      i++;
      parts.push(notExpr());
    }
    return allOf(parts);
  };
  const notExpr = (): Predicate => {
    if (peek() === 'not') {
      i++;
      const inner = notExpr();
      return (e) => !inner(e);
    }
    return atom();
  };
  const atom = (): Predicate => {
    const t = tokens[i];
    const lower = peek();
    if (t === undefined) throw new ConditionError('condition ends too early');
    if (t === '(') {
      i++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if ((lower === '1' || lower === 'all') && tokens[i + 1]?.toLowerCase() === 'of') {
      i += 2;
      const target = tokens[i];
      if (target === undefined || target === '(' || target === ')') {
        throw new ConditionError(`'${t} of' needs a selection pattern or 'them'`);
      }
      i++;
      const picked = pick(target, selections);
      return lower === '1' ? anyOf(picked) : allOf(picked);
    }
    if (/^(and|or|not|of|them|\))$/i.test(t)) throw new ConditionError(`unexpected '${t}'`);
    if (t.includes('*'))
      throw new ConditionError(`'${t}': a wildcard name needs '1 of' or 'all of'`);
    const sel = selections.get(t);
    if (!sel) throw new ConditionError(`unknown selection '${t}'`);
    i++;
    return sel;
  };

  const result = orExpr();
  if (i < tokens.length) throw new ConditionError(`unexpected '${tokens[i]}'`);
  return result;
}

function describe(t: string | undefined): string {
  return t === undefined ? 'the end' : `'${t}'`;
}

function pick(pattern: string, selections: ReadonlyMap<string, Predicate>): Predicate[] {
  // `them` is every selection except those starting with `_` (Sigma's convention).
  const re =
    pattern.toLowerCase() === 'them'
      ? /^(?!_)/
      : new RegExp('^' + pattern.split('*').map(escape).join('.*') + '$');
  const out = [...selections].filter(([name]) => re.test(name)).map(([, p]) => p);
  if (out.length === 0) throw new ConditionError(`'${pattern}' matches no selection`);
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function anyOf(ps: Predicate[]): Predicate {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Predicate, Predicate];
    return (e) => a(e) || b(e);
  }
  return (e) => {
    for (const p of ps) if (p(e)) return true;
    return false;
  };
}

function allOf(ps: Predicate[]): Predicate {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Predicate, Predicate];
    return (e) => a(e) && b(e);
  }
  return (e) => {
    for (const p of ps) if (!p(e)) return false;
    return true;
  };
}

export { anyOf, allOf };

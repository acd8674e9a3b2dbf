// Prometheus series selectors (`cpu_usage{region=~"eu-.*", hostname!="db-1"}`), as `/federate`
// takes them in `match[]`. Parsed with the Prometheus project's own PromQL grammar
// (@prometheus-io/lezer-promql, released with every Prometheus version): the selector syntax,
// quoting and operators stay exactly Prometheus', and we only walk the tree it gives.
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  /** The anchored regular expression of `=~` and `!~` (Prometheus anchors at both ends). */
  regex: RegExp | null;
}

export class SelectorError extends Error {}

/** Parse one series selector; throws SelectorError saying what is wrong. */
export function parseSelector(text: string): LabelMatcher[] {
  if (text.trim() === '') throw new SelectorError('empty selector');
  if (text.length > 4096) throw new SelectorError('selector longer than 4096 characters');
  const top = parser.parse(text).topNode;
  const expr = top.firstChild;
  const bad = firstError(top);
  if (bad) throw new SelectorError(`syntax error at character ${bad.from + 1}`);
  if (!expr || expr.name !== 'VectorSelector' || expr.nextSibling) {
    throw new SelectorError('not a series selector (a metric name and/or {label matchers})');
  }
  const matchers: LabelMatcher[] = [];
  const name = expr.getChild('Identifier');
  if (name) matchers.push(matcher('__name__', '=', text.slice(name.from, name.to)));
  const list = expr.getChild('LabelMatchers');
  for (let m = list?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher') {
      matchers.push(labelMatcher(text, m));
    } else if (m.name === 'QuotedLabelName') {
      // `{"metric.name"}`: a quoted name alone selects the metric (Prometheus 3's UTF-8 names).
      matchers.push(matcher('__name__', '=', unquote(slice(text, m.getChild('StringLiteral')))));
    } else {
      throw new SelectorError(`unexpected ${m.name} in the label matchers`);
    }
  }
  if (matchers.length === 0) throw new SelectorError('no matchers');
  // As Prometheus: a selector that every series would match is refused, not a full dump.
  if (matchers.every((m) => matches(m, ''))) {
    throw new SelectorError('at least one matcher must not match the empty string');
  }
  return matchers;
}

/** Does a label value (empty when the series has no such label) satisfy the matcher? */
export function matches(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    case '!~':
      return !m.regex!.test(value);
  }
}

/** Do a series' labels (with `__name__`) satisfy every matcher? */
export function selects(
  matchers: readonly LabelMatcher[],
  labels: Record<string, string>,
): boolean {
  return matchers.every((m) => matches(m, Object.hasOwn(labels, m.name) ? labels[m.name]! : ''));
}

function labelMatcher(text: string, node: SyntaxNode): LabelMatcher {
  const nameNode = node.getChild('LabelName') ?? node.getChild('QuotedLabelName');
  const opNode = node.getChild('MatchOp');
  const values = node.getChildren('StringLiteral');
  const valueNode = values[values.length - 1];
  if (!nameNode || !opNode || !valueNode) throw new SelectorError('incomplete label matcher');
  const name =
    nameNode.name === 'LabelName'
      ? slice(text, nameNode)
      : unquote(slice(text, nameNode.getChild('StringLiteral')));
  return matcher(name, slice(text, opNode) as MatchOp, unquote(slice(text, valueNode)));
}

function matcher(name: string, op: MatchOp, value: string): LabelMatcher {
  let regex: RegExp | null = null;
  if (op === '=~' || op === '!~') {
    try {
      regex = new RegExp(`^(?:${value})$`, 's');
    } catch (err) {
      throw new SelectorError(`bad regular expression for ${name}: ${(err as Error).message}`);
    }
  }
  return { name, op, value, regex };
}

function slice(text: string, node: SyntaxNode | null): string {
  if (!node) throw new SelectorError('incomplete label matcher');
  return text.slice(node.from, node.to);
}

function firstError(node: SyntaxNode): SyntaxNode | null {
  if (node.type.isError) return node;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    const e = firstError(c);
    if (e) return e;
  }
  return null;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** A PromQL string literal's value: Go's quoting rules ("…" and '…' with escapes, `…` raw). */
export function unquote(literal: string): string {
  const q = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== q) {
    throw new SelectorError(`unterminated string ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new SelectorError(`string ends in a backslash: ${literal}`);
    if (SIMPLE_ESCAPES[e] !== undefined) {
      out += SIMPLE_ESCAPES[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex))
        throw new SelectorError(`bad \\${e} escape in ${literal}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new SelectorError(`bad octal escape in ${literal}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      throw new SelectorError(`unknown escape \\${e} in ${literal}`);
    }
  }
  return out;
}

// The control catalogue: controls.yml (beside this file; read from the package root, since
// tsc copies no YAML into dist/), parsed with `yaml` and checked whole. A bad catalogue is an
// error naming the control and field: the console refuses to start on it rather than scoring
// against half a catalogue.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FRAMEWORKS, type ControlScope, type Framework } from '../../../shared/compliance.js';
import type { FactValue } from '../../../shared/posture.js';
import { packageRoot } from '../version.js';

export type PassRule =
  | { op: 'equals'; value: FactValue }
  | { op: 'in'; values: FactValue[] }
  | { op: 'lte'; value: number }
  | { op: 'gte'; value: number }
  | { op: 'exists' };

export interface Control {
  id: string;
  title: string;
  description: string;
  scope: ControlScope;
  /** The fact id (host) or console state key (console). */
  reads: string;
  pass: PassRule;
  refs: Partial<Record<Framework, string[]>>;
}

export class CatalogueError extends Error {}

export function builtinCatalogPath(root = packageRoot()): string {
  return join(root, 'electron', 'core', 'compliance', 'controls.yml');
}

export async function loadCatalogue(path = builtinCatalogPath()): Promise<Control[]> {
  return parseCatalogue(await readFile(path, 'utf8'), path);
}

const isScalar = (v: unknown): v is FactValue =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Parse and check a catalogue; throws CatalogueError naming the file, control and field. */
export function parseCatalogue(text: string, file = 'controls.yml'): Control[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new CatalogueError(`${file}: ${(err as Error).message}`);
  }
  const list = (doc as { controls?: unknown } | null)?.controls;
  if (!Array.isArray(list)) throw new CatalogueError(`${file}: 'controls' must be a list`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const at = (field: string) =>
      `${file}: control ${typeof (raw as { id?: unknown })?.id === 'string' ? `'${(raw as { id: string }).id}'` : `#${i + 1}`} field '${field}'`;
    if (typeof raw !== 'object' || raw === null) throw new CatalogueError(`${at('')} not a map`);
    const c = raw as Record<string, unknown>;
    if (typeof c.id !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c.id))
      throw new CatalogueError(`${at('id')}: lower-case words joined by dashes`);
    if (seen.has(c.id)) throw new CatalogueError(`${at('id')}: duplicate id`);
    seen.add(c.id);
    if (typeof c.title !== 'string' || c.title === '')
      throw new CatalogueError(`${at('title')}: required`);
    if (c.scope !== 'host' && c.scope !== 'console')
      throw new CatalogueError(`${at('scope')}: host or console`);
    const readsField = c.scope === 'host' ? 'fact' : 'state';
    const reads = c[readsField];
    if (typeof reads !== 'string' || reads === '')
      throw new CatalogueError(`${at(readsField)}: required for scope ${c.scope}`);
    return {
      id: c.id,
      title: c.title,
      description: typeof c.description === 'string' ? c.description.trim() : '',
      scope: c.scope,
      reads,
      pass: parsePass(c.pass, at('pass')),
      refs: parseRefs(c.refs, at('refs')),
    };
  });
}

function parsePass(raw: unknown, at: string): PassRule {
  if (typeof raw !== 'object' || raw === null) throw new CatalogueError(`${at}: required map`);
  const keys = Object.keys(raw);
  if (keys.length !== 1)
    throw new CatalogueError(`${at}: exactly one of equals, in, lte, gte, exists`);
  const op = keys[0]!;
  const v = (raw as Record<string, unknown>)[op];
  switch (op) {
    case 'equals':
      if (!isScalar(v)) throw new CatalogueError(`${at}.equals: a scalar`);
      return { op, value: v };
    case 'in':
      if (!Array.isArray(v) || v.length === 0 || !v.every(isScalar))
        throw new CatalogueError(`${at}.in: a non-empty list of scalars`);
      return { op, values: v };
    case 'lte':
    case 'gte':
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new CatalogueError(`${at}.${op}: a number`);
      return { op, value: v };
    case 'exists':
      if (v !== true) throw new CatalogueError(`${at}.exists: true`);
      return { op };
    default:
      throw new CatalogueError(`${at}: unknown rule '${op}' (equals, in, lte, gte, exists)`);
  }
}

function parseRefs(raw: unknown, at: string): Partial<Record<Framework, string[]>> {
  if (typeof raw !== 'object' || raw === null) throw new CatalogueError(`${at}: required map`);
  const out: Partial<Record<Framework, string[]>> = {};
  for (const [fw, refs] of Object.entries(raw)) {
    if (!(FRAMEWORKS as readonly string[]).includes(fw))
      throw new CatalogueError(`${at}.${fw}: unknown framework (${FRAMEWORKS.join(', ')})`);
    if (!Array.isArray(refs) || refs.length === 0)
      throw new CatalogueError(`${at}.${fw}: a non-empty list`);
    out[fw as Framework] = refs.map(String);
  }
  if (Object.keys(out).length === 0) throw new CatalogueError(`${at}: at least one framework`);
  return out;
}

/** The pass rule in words, for the UI and the export. */
export function describeRule(c: Control): string {
  const p = c.pass;
  const v = (x: FactValue) => JSON.stringify(x);
  switch (p.op) {
    case 'equals':
      return `${c.reads} equals ${v(p.value)}`;
    case 'in':
      return `${c.reads} is one of ${p.values.map(v).join(', ')}`;
    case 'lte':
      return `${c.reads} ≤ ${p.value}`;
    case 'gte':
      return `${c.reads} ≥ ${p.value}`;
    case 'exists':
      return `${c.reads} is reported`;
  }
}

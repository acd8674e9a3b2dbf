// Reading rule files from disk: the built-ins that ship with Meridian and an operator's own
// directory. The built-ins are read from the source tree (found from the package root), since
// the TypeScript build copies no YAML into dist/; electron-builder.yml packs the folder.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../version.js';
import { buildRuleSet, type RuleSet, type RuleSource } from './rule-set.js';
import type { FieldMatchOptions } from './field-match.js';

export function builtinRulesDir(root = packageRoot()): string {
  return join(root, 'electron', 'core', 'security', 'rules');
}

/** Every *.yml / *.yaml file in `dir`, by name, as sources labelled with their path. */
export async function readRuleDir(dir: string): Promise<RuleSource[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  return Promise.all(
    names.map(async (n) => ({ file: join(dir, n), text: await readFile(join(dir, n), 'utf8') })),
  );
}

/** The built-in rules plus, when given, the operator's directory (its ids must not clash). */
export async function loadRules(
  extraDirs: readonly string[] = [],
  opts?: Partial<FieldMatchOptions>,
): Promise<RuleSet> {
  const sources = (await Promise.all([builtinRulesDir(), ...extraDirs].map(readRuleDir))).flat();
  return buildRuleSet(sources, opts);
}

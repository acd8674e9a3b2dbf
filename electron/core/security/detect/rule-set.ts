// Many rule files → one consistent set: ids unique, every correlation's references resolved
// (to plain rules or other correlations, without cycles). A file with any problem is left out
// whole, and so is any file whose correlations pointed into it.
import type { FieldMatchOptions } from './field-match.js';
import { parseRuleFile, type ParsedCorrelation, type ParsedRule } from './rule-file.js';
import { RuleError } from './rule-error.js';
import type { CompiledCorrelationRule, CompiledRule } from './types.js';

export interface RuleSource {
  file: string;
  text: string;
}

export interface RuleSet {
  /** Every loaded rule, correlations after the rules they refer to. */
  rules: CompiledRule[];
  /** One per rejected file. */
  errors: RuleError[];
}

/** Placeholders the built-in rules use with `|expand`; the console's config may replace them. */
export const DEFAULT_PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  /** Accounts allowed to use sudo without a detection. */
  sudo_allowed_users: ['root'],
  /** Files whose change is a critical FIM detection (directories match by prefix via startswith). */
  critical_files: [
    '/etc/passwd',
    '/etc/shadow',
    '/etc/group',
    '/etc/gshadow',
    '/etc/sudoers',
    '/etc/ssh/sshd_config',
  ],
  critical_dirs: ['/etc/sudoers.d/', '/etc/pam.d/'],
};

export function buildRuleSet(
  sources: readonly RuleSource[],
  opts?: Partial<FieldMatchOptions>,
): RuleSet {
  const options: FieldMatchOptions = { placeholders: opts?.placeholders ?? DEFAULT_PLACEHOLDERS };
  const errors: RuleError[] = [];
  let files = new Map<string, ParsedRule[]>();
  const ids = new Set<string>();
  for (const src of sources) {
    try {
      const rules = parseRuleFile(src.file, src.text, options);
      const dup = rules.find(
        (r, i) => ids.has(r.id) || rules.findIndex((o) => o.id === r.id) !== i,
      );
      if (dup) throw new RuleError(src.file, 1, `rule id '${dup.id}' is already loaded`);
      for (const r of rules) ids.add(r.id);
      files.set(src.file, rules);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      errors.push(err);
    }
  }
  // Drop files with unresolved references until none are left (a drop may strand others).
  for (;;) {
    const resolved = resolve(files);
    if (resolved instanceof RuleError) {
      errors.push(resolved);
      files = new Map([...files].filter(([f]) => f !== resolved.file));
      continue;
    }
    return { rules: resolved, errors };
  }
}

function resolve(files: Map<string, ParsedRule[]>): CompiledRule[] | RuleError {
  const all = [...files.values()].flat();
  const byRef = new Map<string, ParsedRule>();
  for (const r of all) {
    byRef.set(r.id, r);
    if (r.name !== undefined) byRef.set(r.name, r);
  }
  const out: CompiledRule[] = all.filter((r) => r.kind === 'detection');
  const done = new Set(out.map((r) => r.id));
  const visiting = new Set<string>();
  const visit = (c: ParsedCorrelation): RuleError | undefined => {
    if (done.has(c.id)) return undefined;
    if (visiting.has(c.id))
      return new RuleError(c.file, c.rulesLine, `correlation '${c.id}' refers to itself`);
    visiting.add(c.id);
    const ids: string[] = [];
    for (const ref of c.spec.refs) {
      const target = byRef.get(ref);
      if (!target)
        return new RuleError(c.file, c.rulesLine, `correlation refers to unknown rule '${ref}'`);
      if (target.kind === 'correlation') {
        const err = visit(target);
        if (err) return err;
      }
      ids.push(target.id);
    }
    visiting.delete(c.id);
    const { spec } = c;
    const compiled: CompiledCorrelationRule = {
      id: c.id,
      ...(c.name !== undefined ? { name: c.name } : {}),
      title: c.title,
      description: c.description,
      status: c.status,
      level: c.level,
      severity: c.severity,
      tags: c.tags,
      mitre: c.mitre,
      file: c.file,
      kind: 'correlation',
      type: spec.type,
      rules: ids,
      groupBy: spec.groupBy,
      timespanMs: spec.timespanMs,
      threshold: spec.threshold,
      ...(spec.field !== undefined ? { field: spec.field } : {}),
      generate: spec.generate,
    };
    out.push(compiled);
    done.add(c.id);
    return undefined;
  };
  for (const r of all) {
    if (r.kind !== 'correlation') continue;
    const err = visit(r);
    if (err) return err;
  }
  return out;
}

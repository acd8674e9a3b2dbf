// A rule from the API (or the console's form) checked against the same TypeBox schemas that
// state.json is loaded with, plus the few cross-field checks a schema cannot say. Every
// problem is reported with its field, so a form can mark each one; nothing half-valid passes.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { RULE_KINDS, RULE_SCHEMAS, type Rule, type RuleKind } from '../../../shared/rules.js';

export interface FieldError {
  /** Dotted path inside the rule: `metric`, `matchers.regions.0`. */
  field: string;
  message: string;
}

const checks = new Map<RuleKind, TypeCheck<TSchema>>(
  RULE_KINDS.map((k) => [k, TypeCompiler.Compile(RULE_SCHEMAS[k] as TSchema)]),
);

const MAX_ERRORS = 20;

/** The rule, or every problem with it (at most 20). */
export function checkRule(value: unknown): { rule: Rule; errors: [] } | { errors: FieldError[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { errors: [{ field: '', message: 'a rule is a JSON object' }] };
  const kind = (value as { kind?: unknown }).kind;
  const check = typeof kind === 'string' ? checks.get(kind as RuleKind) : undefined;
  if (!check)
    return { errors: [{ field: 'kind', message: `kind must be one of ${RULE_KINDS.join(', ')}` }] };
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of check.Errors(value)) {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.');
    // A union member failing reports once per member: one message a field is enough.
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: describe(field, e.message, e.schema) });
    if (errors.length >= MAX_ERRORS) break;
  }
  if (errors.length > 0) return { errors };
  const rule = value as Rule;
  const semantic = crossFieldErrors(rule);
  return semantic.length > 0 ? { errors: semantic } : { rule, errors: [] };
}

function describe(field: string, message: string, schema: TSchema): string {
  if (field === 'id' && typeof schema.pattern === 'string')
    return 'lower-case letters, digits and _, starting with a letter (at most 64)';
  if (field === 'runbookUrl' && typeof schema.pattern === 'string')
    return 'an http:// or https:// address';
  if (message.startsWith('Unexpected property')) return 'not a field of this kind of rule';
  return message;
}

function crossFieldErrors(rule: Rule): FieldError[] {
  if (
    rule.kind !== 'threshold' &&
    rule.kind !== 'rate_of_change' &&
    rule.kind !== 'region_aggregate'
  )
    return [];
  const { warning, critical, comparator } = rule;
  const finite = (x: number | null) => x === null || Number.isFinite(x);
  if (!finite(warning)) return [{ field: 'warning', message: 'must be a finite number' }];
  if (!finite(critical)) return [{ field: 'critical', message: 'must be a finite number' }];
  if (warning === null && critical === null)
    return [{ field: 'warning', message: 'give a warning level, a critical level or both' }];
  if (warning !== null && critical !== null) {
    const beyond = comparator === 'gt' ? critical > warning : critical < warning;
    if (!beyond) {
      const side = comparator === 'gt' ? 'above' : 'below';
      return [{ field: 'critical', message: `must be ${side} the warning level (${warning})` }];
    }
  }
  return [];
}

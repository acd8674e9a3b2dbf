// A plain Sigma rule's `logsource` and `detection` compiled to closures.
import { compileCondition, ConditionError, allOf, anyOf, type Predicate } from './condition.js';
import { compileFieldMatch, FieldSpecError, type FieldMatchOptions } from './field-match.js';
import type { YamlLines } from './rule-error.js';
import { isPlainObject } from './rule-meta.js';
import type { SecurityEvent } from './types.js';

const LOGSOURCE_KEYS = ['product', 'service', 'category', 'definition'];

/**
 * logsource → event: `category` is the event's category (security, log, change); `service`
 * is the event's source (auth, fim, ports) or its `service` attribute (sshd, sudo);
 * `product` is the `host.os` attribute when the agent sends one (otherwise it does not narrow).
 */
export function compileLogsource(raw: unknown, at: YamlLines): (e: SecurityEvent) => boolean {
  if (!isPlainObject(raw)) throw at.error(['logsource'], "'logsource' must be a map");
  for (const [k, v] of Object.entries(raw)) {
    if (!LOGSOURCE_KEYS.includes(k)) {
      throw at.keyError(
        ['logsource'],
        k,
        `logsource '${k}' is not one of ${LOGSOURCE_KEYS.join(', ')}`,
      );
    }
    if (typeof v !== 'string')
      throw at.error(['logsource', k], `logsource '${k}' must be a string`);
  }
  const lower = (k: string) =>
    typeof raw[k] === 'string' ? (raw[k] as string).toLowerCase() : undefined;
  const category = lower('category');
  const service = lower('service');
  const product = lower('product');
  if (!category && !service && !product) {
    throw at.keyError([], 'logsource', 'logsource needs a product, service or category');
  }
  const checks: Predicate[] = [];
  if (category) checks.push((e) => e.category.toLowerCase() === category);
  if (service) {
    checks.push((e) => {
      if (e.source.toLowerCase() === service) return true;
      const s = e.attributes?.service;
      return typeof s === 'string' && s.toLowerCase() === service;
    });
  }
  if (product) {
    checks.push((e) => {
      const os = e.attributes?.['host.os'];
      return os === undefined || String(os).toLowerCase() === product;
    });
  }
  return allOf(checks);
}

export function compileDetection(
  raw: unknown,
  at: YamlLines,
  opts: FieldMatchOptions,
): (e: SecurityEvent) => boolean {
  if (!isPlainObject(raw)) throw at.error(['detection'], "'detection' must be a map");
  const selections = new Map<string, Predicate>();
  for (const [name, body] of Object.entries(raw)) {
    if (name === 'condition') continue;
    if (name === 'timeframe') {
      throw at.keyError(
        ['detection'],
        name,
        "'timeframe' is not supported: write a correlation rule",
      );
    }
    selections.set(name, compileSelection(name, body, at, opts));
  }
  const cond = raw.condition;
  if (cond === undefined) throw at.keyError([], 'detection', "'detection.condition' is required");
  if (typeof cond !== 'string') {
    throw at.error(['detection', 'condition'], "'detection.condition' must be one string");
  }
  if (selections.size === 0) throw at.keyError([], 'detection', 'detection has no selections');
  try {
    return compileCondition(cond, selections);
  } catch (err) {
    if (err instanceof ConditionError)
      throw at.error(['detection', 'condition'], `condition: ${err.message}`);
    throw err;
  }
}

function compileSelection(
  name: string,
  body: unknown,
  at: YamlLines,
  opts: FieldMatchOptions,
): Predicate {
  const path = ['detection', name];
  if (isPlainObject(body)) return compileFieldMap(body, path, at, opts);
  if (Array.isArray(body) && body.length > 0) {
    if (body.every((b) => typeof b === 'string' || typeof b === 'number')) {
      // Keywords: any of them anywhere in the message.
      return fieldEntry('message|contains', body, path, at, opts);
    }
    if (body.every(isPlainObject)) {
      return anyOf(
        body.map((m, i) => compileFieldMap(m as Record<string, unknown>, [...path, i], at, opts)),
      );
    }
  }
  throw at.error(
    path,
    `selection '${name}' must be a map of fields, a list of such maps, or a list of keywords`,
  );
}

function compileFieldMap(
  map: Record<string, unknown>,
  path: (string | number)[],
  at: YamlLines,
  opts: FieldMatchOptions,
): Predicate {
  const entries = Object.entries(map);
  if (entries.length === 0) throw at.error(path, 'a selection map needs at least one field');
  return allOf(entries.map(([k, v]) => fieldEntry(k, v, path, at, opts)));
}

function fieldEntry(
  key: string,
  value: unknown,
  path: (string | number)[],
  at: YamlLines,
  opts: FieldMatchOptions,
): Predicate {
  try {
    return compileFieldMatch(key, value, opts);
  } catch (err) {
    if (err instanceof FieldSpecError) throw at.keyError(path, key, err.message);
    throw err;
  }
}

// Validators of the relay link's messages, compiled from shared/relay-protocol.ts, for both
// ends: the console checks what a relay sends, the relay checks the console's answers.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { ValueError } from '@sinclair/typebox/errors';
import {
  CONSOLE_TO_RELAY_SCHEMAS,
  RELAY_TEXT_SCHEMAS,
  RelayBatch,
  type ConsoleToRelayMessage,
  type RelayBatch as RelayBatchMessage,
  type RelayTextMessage,
} from '../../../shared/relay-protocol.js';
import { hasProtoKey } from '../json-guard.js';

export type Parsed<T> = { ok: true; message: T } | { ok: false; detail: string };

function compileAll(schemas: Record<string, TSchema>): Map<string, TypeCheck<TSchema>> {
  return new Map(Object.entries(schemas).map(([t, s]) => [t, TypeCompiler.Compile(s)]));
}

const relayText = compileAll(RELAY_TEXT_SCHEMAS);
const consoleText = compileAll(CONSOLE_TO_RELAY_SCHEMAS);
const batch = TypeCompiler.Compile(RelayBatch);

function parse<T>(text: string, checks: Map<string, TypeCheck<TSchema>>): Parsed<T> {
  if (hasProtoKey(text)) return { ok: false, detail: 'key "__proto__" is not allowed' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, detail: `invalid JSON: ${(err as Error).message}` };
  }
  const type = (raw as { type?: unknown } | null)?.type;
  const check = typeof type === 'string' ? checks.get(type) : undefined;
  if (!check) return { ok: false, detail: `not a relay link message: type ${String(type)}` };
  if (check.Check(raw)) return { ok: true, message: raw as T };
  const first = check.Errors(raw).First();
  if (!first) return { ok: false, detail: '/: invalid' };
  const e = deepest(first);
  if (typeof e.value === 'number' && !Number.isFinite(e.value))
    return { ok: false, detail: `${e.path}: ${e.value} is not a finite number` };
  return { ok: false, detail: `${e.path || '/'}: ${e.message}` };
}

/**
 * The error worth naming. A batch entry's message is a union (metrics, events, facts), whose
 * own error says only "Expected union value"; the variant that got furthest into the value
 * (the one of its type) names the field that is wrong.
 */
function deepest(error: ValueError): ValueError {
  let best = error;
  for (const variant of error.errors) {
    const inner = variant.First();
    if (inner && inner.path.split('/').length > best.path.split('/').length) best = deepest(inner);
  }
  return best;
}

export const parseRelayText = (text: string) => parse<RelayTextMessage>(text, relayText);
export const parseConsoleToRelay = (text: string) =>
  parse<ConsoleToRelayMessage>(text, consoleText);
export const parseRelayBatch = (text: string) =>
  parse<RelayBatchMessage>(text, new Map([['relay_batch', batch]]));

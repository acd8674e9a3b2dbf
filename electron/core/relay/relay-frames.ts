// Validators of the relay link's messages, compiled from shared/relay-protocol.ts, for both
// ends: the console checks what a relay sends, the relay checks the console's answers.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
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
  return { ok: false, detail: `${first?.path || '/'}: ${first?.message ?? 'invalid'}` };
}

export const parseRelayText = (text: string) => parse<RelayTextMessage>(text, relayText);
export const parseConsoleToRelay = (text: string) =>
  parse<ConsoleToRelayMessage>(text, consoleText);
export const parseRelayBatch = (text: string) =>
  parse<RelayBatchMessage>(text, new Map([['relay_batch', batch]]));

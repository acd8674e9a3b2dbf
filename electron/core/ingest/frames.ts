import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { hasProtoKey } from '../json-guard.js';
import { AGENT_MESSAGE_SCHEMAS, CLOSE, type AgentMessage } from '../../../shared/protocol.js';

export type CloseSpec = (typeof CLOSE)[keyof typeof CLOSE];

export type FrameResult =
  { ok: true; message: AgentMessage } | { ok: false; close: CloseSpec; detail: string };

const validators: Record<string, TypeCheck<TSchema> | undefined> = Object.fromEntries(
  Object.entries(AGENT_MESSAGE_SCHEMAS).map(([type, schema]) => [
    type,
    TypeCompiler.Compile(schema),
  ]),
);

const fail = (close: CloseSpec, detail: string): FrameResult => ({ ok: false, close, detail });

/**
 * Parse and validate one agent frame with the compiled protocol schema. Rejections carry
 * the close code and a reason naming the problem (`schema_violation: /samples/3/value …`).
 */
export function parseAgentFrame(text: string): FrameResult {
  // JSON.parse makes "__proto__" an own key; refuse it before anything can merge it. (The
  // schema refuses it too — names start with a letter — this only gives the clearer reason.)
  if (hasProtoKey(text)) {
    return fail(CLOSE.forbiddenKey, 'key "__proto__" is not allowed');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(CLOSE.invalidJson, (err as Error).message);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail(CLOSE.schema, 'a frame is a JSON object');
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return fail(CLOSE.schema, '/type: required string');
  const validator = Object.hasOwn(validators, type) ? validators[type] : undefined;
  if (!validator) return fail(CLOSE.unknownType, `type '${type.slice(0, 32)}' is not a message`);
  if (validator.Check(raw)) return { ok: true, message: raw as AgentMessage };
  const first = validator.Errors(raw).First();
  if (!first) return fail(CLOSE.schema, 'invalid message');
  if (typeof first.value === 'number' && !Number.isFinite(first.value)) {
    return fail(CLOSE.nonFinite, `${first.path}: ${first.value} is not a finite number`);
  }
  return fail(CLOSE.schema, `${first.path || '/'}: ${first.message}`);
}

/** A close reason must fit in 123 bytes (RFC 6455); keep the label, trim the detail. */
export function closeReason(close: CloseSpec, detail: string): string {
  const full = `${close.reason}: ${detail}`;
  if (Buffer.byteLength(full) <= 123) return full;
  let cut = full.slice(0, 120);
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  // Never end on half of a surrogate pair (it would turn into U+FFFD).
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}...`;
}

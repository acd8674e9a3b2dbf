import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { hasProtoKey } from '../json-guard.js';
import type { ApiError, FieldProblem } from '../../../shared/api.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Every bad field, when a body can have several (a rule). */
    readonly errors?: FieldProblem[],
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

/** A route's answer that is a file (RawFileResponse in shared/compliance.ts). */
export function isRawFile(
  v: unknown,
): v is { rawFile: { contentType: string; filename: string; body: string } } {
  const f = (v as { rawFile?: unknown } | null)?.rawFile as Record<string, unknown> | undefined;
  return typeof f === 'object' && f !== null && typeof f.body === 'string';
}

export function sendRawFile(
  res: ServerResponse,
  file: { contentType: string; filename: string; body: string },
): void {
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': Buffer.byteLength(file.body),
    'Content-Disposition': `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    // The HTML report runs nothing and loads nothing from anywhere.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(file.body);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  const body: ApiError = {
    error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) },
    ...(err.errors ? { errors: err.errors } : {}),
  };
  sendJson(res, err.status, body);
}

const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'body_too_large', `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (hasProtoKey(text))
    throw new HttpError(400, 'forbidden_key', 'key "__proto__" is not allowed');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', (err as Error).message);
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Validate against a TypeBox schema; a failure names the field. */
export function validate<T>(schema: TSchema, value: unknown, where: 'query' | 'body'): T {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(value)) return value as T;
  const first = check.Errors(value).First();
  const field = first?.path.replace(/^\//, '') || undefined;
  throw new HttpError(
    400,
    `invalid_${where}`,
    `${where}${field ? ` field '${field}'` : ''}: ${first?.message ?? 'invalid'}`,
    field,
  );
}

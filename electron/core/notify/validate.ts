// Checking channels and policies against shared/notify.ts, at the API and when notify.json
// loads: a failure names the field, so a form (or a person reading a 400) knows what to fix.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** Bad input, with the field at fault; the API answers it as `status` with a JSON body. */
export class NotifyInputError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

export function check<T>(schema: TSchema, value: unknown, prefix = ''): T {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)));
  if (c.Check(value)) return value as T;
  const first = c.Errors(value).First();
  const field = `${prefix}${first?.path.replace(/^\//, '') ?? ''}` || undefined;
  throw new NotifyInputError(
    400,
    'invalid_body',
    `${field ? `field '${field}'` : 'body'}: ${first?.message ?? 'invalid'}`,
    field,
  );
}

/**
 * Webhook targets: http or https only (no file:, data:, ftp:…), no credentials in the URL
 * (they would show in GET and in logs; use the channel's secret).
 */
export function checkHttpUrl(raw: string, field: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotifyInputError(400, 'invalid_url', `${field} is not a URL`, field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new NotifyInputError(
      400,
      'invalid_url',
      `${field} must be http or https, not ${url.protocol.replace(':', '')}`,
      field,
    );
  if (url.username || url.password)
    throw new NotifyInputError(400, 'invalid_url', `${field} must not carry credentials`, field);
  return url.toString();
}

/** `Ops webhook!` → `ops-webhook`, for ids made from names. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'item';
}

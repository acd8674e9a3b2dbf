import { RuleDeleteQuery, RuleWriteBody, type RuleRoutes } from '../../../shared/api.js';
import { RuleConflictError, RuleNotFoundError, RuleValidationError } from '../rules/rule-book.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, type RouteTable } from './route-spec.js';

export type RuleRouteKey = keyof RuleRoutes;

/** The rules book's refusals as HTTP: 400 with every bad field, 404, 409. */
async function ruleChange<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RuleValidationError) {
      const first = err.errors[0];
      throw new HttpError(400, 'invalid_rule', err.message, first?.field || undefined, err.errors);
    }
    if (err instanceof RuleNotFoundError) throw new HttpError(404, 'not_found', err.message);
    if (err instanceof RuleConflictError) throw new HttpError(409, 'rule_exists', err.message);
    throw err;
  }
}

/** Rules (list, create, replace, delete, preview); the audit trail is routes-audit.ts. */
export const RULE_ROUTES: RouteTable<RuleRouteKey> = {
  'GET /api/v1/rules': {
    query: EmptyQuery,
    handle: (_c, s) => ({ rules: [...s.rules.list()], status: s.rules.status() }),
  },
  'POST /api/v1/rules': {
    query: EmptyQuery,
    body: RuleWriteBody,
    handle: ({ body }, s) =>
      ruleChange(async () => ({ rule: await s.rules.create(body.rule, body.by ?? 'operator') })),
  },
  'PUT /api/v1/rules/:id': {
    query: EmptyQuery,
    body: RuleWriteBody,
    handle: ({ params, body }, s) =>
      ruleChange(async () => ({
        rule: await s.rules.replace(params.id!, body.rule, body.by ?? 'operator'),
      })),
  },
  'DELETE /api/v1/rules/:id': {
    query: RuleDeleteQuery,
    handle: ({ params, query }, s) =>
      ruleChange(async () => ({ rule: await s.rules.remove(params.id!, query.by ?? 'operator') })),
  },
  'POST /api/v1/rules/preview': {
    query: EmptyQuery,
    body: RuleWriteBody,
    handle: ({ body }, s) =>
      ruleChange(() => ({ preview: s.previewRule(s.rules.check(body.rule)) })),
  },
};

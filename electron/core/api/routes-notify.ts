// Channels, escalation policies, test sends and the delivery log. Argument checks here and in
// the notifier's config store (which names the bad field); the work in electron/core/notify/.
import { Type } from '@sinclair/typebox';
import type { RouteKey } from '../../../shared/api.js';
import {
  DeliveriesQuery,
  NotifyChangeQuery,
  type NotifyApiRoutes,
} from '../../../shared/notify.js';
import { InputError } from '../incidents/incident-errors.js';
import type { Notifier } from '../notify/notifier.js';
import { NotifyInputError } from '../notify/validate.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, limitOf, type ApiServices, type RouteTable } from './route-spec.js';

export type NotifyRouteKey = Extract<RouteKey, keyof NotifyApiRoutes>;

/** What the routes ask of the notifier. */
export type NotifyApi = Pick<
  Notifier,
  | 'channels'
  | 'channel'
  | 'addChannel'
  | 'replaceChannel'
  | 'deleteChannel'
  | 'testChannel'
  | 'policies'
  | 'addPolicy'
  | 'replacePolicy'
  | 'deletePolicy'
  | 'deliveries'
>;

/** The body is checked by kind in the store (one schema per channel kind); here: an object. */
const AnyObject = Type.Object({}, { additionalProperties: true });

/** NotifyInputError → the API's JSON error with the same status, code and field. */
async function run<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotifyInputError)
      throw new HttpError(err.status, err.code, err.message, err.field);
    if (err instanceof InputError) throw new HttpError(400, 'invalid_body', err.message, err.field);
    throw err;
  }
}

/**
 * Who makes a change: `?by=` or `by` in the body (taken out before the kind's strict schema
 * sees it), else the one configured operator. The change is then audited with before/after.
 */
function changer(s: ApiServices, query: NotifyChangeQuery, body?: Record<string, unknown>) {
  const { by: inBody, ...rest } = body ?? {};
  const by = s.incidents.operators.resolve(
    query.by ?? (typeof inBody === 'string' ? inBody : undefined),
  );
  const audit = (action: string, target: string, before: unknown, after: unknown) =>
    s.audit.record({ by, action, target, before, after });
  return { by, body: rest, audit };
}

const channelOrNull = (s: ApiServices, id: string) =>
  s.notify.channels().find((c) => c.id === id) ?? null;
const policyOrNull = (s: ApiServices, id: string) =>
  s.notify.policies().find((p) => p.id === id) ?? null;

export const NOTIFY_ROUTES: RouteTable<NotifyRouteKey> = {
  'GET /api/v1/channels': {
    query: EmptyQuery,
    handle: (_c, s) => ({ channels: s.notify.channels() }),
  },
  'POST /api/v1/channels': {
    query: NotifyChangeQuery,
    body: AnyObject,
    handle: ({ query, body }, s) =>
      run(async () => {
        const c = changer(s, query, body);
        const channel = await s.notify.addChannel(c.body);
        await c.audit('channel.create', channel.id, null, channel);
        return { channel };
      }),
  },
  'GET /api/v1/channels/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) => run(() => ({ channel: s.notify.channel(params.id!) })),
  },
  'PUT /api/v1/channels/:id': {
    query: NotifyChangeQuery,
    body: AnyObject,
    handle: ({ params, query, body }, s) =>
      run(async () => {
        const c = changer(s, query, body);
        const before = channelOrNull(s, params.id!);
        const channel = await s.notify.replaceChannel(params.id!, c.body);
        await c.audit('channel.update', channel.id, before, channel);
        return { channel };
      }),
  },
  'DELETE /api/v1/channels/:id': {
    query: NotifyChangeQuery,
    handle: ({ params, query }, s) =>
      run(async () => {
        const c = changer(s, query);
        const before = channelOrNull(s, params.id!);
        await s.notify.deleteChannel(params.id!);
        await c.audit('channel.delete', params.id!, before, null);
        return { deleted: params.id! };
      }),
  },
  'POST /api/v1/channels/:id/test': {
    query: NotifyChangeQuery,
    handle: ({ params, query }, s) =>
      run(async () => {
        const c = changer(s, query);
        const delivery = await s.notify.testChannel(params.id!);
        await c.audit('channel.test', params.id!, null, delivery);
        return { delivery };
      }),
  },
  'GET /api/v1/policies': {
    query: EmptyQuery,
    handle: (_c, s) => ({ policies: s.notify.policies() }),
  },
  'POST /api/v1/policies': {
    query: NotifyChangeQuery,
    body: AnyObject,
    handle: ({ query, body }, s) =>
      run(async () => {
        const c = changer(s, query, body);
        const policy = await s.notify.addPolicy(c.body);
        await c.audit('policy.create', policy.id, null, policy);
        return { policy };
      }),
  },
  'PUT /api/v1/policies/:id': {
    query: NotifyChangeQuery,
    body: AnyObject,
    handle: ({ params, query, body }, s) =>
      run(async () => {
        const c = changer(s, query, body);
        const before = policyOrNull(s, params.id!);
        const policy = await s.notify.replacePolicy(params.id!, c.body);
        await c.audit('policy.update', policy.id, before, policy);
        return { policy };
      }),
  },
  'DELETE /api/v1/policies/:id': {
    query: NotifyChangeQuery,
    handle: ({ params, query }, s) =>
      run(async () => {
        const c = changer(s, query);
        const before = policyOrNull(s, params.id!);
        await s.notify.deletePolicy(params.id!);
        await c.audit('policy.delete', params.id!, before, null);
        return { deleted: params.id! };
      }),
  },
  'GET /api/v1/deliveries': {
    query: DeliveriesQuery,
    handle: ({ query }, s) => ({
      deliveries: s.notify.deliveries({
        ...(query.channel !== undefined ? { channelId: query.channel } : {}),
        ...(query.incident !== undefined ? { incidentId: query.incident } : {}),
        limit: limitOf(query.limit) ?? 200,
      }),
    }),
  },
};

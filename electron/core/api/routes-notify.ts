// Channels, escalation policies, test sends and the delivery log. Argument checks here and in
// the notifier's config store (which names the bad field); the work in electron/core/notify/.
import { Type } from '@sinclair/typebox';
import type { RouteKey } from '../../../shared/api.js';
import { DeliveriesQuery, type NotifyApiRoutes } from '../../../shared/notify.js';
import type { Notifier } from '../notify/notifier.js';
import { NotifyInputError } from '../notify/validate.js';
import { HttpError } from './http-util.js';
import { EmptyQuery, limitOf, type RouteTable } from './route-spec.js';

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
    throw err;
  }
}

export const NOTIFY_ROUTES: RouteTable<NotifyRouteKey> = {
  'GET /api/v1/channels': {
    query: EmptyQuery,
    handle: (_c, s) => ({ channels: s.notify.channels() }),
  },
  'POST /api/v1/channels': {
    query: EmptyQuery,
    body: AnyObject,
    handle: ({ body }, s) => run(async () => ({ channel: await s.notify.addChannel(body) })),
  },
  'GET /api/v1/channels/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) => run(() => ({ channel: s.notify.channel(params.id!) })),
  },
  'PUT /api/v1/channels/:id': {
    query: EmptyQuery,
    body: AnyObject,
    handle: ({ params, body }, s) =>
      run(async () => ({ channel: await s.notify.replaceChannel(params.id!, body) })),
  },
  'DELETE /api/v1/channels/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) =>
      run(async () => {
        await s.notify.deleteChannel(params.id!);
        return { deleted: params.id! };
      }),
  },
  'POST /api/v1/channels/:id/test': {
    query: EmptyQuery,
    handle: ({ params }, s) =>
      run(async () => ({ delivery: await s.notify.testChannel(params.id!) })),
  },
  'GET /api/v1/policies': {
    query: EmptyQuery,
    handle: (_c, s) => ({ policies: s.notify.policies() }),
  },
  'POST /api/v1/policies': {
    query: EmptyQuery,
    body: AnyObject,
    handle: ({ body }, s) => run(async () => ({ policy: await s.notify.addPolicy(body) })),
  },
  'PUT /api/v1/policies/:id': {
    query: EmptyQuery,
    body: AnyObject,
    handle: ({ params, body }, s) =>
      run(async () => ({ policy: await s.notify.replacePolicy(params.id!, body) })),
  },
  'DELETE /api/v1/policies/:id': {
    query: EmptyQuery,
    handle: ({ params }, s) =>
      run(async () => {
        await s.notify.deletePolicy(params.id!);
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

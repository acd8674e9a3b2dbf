// Typed REST client: every call is keyed by a route of shared/api.ts `ApiRoutes`, so the
// path parameters, query, body and response types come from the contract, not from copies.
import type { ApiError, ApiRoutes, FieldProblem, RouteKey } from '../../../shared/api';
import type { Endpoint } from './endpoint';

type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;
type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer Rest}`
  ? N | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer N}`
    ? N
    : never;

export type GetRoute = Extract<RouteKey, `GET ${string}`>;
export type PostRoute = Extract<RouteKey, `POST ${string}`>;
export type RouteParams<K extends RouteKey> = Record<ParamNames<PathOf<K>>, string>;
export type RouteResponse<K extends RouteKey> = ApiRoutes[K]['response'];

/** A refused or failed API call, carrying the core's error code. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Every bad field, when the core named several (a rule). */
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  /** The console did not answer at all (down, restarting, or the network is gone). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** Said instead of the browser's own "Failed to fetch", which names no cause and no remedy. */
export const UNREACHABLE_MESSAGE = 'the console does not answer';

function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([a-z]+)/gi, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

export class ApiClient {
  constructor(private readonly endpoint: Endpoint) {}

  async request<K extends RouteKey>(
    route: K,
    opts: {
      params?: RouteParams<K>;
      query?: Partial<ApiRoutes[K]['query']>;
      body?: ApiRoutes[K]['body'];
      /** Let the request outlive the page (a resolve sent while the tab closes). */
      keepalive?: boolean;
    } = {},
  ): Promise<RouteResponse<K>> {
    const [method, template] = route.split(' ') as [string, string];
    const url = new URL(
      fillPath(template, (opts.params ?? {}) as Record<string, string>),
      this.endpoint.apiBase,
    );
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.endpoint.token) headers.Authorization = `Bearer ${this.endpoint.token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        ...(opts.keepalive ? { keepalive: true } : {}),
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
      text = await res.text();
    } catch {
      // fetch rejects only when no answer came (refused, reset, offline): status 0.
      throw new ApiRequestError(0, 'unreachable', UNREACHABLE_MESSAGE);
    }
    const json: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const body = json as ApiError | null;
      const err = body?.error;
      const errors =
        body?.errors ?? (err?.field ? [{ field: err.field, message: err.message }] : []);
      throw new ApiRequestError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? res.statusText,
        errors,
      );
    }
    return json as RouteResponse<K>;
  }

  /** A route that answers with a file (the compliance export): its text and suggested name. */
  async file<K extends GetRoute>(
    route: K,
    query: Partial<ApiRoutes[K]['query']>,
  ): Promise<{ text: string; type: string; filename: string }> {
    const url = new URL(route.split(' ')[1]!, this.endpoint.apiBase);
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = {};
    if (this.endpoint.token) headers.Authorization = `Bearer ${this.endpoint.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, credentials: 'same-origin' });
    } catch {
      throw new ApiRequestError(0, 'unreachable', UNREACHABLE_MESSAGE);
    }
    const text = await res.text();
    if (!res.ok) {
      const err = (JSON.parse(text || 'null') as ApiError | null)?.error;
      throw new ApiRequestError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? res.statusText,
      );
    }
    const disposition = res.headers.get('content-disposition') ?? '';
    return {
      text,
      type: res.headers.get('content-type') ?? 'application/octet-stream',
      filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download',
    };
  }

  get<K extends GetRoute>(
    route: K,
    query?: Partial<ApiRoutes[K]['query']>,
  ): Promise<RouteResponse<K>> {
    return this.request(route, query ? { query } : {});
  }

  post<K extends PostRoute>(
    route: K,
    params: RouteParams<K>,
    body: ApiRoutes[K]['body'],
    opts: { keepalive?: boolean } = {},
  ): Promise<RouteResponse<K>> {
    return this.request(route, { params, body, ...opts });
  }
}

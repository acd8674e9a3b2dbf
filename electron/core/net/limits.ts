import { Type, type Static } from '@sinclair/typebox';

/**
 * Connection limits of the two ports, as `limits` in config.json may set them. Every field is
 * optional: what is not set is derived from the process's open-files limit (see deriveNetLimits).
 */
export const NetLimitSettings = Type.Object(
  {
    /** Descriptors kept free for the runtime, state.json, the WAL and checkpoints. */
    fdReserve: Type.Optional(Type.Integer({ minimum: 16, maximum: 10_000_000 })),
    /** Open connections on the API port (REST, stream viewers, /metrics, /healthz). */
    apiMaxConnections: Type.Optional(Type.Integer({ minimum: 4, maximum: 10_000_000 })),
    /** A new API connection must send its first request's headers within this. */
    apiHeaderTimeoutMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 300_000 })),
    /** Ingest connections that have not completed an authenticated upgrade, in total… */
    ingestMaxUnauthenticated: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    /** …and from one source address. */
    ingestMaxUnauthenticatedPerSource: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    ),
    /** Established agent WebSockets. */
    ingestMaxAgentConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    /** From TCP accept to a completed upgrade; a connection still short of it is cut. */
    ingestHandshakeTimeoutMs: Type.Optional(Type.Integer({ minimum: 500, maximum: 60_000 })),
    /** Wrong agent tokens from one source address within authFailureWindowMs… */
    authFailuresBeforeCooldown: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    authFailureWindowMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
    /** …then every upgrade from it gets 429 for this long, without its token being checked. */
    authCooldownMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 86_400_000 })),
  },
  { additionalProperties: false },
);
export type NetLimitSettings = Static<typeof NetLimitSettings>;

export interface NetLimits {
  /** The open-files soft limit these were derived from. */
  fdLimit: number;
  /** Where fdLimit came from: /proc/self/limits, or assumed (not Linux). */
  fdLimitKnown: boolean;
  fdReserve: number;
  apiMaxConnections: number;
  apiHeaderTimeoutMs: number;
  ingestMaxUnauthenticated: number;
  ingestMaxUnauthenticatedPerSource: number;
  ingestMaxAgentConnections: number;
  ingestHandshakeTimeoutMs: number;
  authFailuresBeforeCooldown: number;
  authFailureWindowMs: number;
  authCooldownMs: number;
  /** Set when configured caps promise more descriptors than the limit leaves: say so at start. */
  overBudget: string | null;
}

/** Where the open-files limit cannot be read: the common Linux default, a safe guess elsewhere. */
export const ASSUMED_FD_LIMIT = 1024;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * Caps from the open-files limit, so that a flood of the ingest port can never take the
 * descriptors the API, /healthz and the data files need. Budget = limit − reserve; the API
 * gets a tenth of it (8–256), the ingest port the rest: a fifth of that (4–1,024) for
 * connections still in their handshake, a quarter of those per source, the remainder for
 * established agents. Explicit settings win.
 */
export function deriveNetLimits(fdLimit: number | null, set: NetLimitSettings = {}): NetLimits {
  const limit = fdLimit ?? ASSUMED_FD_LIMIT;
  const fdReserve = set.fdReserve ?? Math.max(64, Math.floor(limit * 0.05));
  const budget = Math.max(0, limit - fdReserve);
  const apiMaxConnections = set.apiMaxConnections ?? clamp(Math.floor(budget * 0.1), 8, 256);
  const ingestBudget = Math.max(0, budget - apiMaxConnections);
  const ingestMaxUnauthenticated =
    set.ingestMaxUnauthenticated ?? clamp(Math.floor(ingestBudget * 0.2), 4, 1_024);
  const ingestMaxUnauthenticatedPerSource =
    set.ingestMaxUnauthenticatedPerSource ?? Math.max(2, Math.floor(ingestMaxUnauthenticated / 4));
  const ingestMaxAgentConnections =
    set.ingestMaxAgentConnections ?? Math.max(1, ingestBudget - ingestMaxUnauthenticated);
  const wanted =
    fdReserve + apiMaxConnections + ingestMaxUnauthenticated + ingestMaxAgentConnections;
  return {
    fdLimit: limit,
    fdLimitKnown: fdLimit !== null,
    fdReserve,
    apiMaxConnections,
    apiHeaderTimeoutMs: set.apiHeaderTimeoutMs ?? 10_000,
    ingestMaxUnauthenticated,
    ingestMaxUnauthenticatedPerSource,
    ingestMaxAgentConnections,
    ingestHandshakeTimeoutMs: set.ingestHandshakeTimeoutMs ?? 5_000,
    authFailuresBeforeCooldown: set.authFailuresBeforeCooldown ?? 10,
    authFailureWindowMs: set.authFailureWindowMs ?? 60_000,
    authCooldownMs: set.authCooldownMs ?? 60_000,
    overBudget:
      wanted > limit
        ? `limits need ${wanted} descriptors (reserve ${fdReserve} + API ${apiMaxConnections} + ingest ${ingestMaxUnauthenticated} + agents ${ingestMaxAgentConnections}) but the open-files limit is ${limit}: raise it (ulimit -n) or lower the limits`
        : null,
  };
}

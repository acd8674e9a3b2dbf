// The relay link: how a regional relay (`meridian relay`) speaks to the central console, on
// the console's ingest port at `/relay`. One connection carries a whole region: the agents'
// registrations and liveness as the relay judges it (text frames), and their batches from the
// relay's durable queue, many agents to a frame, compressed (binary frames: raw DEFLATE of a
// `relay_batch` JSON). The agents' own protocol (protocol.ts) is unchanged: they cannot tell a
// relay from a console. Recovery actions go down the same link (`relay_action`, only to a relay
// whose hello said `actions: true`), and the agents' results come back in its queued batches.
// Documented in docs/scale-out.md.
import { Type, type Static } from '@sinclair/typebox';
import {
  ActionMessage,
  ActionResultMessage,
  EpochMs,
  EventsMessage,
  FactsMessage,
  HelloMessage,
  MetricsMessage,
} from './protocol.js';

export const RELAY_PROTOCOL_VERSION = 1;
/** The path on the console's ingest port. */
export const RELAY_PATH = '/relay';
/** A relay's id (issued by the console on enrolment) starts with this. */
export const RELAY_ID_PREFIX = 'rly-';

/** Largest binary frame (compressed) and what it may inflate to. */
export const MAX_RELAY_FRAME_BYTES = 4 * 1024 * 1024;
export const MAX_RELAY_BATCH_BYTES = 32 * 1024 * 1024;
/** Agents in one `relay_agents`, entries in one `relay_batch`. */
export const MAX_RELAY_AGENTS = 20_000;
export const MAX_RELAY_ENTRIES = 5_000;

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', minLength: 1, maxLength: 64 });
const Count = Type.Integer({ minimum: 0 });

// ── relay → console ─────────────────────────────────────────────────────────

export const RelayHello = Type.Object(
  {
    type: Type.Literal('relay_hello'),
    protocol: Type.Literal(RELAY_PROTOCOL_VERSION),
    /** The id from an earlier welcome (always, once the relay holds a key). */
    relayId: Type.Optional(Id),
    /** The relay's name: its hostname unless given. */
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', minLength: 1, maxLength: 253 }),
    region: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** New at every start of the relay process: tells a restart from a WAN cut. */
    bootId: Id,
    startedAt: EpochMs,
    /**
     * The relay routes recovery actions (`relay_action`) to its agents and queues their results.
     * Optional: a relay that does not say so is never sent an action.
     */
    actions: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const RelayAgentEntry = Type.Object(
  {
    /** The agent's last hello, `agentId` filled in by the relay (its offered actions kept). */
    hello: HelloMessage,
    /** Whether the relay holds the agent alive now (its own heartbeat judgement). */
    online: Type.Boolean(),
    /** When the relay last heard from it; null: never since the relay started. */
    lastSeen: Type.Union([EpochMs, Type.Null()]),
    /** The agent's address as the relay saw it. */
    address: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);

/** Registrations and liveness changes; `full`: every agent the relay knows (after a connect). */
export const RelayAgents = Type.Object(
  {
    type: Type.Literal('relay_agents'),
    full: Type.Boolean(),
    agents: Type.Array(RelayAgentEntry, { maxItems: MAX_RELAY_AGENTS }),
  },
  { additionalProperties: false },
);

/** The relay's own health, every `statusIntervalMs`. */
export const RelayStatus = Type.Object(
  {
    type: Type.Literal('relay_status'),
    ts: EpochMs,
    agentsConnected: Count,
    queue: Type.Object(
      {
        /** Samples and events not yet acked by the console. */
        pending: Count,
        bytes: Count,
        /** Oldest timestamp among them; null when the queue is drained. */
        oldestAt: Type.Union([EpochMs, Type.Null()]),
        /** Dropped by the queue's byte cap since the relay started (data lost). */
        dropped: Count,
      },
      { additionalProperties: false },
    ),
    /** Bytes the relay sent upstream (compressed, as on the wire) since it started. */
    bytesSent: Count,
    /** Samples the relay took from its agents since it started. */
    samplesIn: Count,
  },
  { additionalProperties: false },
);

export const RelayEntry = Type.Object(
  {
    agentId: Id,
    /** An agent's batch, or its action result (acked to the agent once queued). */
    message: Type.Union([MetricsMessage, EventsMessage, FactsMessage, ActionResultMessage]),
  },
  { additionalProperties: false },
);

/** Binary frame (raw DEFLATE): queued batches of many agents, acked as one. */
export const RelayBatch = Type.Object(
  {
    type: Type.Literal('relay_batch'),
    seq: Type.Integer({ minimum: 0 }),
    entries: Type.Array(RelayEntry, { maxItems: MAX_RELAY_ENTRIES }),
  },
  { additionalProperties: false },
);

/**
 * A `relay_action` the relay could not hand to its agent (not connected to it now, or unknown
 * to it). Answered at once, so the console's run fails now rather than at the action's deadline.
 */
export const RelayActionRefused = Type.Object(
  {
    type: Type.Literal('relay_action_refused'),
    agentId: Id,
    /** The action's id and name, as in the `relay_action`. */
    id: ActionMessage.properties.id,
    action: ActionMessage.properties.action,
    code: Type.Union([Type.Literal('agent_not_connected'), Type.Literal('unknown_agent')]),
    message: Type.String({ maxLength: 512 }),
  },
  { additionalProperties: false },
);

// ── console → relay ─────────────────────────────────────────────────────────

/** Run an action on an agent behind the relay: handed to its live connection as is. */
export const RelayAction = Type.Object(
  {
    type: Type.Literal('relay_action'),
    agentId: Id,
    action: ActionMessage,
  },
  { additionalProperties: false },
);

export const RelayWelcome = Type.Object(
  {
    type: Type.Literal('relay_welcome'),
    protocol: Type.Literal(RELAY_PROTOCOL_VERSION),
    relayId: Id,
    serverTime: EpochMs,
    statusIntervalMs: Type.Integer({ minimum: 50 }),
    /** On enrolment (the relay presented the enrolment secret): its own key. */
    credential: Type.Optional(
      Type.Object(
        { keyId: Id, key: Type.String({ minLength: 1, maxLength: 128 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RelayProblem = Type.Object(
  {
    agentId: Id,
    code: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 512 }),
  },
  { additionalProperties: false },
);

/** The batch is durable at the console (minus the entries in `problems`, which were refused). */
export const RelayAck = Type.Object(
  {
    type: Type.Literal('relay_ack'),
    seq: Type.Integer({ minimum: 0 }),
    problems: Type.Array(RelayProblem, { maxItems: 100 }),
  },
  { additionalProperties: false },
);

/** Not stored: resend after `retryAfterMs` (ingest_paused), or a refusal of agents. */
export const RelayError = Type.Object(
  {
    type: Type.Literal('relay_error'),
    code: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 512 }),
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Agents of a `relay_agents` the console refused. */
    problems: Type.Optional(Type.Array(RelayProblem, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export type RelayHello = Static<typeof RelayHello>;
export type RelayAgentEntry = Static<typeof RelayAgentEntry>;
export type RelayAgents = Static<typeof RelayAgents>;
export type RelayStatus = Static<typeof RelayStatus>;
export type RelayEntry = Static<typeof RelayEntry>;
export type RelayBatch = Static<typeof RelayBatch>;
export type RelayWelcome = Static<typeof RelayWelcome>;
export type RelayProblem = Static<typeof RelayProblem>;
export type RelayAck = Static<typeof RelayAck>;
export type RelayError = Static<typeof RelayError>;
export type RelayAction = Static<typeof RelayAction>;
export type RelayActionRefused = Static<typeof RelayActionRefused>;

/** Text frames a relay sends; its batches go as binary frames. */
export type RelayTextMessage = RelayHello | RelayAgents | RelayStatus | RelayActionRefused;
export type ConsoleToRelayMessage = RelayWelcome | RelayAck | RelayError | RelayAction;

export const RELAY_TEXT_SCHEMAS = {
  relay_hello: RelayHello,
  relay_agents: RelayAgents,
  relay_status: RelayStatus,
  relay_action_refused: RelayActionRefused,
} as const;

export const CONSOLE_TO_RELAY_SCHEMAS = {
  relay_welcome: RelayWelcome,
  relay_ack: RelayAck,
  relay_error: RelayError,
  relay_action: RelayAction,
} as const;

/** Close codes of the relay link, beside the agents' (protocol-codes.ts). */
export const RELAY_CLOSE = {
  /** A relay key used on the agents' path, or an agent key on /relay. */
  notARelay: { code: 4014, reason: 'not_a_relay' },
  /** The binary frame would not inflate, or inflated past MAX_RELAY_BATCH_BYTES. */
  badCompression: { code: 4015, reason: 'bad_compression' },
} as const;

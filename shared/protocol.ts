// The agent protocol: JSON text frames, one message per frame, `type` first.
// These TypeBox schemas are the single source: the core compiles validators from them,
// agents build frames against the static types, and scripts/export-schemas.ts writes
// them out as JSON Schema (docs/schemas/) for agents written in other languages.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

import {
  ACTION_STATUSES,
  MAX_ACTION_OUTPUT_BYTES,
  MAX_ACTION_PARAM_CHARS,
  MAX_ACTION_PARAMS,
  MAX_EVENTS_PER_BATCH,
  MAX_SAMPLES_PER_BATCH,
  SUPPORTED_PROTOCOLS,
} from './protocol-codes.js';
import { MAX_FACT_EVIDENCE_CHARS, MAX_FACTS_PER_MESSAGE } from './posture.js';

// The protocol's plain values (version, limits, close and error codes) live apart from the
// schemas, so an agent can use them without loading the schema library.
export * from './protocol-codes.js';

const Identifier = (description: string, maxLength = 64) =>
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', minLength: 1, maxLength, description });

/** Prometheus-style names; a leading `_` is reserved, which also keeps `__proto__` out. */
export const MetricName = Type.String({
  pattern: '^[a-zA-Z:][a-zA-Z0-9_:]*$',
  minLength: 1,
  maxLength: 128,
  description: 'Metric name, Prometheus style (cpu_usage, http_requests_total).',
});

export const Labels = Type.Record(
  Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' }),
  // No control characters: series keys use them as separators.
  Type.String({ maxLength: 256, pattern: '^[^\\u0000-\\u001f]*$' }),
  {
    maxProperties: 16,
    additionalProperties: false,
    description: 'Label name → value. Names start with a letter.',
  },
);

export const EpochMs = Type.Number({
  minimum: 0,
  description: 'Milliseconds since the Unix epoch, UTC.',
});

export const HelloMessage = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: Type.Union(
      SUPPORTED_PROTOCOLS.map((v) => Type.Literal(v)),
      {
        description: 'Protocol version: 2 takes a per-agent key on enrolment; 1 still works.',
      },
    ),
    hostname: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
    }),
    region: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Region id.' }),
    agentType: Type.Union([
      Type.Literal('system'),
      Type.Literal('application'),
      Type.Literal('database'),
      Type.Literal('network'),
    ]),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** The id the console gave this agent before, to keep it across reconnects. */
    agentId: Type.Optional(Identifier('Id from an earlier welcome.')),
    ipAddress: Type.Optional(Type.String({ maxLength: 45 })),
    labels: Type.Optional(Labels),
    capabilities: Type.Optional(
      Type.Object(
        { actions: Type.Array(Identifier('Action name'), { maxItems: 64 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'First frame of every connection.' },
);

export const HeartbeatMessage = Type.Object(
  { type: Type.Literal('heartbeat'), ts: Type.Optional(EpochMs) },
  { additionalProperties: false },
);

export const MetricKindSchema = Type.Union([
  Type.Literal('counter'),
  Type.Literal('gauge'),
  Type.Literal('histogram'),
  Type.Literal('summary'),
]);

export const Sample = Type.Object(
  {
    name: MetricName,
    value: Type.Number({ description: 'A finite number.' }),
    ts: EpochMs,
    unit: Type.Optional(Type.String({ maxLength: 16 })),
    kind: Type.Optional(MetricKindSchema),
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);

export const MetricsMessage = Type.Object(
  {
    type: Type.Literal('metrics'),
    seq: Type.Integer({ minimum: 0, description: 'Batch sequence number, echoed in ack.' }),
    samples: Type.Array(Sample, { minItems: 1, maxItems: MAX_SAMPLES_PER_BATCH }),
  },
  { additionalProperties: false, description: 'A batch of samples; resent until acked.' },
);

export const AgentEvent = Type.Object(
  {
    ts: EpochMs,
    category: Type.Union([Type.Literal('security'), Type.Literal('log'), Type.Literal('change')]),
    severity: Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    source: Type.String({ minLength: 1, maxLength: 128 }),
    message: Type.String({ maxLength: 4096 }),
    attributes: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_.]{0,63}$' }),
        Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean()]),
        { maxProperties: 32, additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const EventsMessage = Type.Object(
  {
    type: Type.Literal('events'),
    seq: Type.Integer({ minimum: 0 }),
    events: Type.Array(AgentEvent, { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }),
  },
  {
    additionalProperties: false,
    description: 'Security, log or change events; acked like metrics.',
  },
);

/** One posture fact (shared/posture.ts lists the ids; docs/security.md what each means). */
export const PostureFactSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$', maxLength: 64 }),
    value: Type.Union([
      Type.String({ maxLength: 256 }),
      Type.Number(),
      Type.Boolean(),
      Type.Null(),
    ]),
    status: Type.Union([Type.Literal('collected'), Type.Literal('not_collected')]),
    reason: Type.Optional(Type.String({ maxLength: 512 })),
    evidence: Type.Object(
      {
        source: Type.String({ maxLength: 512, description: 'The command run or the file read.' }),
        raw: Type.String({ maxLength: MAX_FACT_EVIDENCE_CHARS }),
      },
      { additionalProperties: false },
    ),
    collectedAt: EpochMs,
  },
  { additionalProperties: false },
);

/**
 * Agent → console (protocol 2): host posture facts for compliance. `full` is the whole set
 * (sent on every connect); otherwise only the facts that changed. Not acked: the next
 * connect resends the full set.
 */
export const FactsMessage = Type.Object(
  {
    type: Type.Literal('facts'),
    full: Type.Boolean(),
    facts: Type.Array(PostureFactSchema, { minItems: 1, maxItems: MAX_FACTS_PER_MESSAGE }),
  },
  { additionalProperties: false, description: 'Posture facts (protocol 2).' },
);

/** Parameter name → value of an action. Values are plain strings; the agent checks each one. */
export const ActionParams = Type.Record(
  Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' }),
  Type.String({ maxLength: MAX_ACTION_PARAM_CHARS, pattern: '^[^\\u0000-\\u001f]*$' }),
  { maxProperties: MAX_ACTION_PARAMS, additionalProperties: false },
);

const ActionId = Identifier('Action id, unique per console; echoed in action_result.', 80);

/**
 * Console → agent: run the named action from the agent's own actions file. Never a command
 * line: the agent looks the name up, checks every parameter against the pattern its file
 * gives, and refuses anything else. Sent only to agents whose hello listed the action.
 */
export const ActionMessage = Type.Object(
  {
    type: Type.Literal('action'),
    id: ActionId,
    action: Identifier("Action name, as in the agent's actions file."),
    params: ActionParams,
    /** Validate and report the argv that would run; run nothing. */
    dryRun: Type.Boolean(),
    /** Epoch ms (console clock) after which the agent must not start it, and kills it if running. */
    deadline: EpochMs,
    /** The operator who approved it, for actions whose file entry requires approval. */
    approvedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, description: 'Run an allow-listed action (console → agent).' },
);

/** Agent → console: how an action ended. Resent after reconnecting until `action_ack`. */
export const ActionResultMessage = Type.Object(
  {
    type: Type.Literal('action_result'),
    id: ActionId,
    action: Identifier('Action name.'),
    status: Type.Union(ACTION_STATUSES.map((s) => Type.Literal(s))),
    /** Why it was refused or interrupted (see ACTION_REFUSALS), or what failed. */
    reason: Type.Optional(Type.String({ maxLength: 512 })),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    /** The signal that ended it, when one did (SIGTERM, SIGKILL). */
    signal: Type.Optional(Type.String({ maxLength: 16 })),
    startedAt: Type.Optional(EpochMs),
    durationMs: Type.Integer({ minimum: 0 }),
    /** stdout then stderr, cut to MAX_ACTION_OUTPUT_BYTES. */
    output: Type.String({ maxLength: MAX_ACTION_OUTPUT_BYTES }),
    outputTruncated: Type.Boolean(),
    /** The argv that ran (or, for dry_run, would have run), parameters substituted. */
    argv: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 64 })),
  },
  { additionalProperties: false, description: 'The outcome of an action (agent → console).' },
);

export const WelcomeMessage = Type.Object(
  {
    type: Type.Literal('welcome'),
    /** The hello's protocol version, echoed: an agent sends only what this version knows. */
    protocol: Type.Integer({ minimum: 1 }),
    agentId: Type.String(),
    heartbeatIntervalMs: Type.Integer({ minimum: 1 }),
    serverTime: EpochMs,
    /**
     * Protocol 2, on a connection authenticated with the enrolment secret: the agent's own
     * key, bound to `agentId`. Store it (0600) and authenticate with it from now on
     * (`Authorization: Bearer mak.<keyId>.<key>`); the console keeps only its hash.
     */
    credential: Type.Optional(
      Type.Object(
        {
          keyId: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }),
          key: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AckMessage = Type.Object(
  { type: Type.Literal('ack'), seq: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false, description: 'The batch with this seq is stored; drop it.' },
);

export const ActionAckMessage = Type.Object(
  { type: Type.Literal('action_ack'), id: ActionId },
  {
    additionalProperties: false,
    description: 'The action_result with this id is recorded; the agent may forget it.',
  },
);

export const ErrorMessage = Type.Object(
  {
    type: Type.Literal('error'),
    code: Type.String(),
    message: Type.String(),
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    retryAfterMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'With ingest_paused: wait this long before sending batches again (then resend every unacked batch, oldest first).',
      }),
    ),
  },
  { additionalProperties: false, description: 'A recoverable problem; the connection stays open.' },
);

export type HelloMessage = Static<typeof HelloMessage>;
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;
export type Sample = Static<typeof Sample>;
export type MetricsMessage = Static<typeof MetricsMessage>;
export type AgentEvent = Static<typeof AgentEvent>;
export type EventsMessage = Static<typeof EventsMessage>;
export type FactsMessage = Static<typeof FactsMessage>;
export type WelcomeMessage = Static<typeof WelcomeMessage>;
export type AckMessage = Static<typeof AckMessage>;
export type ErrorMessage = Static<typeof ErrorMessage>;
export type ActionParams = Static<typeof ActionParams>;
export type ActionMessage = Static<typeof ActionMessage>;
export type ActionResultMessage = Static<typeof ActionResultMessage>;
export type ActionAckMessage = Static<typeof ActionAckMessage>;

export type AgentMessage =
  | HelloMessage
  | HeartbeatMessage
  | MetricsMessage
  | EventsMessage
  | ActionResultMessage
  | FactsMessage;
export type ConsoleMessage =
  WelcomeMessage | AckMessage | ErrorMessage | ActionMessage | ActionAckMessage;

/** Every message by its `type`, for validators and the JSON Schema export. */
export const AGENT_MESSAGE_SCHEMAS = {
  hello: HelloMessage,
  heartbeat: HeartbeatMessage,
  metrics: MetricsMessage,
  events: EventsMessage,
  action_result: ActionResultMessage,
  facts: FactsMessage,
} as const satisfies Record<AgentMessage['type'], TSchema>;

export const CONSOLE_MESSAGE_SCHEMAS = {
  welcome: WelcomeMessage,
  ack: AckMessage,
  error: ErrorMessage,
  action: ActionMessage,
  action_ack: ActionAckMessage,
} as const satisfies Record<ConsoleMessage['type'], TSchema>;

// Notification channels, escalation policies and delivery attempts: the REST contract of
// /api/v1/channels, /policies and /deliveries. The core's notifier (electron/core/notify/)
// validates with these schemas; the renderer's settings pages read the view types.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Severity } from './model.js';

export const CHANNEL_KINDS = ['webhook', 'alertmanager', 'slack', 'email', 'desktop'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,47}$' });
const Name = Type.String({ minLength: 1, maxLength: 120 });
const HttpUrl = Type.String({ minLength: 8, maxLength: 2048 });
const Secret = Type.String({ minLength: 8, maxLength: 256 });
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** What every channel has, whatever its kind. */
const common = {
  /** Chosen by the caller (POST), or made from the name. */
  id: Opt(Id),
  name: Name,
  enabled: Opt(Type.Boolean()),
  /** Also tell the channel when the incident resolves (default true; email default false). */
  sendResolved: Opt(Type.Boolean()),
  /** Throttle: at most this many sends a minute; more wait their turn (default 30). */
  maxPerMinute: Opt(Type.Integer({ minimum: 1, maximum: 600 })),
};

export const WebhookChannelInput = Type.Object(
  {
    ...common,
    kind: Type.Literal('webhook'),
    url: HttpUrl,
    /** HMAC-SHA256 key for X-Meridian-Signature; write-only (GET says `hasSecret`). */
    secret: Opt(Secret),
  },
  { additionalProperties: false },
);
export const AlertmanagerChannelInput = Type.Object(
  { ...common, kind: Type.Literal('alertmanager'), url: HttpUrl, secret: Opt(Secret) },
  { additionalProperties: false },
);
export const SlackChannelInput = Type.Object(
  // The incoming-webhook URL carries Slack's token: it is write-only too.
  { ...common, kind: Type.Literal('slack'), url: HttpUrl },
  { additionalProperties: false },
);
export const EmailChannelInput = Type.Object(
  {
    ...common,
    kind: Type.Literal('email'),
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    secure: Opt(Type.Boolean()),
    user: Opt(Type.String({ minLength: 1, maxLength: 256 })),
    /** Write-only (GET says `hasPassword`). */
    password: Opt(Type.String({ minLength: 1, maxLength: 256 })),
    from: Type.String({ minLength: 3, maxLength: 256, pattern: '@' }),
    to: Type.Array(Type.String({ minLength: 3, maxLength: 256, pattern: '@' }), {
      minItems: 1,
      maxItems: 50,
    }),
  },
  { additionalProperties: false },
);
export const DesktopChannelInput = Type.Object(
  { ...common, kind: Type.Literal('desktop') },
  { additionalProperties: false },
);

/** One schema per kind: a bad field is named against its own kind's schema. */
export const CHANNEL_INPUT_SCHEMAS = {
  webhook: WebhookChannelInput,
  alertmanager: AlertmanagerChannelInput,
  slack: SlackChannelInput,
  email: EmailChannelInput,
  desktop: DesktopChannelInput,
} as const;

export type ChannelInput =
  | Static<typeof WebhookChannelInput>
  | Static<typeof AlertmanagerChannelInput>
  | Static<typeof SlackChannelInput>
  | Static<typeof EmailChannelInput>
  | Static<typeof DesktopChannelInput>;

/** A stored channel: the input with its defaults filled in. */
export type ChannelConfig = ChannelInput & {
  id: string;
  enabled: boolean;
  sendResolved: boolean;
  maxPerMinute: number;
};

/** A channel as GET returns it: secrets (HMAC key, SMTP password, Slack URL) never leave. */
export interface ChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  sendResolved: boolean;
  maxPerMinute: number;
  /** Webhook/Alertmanager URL; a Slack URL only as its origin (`https://hooks.slack.com/…`). */
  url?: string;
  hasSecret?: boolean;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  hasPassword?: boolean;
  from?: string;
  to?: string[];
  /** Deliveries that failed in a row (0 after a success); the console alerts at the limit. */
  consecutiveFailures: number;
}

/** The POST/PUT body before its kind is known: checked field by field against that kind. */
export const ChannelBody = Type.Object(
  { kind: Type.Union(CHANNEL_KINDS.map((k) => Type.Literal(k))) },
  { additionalProperties: true },
);

export const EscalationStep = Type.Object(
  {
    /**
     * Wait this long unacknowledged after the previous step (after the incident opened, for
     * the first step) before notifying this step's channels.
     */
    afterMs: Type.Integer({ minimum: 0, maximum: 7 * 86_400_000 }),
    channelIds: Type.Array(Id, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const PolicyInput = Type.Object(
  {
    id: Opt(Id),
    name: Name,
    /** Which incidents the policy takes; an empty or absent list matches all. */
    match: Opt(
      Type.Object(
        {
          severities: Opt(
            Type.Array(
              Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
              { maxItems: 3 },
            ),
          ),
          regions: Opt(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 })),
          rules: Opt(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    steps: Type.Array(EscalationStep, { minItems: 1, maxItems: 10 }),
    /**
     * After the last step, start again from the first this long later, until acknowledged;
     * null: stop after the last step (default: the first step's gap, at least 5 min).
     */
    repeatAfterMs: Opt(
      Type.Union([Type.Integer({ minimum: 60_000, maximum: 7 * 86_400_000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

export type PolicyInput = Static<typeof PolicyInput>;
export type EscalationStep = Static<typeof EscalationStep>;

export interface EscalationPolicy {
  id: string;
  name: string;
  match: { severities?: Severity[]; regions?: string[]; rules?: string[] };
  steps: EscalationStep[];
  repeatAfterMs: number | null;
}

/** Why a message went out. */
export type NotificationKind = 'page' | 'escalation' | 'update' | 'resolved' | 'test';

/** One delivery attempt, as GET /api/v1/deliveries lists it (newest first). */
export interface DeliveryAttempt {
  id: string;
  at: number;
  channelId: string;
  channelKind: ChannelKind;
  incidentId: string | null;
  kind: NotificationKind;
  /** Escalation step (0-based) and round (how many times the policy started over). */
  step: number | null;
  round: number | null;
  /** 1 for the first try of a message, 2 for its first retry… */
  attempt: number;
  ok: boolean;
  /** HTTP status, or the SMTP reply code, when there was one. */
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** A retry follows at this time (epoch ms), or null (success, or no attempts left). */
  retryAt: number | null;
}

export const DeliveriesQuery = Type.Object(
  {
    channel: Opt(Type.String({ maxLength: 64 })),
    incident: Opt(Type.String({ maxLength: 64 })),
    limit: Opt(Type.String({ pattern: '^[0-9]{1,4}$' })),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

export interface TestSendResult {
  delivery: DeliveryAttempt;
}

/** Signed webhooks: the header names and how the signature is made (docs/notifications.md). */
export const SIGNATURE_HEADER = 'X-Meridian-Signature';
export const TIMESTAMP_HEADER = 'X-Meridian-Timestamp';

type Q = Record<string, never>;

/** Who changes a channel or policy or test-sends (the audit log's `by`); or `by` in the body. */
export const NotifyChangeQuery = Type.Object(
  { by: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
export type NotifyChangeQuery = Static<typeof NotifyChangeQuery>;
type ByQ = NotifyChangeQuery;
/** The notification routes, merged into ApiRoutes (shared/api.ts). */
export interface NotifyApiRoutes {
  'GET /api/v1/channels': { query: Q; body: never; response: { channels: ChannelView[] } };
  'POST /api/v1/channels': { query: ByQ; body: ChannelInput; response: { channel: ChannelView } };
  'GET /api/v1/channels/:id': { query: Q; body: never; response: { channel: ChannelView } };
  'PUT /api/v1/channels/:id': {
    query: ByQ;
    /** The whole channel; secret, password or Slack URL may be left out to keep the stored one. */
    body: ChannelInput;
    response: { channel: ChannelView };
  };
  'DELETE /api/v1/channels/:id': { query: ByQ; body: never; response: { deleted: string } };
  'POST /api/v1/channels/:id/test': { query: ByQ; body: never; response: TestSendResult };
  'GET /api/v1/policies': { query: Q; body: never; response: { policies: EscalationPolicy[] } };
  'POST /api/v1/policies': {
    query: ByQ;
    body: PolicyInput;
    response: { policy: EscalationPolicy };
  };
  'PUT /api/v1/policies/:id': {
    query: ByQ;
    body: PolicyInput;
    response: { policy: EscalationPolicy };
  };
  'DELETE /api/v1/policies/:id': { query: ByQ; body: never; response: { deleted: string } };
  'GET /api/v1/deliveries': {
    query: DeliveriesQuery;
    body: never;
    response: { deliveries: DeliveryAttempt[] };
  };
}

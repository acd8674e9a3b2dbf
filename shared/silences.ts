// Silences and maintenance windows: what keeps matching alerts from paging while they are
// still recorded and shown. Silences match alerts by label matchers, as Alertmanager's do;
// maintenance windows cover regions or agents for a time, once or every week. Plain types and
// the TypeBox schemas the API validates bodies with; shared by core, API and renderer.
import { Type, type Static } from '@sinclair/typebox';

/** `=` equal, `!=` not equal, `=~` matches the (anchored) regex, `!~` does not. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/**
 * A matcher on one of an alert's labels: `region`, `agent`, `hostname`, `rule`, `severity`,
 * `metric`, or a label of its agent. A label the alert lacks is the empty string.
 */
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
  /** Who ended it before its time, when someone did. */
  expiredBy: string | null;
  /** The alert or incident it was made from ("silence this for 2 h"), if any. */
  fromAlertId: string | null;
  fromIncidentId: string | null;
}

/** A silence as the API returns it: with its state now. */
export interface SilenceView extends Silence {
  state: SilenceState;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type MaintenanceSchedule =
  | { kind: 'once'; startsAt: number; endsAt: number }
  | {
      kind: 'weekly';
      /** Days the window starts on, in `timeZone`. */
      days: Weekday[];
      /** Local start time `HH:MM` in `timeZone`. */
      time: string;
      durationMinutes: number;
      /** A named IANA time zone (`Europe/Berlin`); daylight-saving changes are followed. */
      timeZone: string;
    };

export interface MaintenanceWindow {
  id: string;
  name: string;
  comment: string;
  /** What it covers: every alert about these regions (and the regions' status) or agents. */
  regions: string[];
  agents: string[];
  schedule: MaintenanceSchedule;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** A window as the API returns it: whether it is on now, and its next start and end. */
export interface MaintenanceView extends MaintenanceWindow {
  active: boolean;
  /** The current occurrence's start and end when active, else the next one's; null if none. */
  nextStart: number | null;
  nextEnd: number | null;
}

const Id = Type.String({ minLength: 1, maxLength: 64 });
const By = Type.String({ minLength: 1, maxLength: 64 });
const Millis = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 });

export const MatcherSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
    op: Type.Union([Type.Literal('='), Type.Literal('!='), Type.Literal('=~'), Type.Literal('!~')]),
    value: Type.String({ maxLength: 256 }),
  },
  { additionalProperties: false },
);

/**
 * A new silence: matchers (or an alert or incident to derive them from), a start (default:
 * now) and an end or a duration in minutes.
 */
export const SilenceBody = Type.Object(
  {
    matchers: Type.Optional(Type.Array(MatcherSchema, { minItems: 1, maxItems: 20 })),
    alertId: Type.Optional(Id),
    incidentId: Type.Optional(Id),
    startsAt: Type.Optional(Millis),
    endsAt: Type.Optional(Millis),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 24 * 60 })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    by: Type.Optional(By),
  },
  { additionalProperties: false },
);
export type SilenceBody = Static<typeof SilenceBody>;

export const SilencesQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('expired')]),
    ),
  },
  { additionalProperties: false },
);
export type SilencesQuery = Static<typeof SilencesQuery>;

export const ExpireSilenceQuery = Type.Object(
  { by: Type.Optional(By) },
  { additionalProperties: false },
);
export type ExpireSilenceQuery = Static<typeof ExpireSilenceQuery>;

/**
 * One object for both kinds (so a bad field is named, not "does not match the union"): `once`
 * needs startsAt and endsAt; `weekly` needs days, time, durationMinutes and timeZone.
 */
export const MaintenanceScheduleSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('once'), Type.Literal('weekly')]),
    startsAt: Type.Optional(Millis),
    endsAt: Type.Optional(Millis),
    days: Type.Optional(
      Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), { minItems: 1, maxItems: 7 }),
    ),
    time: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const MaintenanceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    regions: Type.Optional(Type.Array(Id, { maxItems: 100 })),
    agents: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
    schedule: MaintenanceScheduleSchema,
    by: Type.Optional(By),
  },
  { additionalProperties: false },
);
export type MaintenanceBody = Static<typeof MaintenanceBody>;

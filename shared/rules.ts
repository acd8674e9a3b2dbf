// Alert rules. Kept in state.json where operators may edit them by hand, so they are
// schemas (validated on load), not just types.
import { Type, type Static } from '@sinclair/typebox';

const SeverityLevel = Type.Union([
  Type.Literal('critical'),
  Type.Literal('warning'),
  Type.Literal('info'),
]);
const RuleId = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' });
const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

/**
 * Which series a rule applies to. Every given part must hold: the agent's region is one of
 * `regions`, its type one of `agentTypes`, and each label equals the sample's label of that
 * name (or, when the sample has none, the agent's). No matchers: every series of the metric.
 */
export const RuleMatchers = Type.Object(
  {
    regions: Opt(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
    agentTypes: Opt(
      Type.Array(
        Type.Union([
          Type.Literal('system'),
          Type.Literal('application'),
          Type.Literal('database'),
          Type.Literal('network'),
        ]),
        { maxItems: 4 },
      ),
    ),
    labels: Opt(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
        Type.String({ maxLength: 256 }),
        { maxProperties: 16 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RuleMatchers = Static<typeof RuleMatchers>;

/** A link to what to do about it (http or https only: it is opened from the console). */
const RunbookUrl = Opt(Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$' }));
/** Once the condition is gone, the alert stays open this long (a brief dip does not resolve it). */
const KeepFiringForMs = Opt(Type.Integer({ minimum: 0, maximum: 86_400_000 }));

/** What every rule has: its id, its kind, whether it is on, and what it is about. */
const ruleHead = <K extends string>(kind: K) => ({
  id: RuleId,
  kind: Type.Literal(kind),
  enabled: Type.Boolean(),
  description: Type.String({ maxLength: 500 }),
});
const Metric = Type.String({ minLength: 1, maxLength: 128 });
/** gt: alert when the value rises above a level; lt: when it falls below. */
const Comparator = Type.Union([Type.Literal('gt'), Type.Literal('lt')]);
/** The levels a rule judges a value by, as threshold rules do. */
const Levels = {
  warning: Type.Union([Type.Number(), Type.Null()]),
  critical: Type.Union([Type.Number(), Type.Null()]),
  /** The value must come back past the level by this much before the alert resolves. */
  hysteresis: Type.Number({ minimum: 0 }),
  /** The condition must hold this long before the alert fires (0: at once). */
  forMs: Type.Integer({ minimum: 0 }),
};

export const ThresholdRule = Type.Object(
  {
    ...ruleHead('threshold'),
    metric: Metric,
    comparator: Comparator,
    unit: Type.String({ maxLength: 16 }),
    ...Levels,
    keepFiringForMs: KeepFiringForMs,
    matchers: Opt(RuleMatchers),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

/**
 * A series stops reporting while its agent is alive (online): fires once the series has been
 * silent for `absentForMs`, resolves when it reports again or its agent goes offline (then the
 * agent_offline rule speaks). Checked every few seconds (docs/operations.md#rules).
 */
export const AbsenceRule = Type.Object(
  {
    ...ruleHead('absence'),
    metric: Metric,
    /** 1 min to 1 day. */
    absentForMs: Type.Integer({ minimum: 60_000, maximum: 86_400_000 }),
    severity: SeverityLevel,
    matchers: Opt(RuleMatchers),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

/**
 * The metric changes too fast: its least-squares slope over `windowMs` (from one point a
 * minute), in units per hour, rises above (gt) or falls below (lt) a level. "Disk growing
 * more than 5 %/h over 30 min" is metric disk_usage, comparator gt, warning 5, window 30 min.
 */
export const RateOfChangeRule = Type.Object(
  {
    ...ruleHead('rate_of_change'),
    metric: Metric,
    /** The metric's unit; the levels are in this unit per hour. */
    unit: Type.String({ maxLength: 16 }),
    comparator: Comparator,
    /** 5 min to 24 h. */
    windowMs: Type.Integer({ minimum: 300_000, maximum: 86_400_000 }),
    ...Levels,
    keepFiringForMs: KeepFiringForMs,
    matchers: Opt(RuleMatchers),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

/**
 * One figure for a whole region: the `agg` (average, extreme, sum of series means or a
 * percentile) of every matching sample of the metric in the region over the last `windowMs`,
 * checked every few seconds. "p95 response_time over a region > 800 ms for 2 min" is metric
 * response_time, agg p95, comparator gt, warning 800, windowMs 120 000. The alert is the
 * region's (subject kind 'region'), one per region.
 */
export const RegionAggregateRule = Type.Object(
  {
    ...ruleHead('region_aggregate'),
    metric: Metric,
    agg: Type.Union([
      Type.Literal('avg'),
      Type.Literal('min'),
      Type.Literal('max'),
      Type.Literal('sum'),
      Type.Literal('p50'),
      Type.Literal('p95'),
      Type.Literal('p99'),
    ]),
    comparator: Comparator,
    unit: Type.String({ maxLength: 16 }),
    ...Levels,
    /** The span aggregated: 1 min to 1 h. */
    windowMs: Type.Integer({ minimum: 60_000, maximum: 3_600_000 }),
    matchers: Opt(
      Type.Object(
        {
          regions: RuleMatchers.properties.regions,
          agentTypes: RuleMatchers.properties.agentTypes,
        },
        { additionalProperties: false },
      ),
    ),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

export const AgentOfflineRule = Type.Object(
  {
    ...ruleHead('agent_offline'),
    severity: SeverityLevel,
    matchers: Opt(RuleMatchers),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

export const RegionStatusRule = Type.Object(
  {
    ...ruleHead('region_status'),
    degraded: Type.Union([SeverityLevel, Type.Null()]),
    failed: Type.Union([SeverityLevel, Type.Null()]),
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

/**
 * "metric will cross threshold within horizon": fires while the likely crossing (the point
 * forecast, inside the 80 % band) of some series of the metric falls inside the horizon, and
 * resolves when it no longer does. Evaluated when forecasts are recomputed (docs/forecasting.md).
 */
export const ForecastRule = Type.Object(
  {
    ...ruleHead('forecast'),
    metric: Metric,
    unit: Type.String({ maxLength: 16 }),
    threshold: Type.Number(),
    /** 1 h to 30 d. */
    horizonMs: Type.Integer({ minimum: 3_600_000, maximum: 30 * 86_400_000 }),
    severity: SeverityLevel,
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

/**
 * A sample far from its series' baseline for that time of day and week (a robust score in
 * 0–1). One alert per series while the episode lasts; none during the baseline's warm-up.
 */
export const AnomalyRule = Type.Object(
  {
    ...ruleHead('anomaly'),
    metrics: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      minItems: 1,
      maxItems: 64,
    }),
    /** low: only gross departures; high: smaller ones too. */
    sensitivity: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]),
    severity: SeverityLevel,
    runbookUrl: RunbookUrl,
  },
  { additionalProperties: false },
);

export const Rule = Type.Union([
  ThresholdRule,
  AgentOfflineRule,
  RegionStatusRule,
  ForecastRule,
  AnomalyRule,
  AbsenceRule,
  RateOfChangeRule,
  RegionAggregateRule,
]);

/** Each kind's own schema, so a bad rule's errors name its fields (a union's would not). */
export const RULE_SCHEMAS = {
  threshold: ThresholdRule,
  agent_offline: AgentOfflineRule,
  region_status: RegionStatusRule,
  forecast: ForecastRule,
  anomaly: AnomalyRule,
  absence: AbsenceRule,
  rate_of_change: RateOfChangeRule,
  region_aggregate: RegionAggregateRule,
} as const;
export type RuleKind = keyof typeof RULE_SCHEMAS;
export const RULE_KINDS = Object.keys(RULE_SCHEMAS) as RuleKind[];

export type ForecastRule = Static<typeof ForecastRule>;
export type AnomalyRule = Static<typeof AnomalyRule>;
export type ThresholdRule = Static<typeof ThresholdRule>;
export type AgentOfflineRule = Static<typeof AgentOfflineRule>;
export type RegionStatusRule = Static<typeof RegionStatusRule>;
export type AbsenceRule = Static<typeof AbsenceRule>;
export type RateOfChangeRule = Static<typeof RateOfChangeRule>;
export type RegionAggregateRule = Static<typeof RegionAggregateRule>;
export type Rule = Static<typeof Rule>;

const threshold = (
  id: string,
  unit: string,
  warning: number | null,
  critical: number | null,
  hysteresis: number,
  description: string,
): ThresholdRule => ({
  id,
  kind: 'threshold',
  enabled: true,
  description,
  metric: id,
  comparator: 'gt',
  unit,
  warning,
  critical,
  hysteresis,
  forMs: 0,
});

/** The rules a new console starts with (the product brief's thresholds). */
export const DEFAULT_RULES: readonly Rule[] = [
  threshold('cpu_usage', '%', 80, 95, 5, 'CPU busy'),
  threshold('memory_usage', '%', 85, 95, 3, 'Memory nearly full'),
  threshold('disk_usage', '%', 90, 97, 1, 'Disk nearly full'),
  threshold('response_time', 'ms', 1000, null, 100, 'Responses slow'),
  threshold('error_rate', '%', 5, null, 1, 'Error rate high'),
  {
    id: 'agent_offline',
    kind: 'agent_offline',
    enabled: true,
    description: 'Agent stopped reporting',
    severity: 'critical',
  },
  {
    id: 'region_status',
    kind: 'region_status',
    enabled: true,
    description: 'Region lost agents',
    degraded: 'warning',
    failed: 'critical',
  },
  {
    id: 'disk_usage_forecast',
    kind: 'forecast',
    enabled: true,
    description: 'Disk forecast to fill',
    metric: 'disk_usage',
    unit: '%',
    threshold: 90,
    horizonMs: 7 * 86_400_000,
    severity: 'warning',
  },
  {
    id: 'filesystem_usage_forecast',
    kind: 'forecast',
    enabled: true,
    description: 'Filesystem forecast to fill',
    metric: 'filesystem_usage',
    unit: '%',
    threshold: 90,
    horizonMs: 7 * 86_400_000,
    severity: 'warning',
  },
  {
    id: 'anomaly',
    kind: 'anomaly',
    enabled: true,
    description: 'Unusual for this time of day and week',
    metrics: ['cpu_usage', 'memory_usage', 'response_time', 'error_rate'],
    sensitivity: 'medium',
    severity: 'info',
  },
];

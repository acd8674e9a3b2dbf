// The shape of state.json, checked on load: a hand-edited or damaged file must not take
// the core down. Records that fail are dropped and counted; a file whose top level is
// wrong counts as corrupt (the caller falls back to the last good copy).
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Agent, Alert, StoredEvent } from '../../../shared/model.js';
import type { RegionDefinition } from '../../../shared/regions.js';
import { Rule } from '../../../shared/rules.js';

export const STATE_VERSION = 1;

export interface PersistedState {
  version: typeof STATE_VERSION;
  regions: RegionDefinition[];
  /**
   * Only in files written before the agent registry moved to agents.ndjson: read once to
   * migrate them, never written again.
   */
  agents?: Agent[];
  rules: Rule[];
  alerts: Alert[];
  events: StoredEvent[];
}

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Str = Type.String();
const Num = Type.Number();

const RegionDef = Type.Object({ id: Str, name: Str, latitude: Num, longitude: Num });
const AgentRecord = Type.Object({
  id: Str,
  regionId: Str,
  hostname: Str,
  ipAddress: Str,
  type: Type.Union(['system', 'application', 'database', 'network'].map((t) => Type.Literal(t))),
  version: Str,
  labels: Type.Record(Str, Str),
  status: Type.Union(['online', 'offline', 'error'].map((t) => Type.Literal(t))),
  registeredAt: Num,
  lastHeartbeat: Nullable(Num),
  statusChangedAt: Num,
  metricsCount: Num,
  alertsCount: Num,
  latest: Type.Record(Str, Num),
});
const AlertRecord = Type.Object({
  id: Str,
  ruleId: Str,
  subjectKey: Str,
  subject: Type.Object({ kind: Str, regionId: Nullable(Str), agentId: Nullable(Str) }),
  severity: Type.Union(['critical', 'warning', 'info'].map((t) => Type.Literal(t))),
  state: Type.Union(['pending', 'firing', 'acknowledged', 'resolved'].map((t) => Type.Literal(t))),
  message: Str,
  createdAt: Num,
  updatedAt: Num,
  history: Type.Array(Type.Object({ at: Num, to: Str, by: Str })),
});
const EventRecord = Type.Object({ id: Str, agentId: Str, regionId: Str, ts: Num, message: Str });

const checkers = {
  regions: TypeCompiler.Compile(RegionDef),
  agents: TypeCompiler.Compile(AgentRecord),
  rules: TypeCompiler.Compile(Rule),
  alerts: TypeCompiler.Compile(AlertRecord),
  events: TypeCompiler.Compile(EventRecord),
};

/** A registry record (agents.ndjson, or the `agents` of an old state.json) that is well-formed. */
export function isAgentRecord(raw: unknown): raw is Agent {
  return checkers.agents.Check(raw);
}

export interface ParsedState {
  state: PersistedState;
  /** Records dropped because they failed validation, by collection. */
  dropped: Partial<Record<keyof typeof checkers, number>>;
}

export function parseState(raw: unknown): ParsedState {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('state file is not a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  if (obj.version !== STATE_VERSION) {
    throw new Error(`state file version ${String(obj.version)} is not ${STATE_VERSION}`);
  }
  const dropped: ParsedState['dropped'] = {};
  const take = <K extends keyof typeof checkers>(key: K): unknown[] => {
    const list = obj[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) throw new Error(`state file field '${key}' is not an array`);
    const good = list.filter((item) => checkers[key].Check(item));
    if (good.length !== list.length) dropped[key] = list.length - good.length;
    return good;
  };
  return {
    state: {
      version: STATE_VERSION,
      regions: take('regions') as RegionDefinition[],
      agents: take('agents') as Agent[],
      rules: take('rules') as Rule[],
      alerts: take('alerts') as Alert[],
      events: take('events') as StoredEvent[],
    },
    dropped,
  };
}

// Security events as the agent will send them (shared/security-events.ts names), and a rule
// set built from YAML text, for the Sigma detection tests.
import { ManualClock } from '../../../shared/clock.js';
import {
  SECURITY_CATEGORIES,
  SECURITY_FIELDS as F,
  SECURITY_SOURCES,
} from '../../../shared/security-events.js';
import { DetectionEngine } from '../../../electron/core/security/detect/engine.js';
import { buildRuleSet } from '../../../electron/core/security/detect/rule-set.js';
import type { SecurityEvent } from '../../../electron/core/security/detect/types.js';

export const T0 = 1_700_000_000_000;

interface AuthOpts {
  ts: number;
  user?: string;
  srcIp?: string;
  agentId?: string;
  service?: string;
  regionId?: string;
}

export function auth(type: string, o: AuthOpts): SecurityEvent {
  const attributes: Record<string, string | boolean> = {
    [F.eventType]: type,
    [F.service]: o.service ?? 'sshd',
    [F.user]: o.user ?? 'alice',
    [F.method]: 'password',
  };
  if (o.srcIp !== undefined) attributes[F.srcIp] = o.srcIp;
  // The agent's line per failed attempt (not one that restates it).
  if (type === 'auth_failure') attributes[F.attempt] = true;
  return {
    ts: o.ts,
    category: SECURITY_CATEGORIES.auth,
    severity: type === 'auth_failure' ? 'warning' : 'info',
    source: SECURITY_SOURCES.auth,
    message: `${type} for ${o.user ?? 'alice'}`,
    attributes,
    agentId: o.agentId ?? 'web-1',
    hostname: `${o.agentId ?? 'web-1'}.example`,
    regionId: o.regionId ?? 'eu-west',
  };
}

export const failure = (o: AuthOpts) => auth('auth_failure', o);
export const success = (o: AuthOpts) => auth('auth_success', o);

export function fim(path: string, ts: number, agentId = 'web-1'): SecurityEvent {
  return {
    ts,
    category: SECURITY_CATEGORIES.fim,
    severity: 'warning',
    source: SECURITY_SOURCES.fim,
    message: `${path} modified`,
    attributes: {
      [F.eventType]: 'fim_change',
      [F.path]: path,
      [F.change]: 'modified',
      [F.oldSha256]: 'a'.repeat(64),
      [F.newSha256]: 'b'.repeat(64),
      [F.size]: 1234,
    },
    agentId,
  };
}

export function portOpen(port: number, bind: string, ts: number, agentId = 'web-1'): SecurityEvent {
  return {
    ts,
    category: SECURITY_CATEGORIES.ports,
    severity: 'info',
    source: SECURITY_SOURCES.ports,
    message: `listening on ${bind}:${port}`,
    attributes: {
      [F.eventType]: 'port_open',
      [F.port]: port,
      [F.proto]: 'tcp',
      [F.process]: 'nc',
      [F.bindAddress]: bind,
    },
    agentId,
  };
}

/** An engine over the given rule files (name → YAML); throws when any file is rejected. */
export function engineFor(files: Record<string, string>, clock = new ManualClock(T0)) {
  const set = buildRuleSet(Object.entries(files).map(([file, text]) => ({ file, text })));
  if (set.errors.length > 0) throw set.errors[0];
  return { engine: new DetectionEngine({ rules: set.rules, clock }), rules: set.rules, clock };
}

/** A deterministic PRNG (mulberry32), so "random" noise is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The simulator's authentication traffic goes through the real parser (so it has the agent's
// shapes) and meets the built-in rules as a real attack would: a 10-attempt run is one SSH
// brute force, 9 is none, and the background noise never detects anything.
import { beforeAll, describe, expect, it } from 'vitest';
import { authNoiseEvents, bruteForceEvents } from '../../agent/sim-security.js';
import { seededRandom } from '../../agent/prng.js';
import { ManualClock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { loadRules } from '../../electron/core/security/detect/rule-files.js';
import type { CompiledRule, Detection } from '../../electron/core/security/detect/types.js';

const T = 1_764_490_000_000;
let rules: CompiledRule[];
beforeAll(async () => {
  rules = (await loadRules()).rules;
});

function detect(events: AgentEvent[]): Detection[] {
  const engine = new DetectionEngine({ rules, clock: new ManualClock(T) });
  return events.flatMap((e) => engine.process({ ...e, agentId: 'sim-1', regionId: 'eu-west-1' }));
}

describe('simulated authentication traffic', () => {
  it('bruteForce: 10 attempts are one SSH brute force, 9 are none', () => {
    const random = seededRandom(7);
    const ten = bruteForceEvents({ attempts: 10, sourceIp: '203.0.113.50', endTs: T, random });
    expect(ten.every((e) => e.source === 'auth' && e.category === 'security')).toBe(true);
    expect(ten.filter((e) => e.attributes?.attempt === true)).toHaveLength(10);
    expect(ten.length).toBeGreaterThan(10);
    expect(Math.max(...ten.map((e) => e.ts)) - Math.min(...ten.map((e) => e.ts))).toBeLessThan(
      60_000,
    );
    expect(detect(ten).map((d) => d.title)).toEqual(['SSH brute force']);
    const nine = bruteForceEvents({ attempts: 9, sourceIp: '203.0.113.51', endTs: T, random });
    expect(detect(nine).filter((d) => d.title === 'SSH brute force')).toEqual([]);
  });

  it('a day of background noise on one host detects nothing', () => {
    const random = seededRandom(11);
    const events: AgentEvent[] = [];
    for (let i = 0; i < 1_000; i++) events.push(...authNoiseEvents(T + i * 90_000, random));
    expect(new Set(events.map((e) => e.attributes?.['event.type']))).toEqual(
      new Set(['auth_success', 'session_open', 'auth_failure', 'sudo']),
    );
    expect(detect(events)).toEqual([]);
  });
});

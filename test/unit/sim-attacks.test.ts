// The simulator's attack scenarios meet the built-in rules (read from their YAML files, with
// the default region map) as the real attacks would: each trips its own detection, once, and
// no other; and a day of the simulator's background noise on hosts in every region trips none
// (staff reach hosts everywhere from their own workstation: not impossible travel).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ATTACK_SOURCES,
  distributedAttemptEvents,
  loginEvent,
  newListeningPortEvent,
  passwordSprayEvents,
  sudoersChangeEvent,
} from '../../agent/sim-attacks.js';
import { authNoiseEvents } from '../../agent/sim-security.js';
import { seededRandom } from '../../agent/prng.js';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { loadRules } from '../../electron/core/security/detect/rule-files.js';
import type {
  CompiledRule,
  Detection,
  SecurityEvent,
} from '../../electron/core/security/detect/types.js';
import { ManualClock } from '../../shared/clock.js';
import type { AgentEvent } from '../../shared/protocol.js';
import { DEFAULT_REGIONS } from '../../shared/regions.js';

const T = 1_764_490_000_000;
let rules: CompiledRule[];
beforeAll(async () => {
  rules = (await loadRules()).rules;
});

type Sent = { agentId: string; regionId: string; events: AgentEvent[] };
function detect(sent: Sent[]): Detection[] {
  const engine = new DetectionEngine({
    rules,
    clock: new ManualClock(T),
    regions: DEFAULT_REGIONS,
  });
  const all: SecurityEvent[] = sent.flatMap((s) =>
    s.events.map((e) => ({ ...e, agentId: s.agentId, regionId: s.regionId })),
  );
  all.sort((a, b) => a.ts - b.ts);
  return all.flatMap((e) => engine.process(e));
}
const titles = (ds: Detection[]) => ds.map((d) => d.title);

describe('simulated attacks', () => {
  it('password spray over a region: one Password spraying detection, nothing per host', () => {
    const perHost = passwordSprayEvents({
      sourceIp: '198.51.100.23',
      hosts: 10,
      endTs: T,
      random: seededRandom(1),
    });
    const ds = detect(
      perHost.map((events, i) => ({ agentId: `eu-${i}`, regionId: 'eu-west-1', events })),
    );
    expect(titles(ds)).toEqual(['Password spraying']);
    expect(ds[0]!.group).toEqual({ src_ip: '198.51.100.23' });
    // Each host saw a trickle only.
    expect(
      Math.max(...perHost.map((h) => h.filter((e) => e.attributes?.attempt === true).length)),
    ).toBe(2);
  });

  it('distributed attempt on one user: one Distributed brute force detection', () => {
    const sources = Object.values(ATTACK_SOURCES).flat();
    const events = distributedAttemptEvents({
      user: 'admin',
      sources,
      endTs: T,
      random: seededRandom(2),
    });
    const ds = detect([{ agentId: 'db-1', regionId: 'us-east-1', events }]);
    expect(titles(ds)).toEqual(['Distributed brute force']);
    expect(ds[0]!.group).toEqual({ user: 'admin' });
    expect(new Set(events.map((e) => e.attributes?.src_ip)).size).toBe(8);
  });

  it('a sudoers.d file and a bind shell: Critical file changed and New listening port', () => {
    const random = seededRandom(3);
    const sudoers = sudoersChangeEvent(T, random);
    expect(sudoers).toMatchObject({
      source: 'fim',
      attributes: {
        'event.type': 'fim_change',
        change: 'created',
        path: '/etc/sudoers.d/90-cloud-init-users',
        size: 38,
      },
    });
    expect(String(sudoers.attributes?.new_sha256)).toMatch(/^[0-9a-f]{64}$/);
    const port = newListeningPortEvent(T + 1, random);
    expect(port.attributes).toMatchObject({
      'event.type': 'port_open',
      port: 4444,
      bind_address: '0.0.0.0',
      process: 'nc',
    });
    expect(
      titles(detect([{ agentId: 'web-1', regionId: 'eu-west-1', events: [sudoers, port] }])),
    ).toEqual(['Critical file changed', 'New listening port']);
  });

  it('impossible travel: alice in Virginia, then Tokyo 4 min later from elsewhere', () => {
    const random = seededRandom(4);
    const ds = detect([
      {
        agentId: 'east-1',
        regionId: 'us-east-1',
        events: [loginEvent('alice', '198.51.100.87', T - 240_000, random)],
      },
      {
        agentId: 'tokyo-1',
        regionId: 'ap-northeast-1',
        events: [loginEvent('alice', '203.0.113.77', T, random)],
      },
    ]);
    expect(titles(ds)).toEqual(['Impossible travel']);
    expect(ds[0]!.distinctValues).toEqual(['us-east-1', 'ap-northeast-1']);
  });

  it('a day of background noise on 40 hosts in every region detects nothing', () => {
    const random = seededRandom(11);
    const sent: Sent[] = [];
    for (let i = 0; i < 2_000; i++) {
      const host = i % 40;
      sent.push({
        agentId: `h-${host}`,
        regionId: DEFAULT_REGIONS[host % DEFAULT_REGIONS.length]!.id,
        events: authNoiseEvents(T + i * 43_000, random),
      });
    }
    expect(detect(sent)).toEqual([]);
  });
});

// The two built-ins that are not about one host's logs, read from their YAML files as the
// console reads them, on scripted timelines:
// - impossible travel (Meridian's `impossible_travel` correlation over the fleet's region map):
//   one user's successful logins on hosts in regions ≥ 2,000 km apart within 30 min, from two
//   different sources;
// - agent token guessing: the console's own `ingest_auth_refused` events, ≥ 20 from one source
//   within 10 min.
// Each fires exactly when it should, once per episode, and not on normal noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { DetectionEngine } from '../../electron/core/security/detect/engine.js';
import { haversineKm } from '../../electron/core/security/detect/region-distance.js';
import { loadRules } from '../../electron/core/security/detect/rule-files.js';
import type {
  CompiledRule,
  Detection,
  SecurityEvent,
} from '../../electron/core/security/detect/types.js';
import { ingestRefusalEvent } from '../../electron/core/security/security-wiring.js';
import { ManualClock } from '../../shared/clock.js';
import { DEFAULT_REGIONS, type RegionDefinition } from '../../shared/regions.js';
import { T0, auth, failure, seeded, success } from './support/security-events-fixture.js';

let rules: CompiledRule[];
beforeAll(async () => {
  const set = await loadRules();
  expect(set.errors).toEqual([]);
  rules = set.rules;
});

const MIN = 60_000;
const engineWith = (regions: readonly RegionDefinition[] = DEFAULT_REGIONS) =>
  new DetectionEngine({ rules, clock: new ManualClock(T0), regions });
const run = (engine: DetectionEngine, events: SecurityEvent[]): Detection[] =>
  events.flatMap((e) => engine.process(e));
const travel = (ds: Detection[]) => ds.filter((d) => d.title === 'Impossible travel');
const guessing = (ds: Detection[]) =>
  ds.filter((d) => d.title === 'Agent token guessing at the ingest port');

const login = (
  ts: number,
  regionId: string,
  srcIp: string,
  user = 'alice',
  agentId = `h-${regionId}`,
) => success({ ts, regionId, srcIp, user, agentId });

describe('impossible travel', () => {
  it('the default regions are where their coordinates say (km apart)', () => {
    const at = (id: string) => DEFAULT_REGIONS.find((r) => r.id === id)!;
    expect(Math.round(haversineKm(at('us-east-1'), at('ap-northeast-1')) / 100)).toBe(109); // ~10,900 km
    expect(Math.round(haversineKm(at('us-east-1'), at('us-west-2')) / 100)).toBe(36); // ~3,600 km
  });

  it('fires for logins in Virginia and Tokyo 10 min apart from two sources, once, with the regions', () => {
    const engine = engineWith();
    const found = travel(
      run(engine, [
        login(T0, 'us-east-1', '198.51.100.7'),
        login(T0 + 10 * MIN, 'ap-northeast-1', '203.0.113.50'),
        // the same episode goes on: no second detection
        login(T0 + 12 * MIN, 'eu-west-1', '203.0.113.51'),
      ]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'impossible_travel',
      group: { user: 'alice' },
      distinctValues: ['us-east-1', 'ap-northeast-1'],
      firstTs: T0,
      lastTs: T0 + 10 * MIN,
      mitre: ['T1078'],
      severity: 'critical',
    });
  });

  it('does not fire: too far apart in time, one source, near regions, unknown regions, other users', () => {
    // 31 min apart
    expect(
      travel(
        run(engineWith(), [
          login(T0, 'us-east-1', '198.51.100.7'),
          login(T0 + 31 * MIN, 'ap-northeast-1', '203.0.113.50'),
        ]),
      ),
    ).toEqual([]);
    // one workstation reaching hosts in two regions
    expect(
      travel(
        run(engineWith(), [
          login(T0, 'us-east-1', '198.51.100.7'),
          login(T0 + MIN, 'ap-northeast-1', '198.51.100.7'),
        ]),
      ),
    ).toEqual([]);
    // Dublin and London: 460 km
    const near = [
      ...DEFAULT_REGIONS,
      { id: 'eu-west-2', name: 'London', latitude: 51.5, longitude: -0.1 },
    ];
    expect(
      travel(
        run(engineWith(near), [
          login(T0, 'eu-west-1', '198.51.100.7'),
          login(T0 + MIN, 'eu-west-2', '203.0.113.50'),
        ]),
      ),
    ).toEqual([]);
    // a region with no place on the map
    expect(
      travel(
        run(engineWith(), [
          login(T0, 'us-east-1', '198.51.100.7'),
          login(T0 + MIN, 'lab', '203.0.113.50'),
        ]),
      ),
    ).toEqual([]);
    // two users, one region each
    expect(
      travel(
        run(engineWith(), [
          login(T0, 'us-east-1', '198.51.100.7', 'alice'),
          login(T0 + MIN, 'ap-northeast-1', '203.0.113.50', 'bob'),
        ]),
      ),
    ).toEqual([]);
    // failures are not logins
    expect(
      travel(
        run(engineWith(), [
          login(T0, 'us-east-1', '198.51.100.7'),
          failure({
            ts: T0 + MIN,
            regionId: 'ap-northeast-1',
            srcIp: '203.0.113.50',
            user: 'alice',
          }),
        ]),
      ),
    ).toEqual([]);
  });

  it('fires when the later login arrives first (events out of order), and again after a quiet gap', () => {
    const engine = engineWith();
    expect(
      travel(
        run(engine, [
          login(T0 + 5 * MIN, 'eu-west-1', '203.0.113.50'),
          login(T0, 'us-west-2', '198.51.100.7'),
        ]),
      ),
    ).toHaveLength(1);
    // 31 min later the episode is over; a new pair is a new detection
    const later = T0 + 5 * MIN + 31 * MIN;
    expect(
      travel(
        run(engine, [
          login(later, 'us-west-2', '198.51.100.8'),
          login(later + MIN, 'ap-northeast-1', '203.0.113.99'),
        ]),
      ),
    ).toHaveLength(1);
  });

  it('six hours of a fleet-wide staff working on hosts in every region raise no travel; a stolen login does', () => {
    const rand = seeded(7);
    const staff = Array.from({ length: 12 }, (_, i) => `eng${i}`);
    const events: SecurityEvent[] = [];
    for (let ts = T0; ts < T0 + 6 * 3_600_000; ts += 5_000 + Math.floor(rand() * 40_000)) {
      const u = Math.floor(rand() * staff.length);
      // each engineer's workstation: office, then home, two hours each, with a 45 min
      // commute between (no logins) — a person, not a VPN hop
      const t = ts - T0 + u * 600_000;
      if (t % 7_200_000 < 45 * MIN) continue;
      const where = Math.floor(t / 7_200_000) % 2 === 0 ? 'office' : 'home';
      const srcIp = where === 'office' ? `198.51.100.${u + 1}` : `192.0.2.${u + 1}`;
      const region = DEFAULT_REGIONS[Math.floor(rand() * DEFAULT_REGIONS.length)]!.id;
      events.push(login(ts, region, srcIp, staff[u]!, `${region}-${Math.floor(rand() * 20)}`));
      if (rand() < 0.2)
        events.push(auth('session_open', { ts, user: staff[u]!, regionId: region }));
    }
    expect(events.length).toBeGreaterThan(500);
    const engine = engineWith();
    expect(travel(run(engine, events))).toEqual([]);
    const last = events
      .filter((e) => e.attributes?.user === 'eng3' && e.attributes['event.type'] === 'auth_success')
      .at(-1)!;
    const far = last.regionId === 'ap-northeast-1' ? 'us-east-1' : 'ap-northeast-1';
    expect(travel(run(engine, [login(last.ts + MIN, far, '203.0.113.66', 'eng3')]))).toHaveLength(
      1,
    );
  });
});

describe('agent token guessing (the ingest refusing one source)', () => {
  const refusals = (n: number, src: (i: number) => string, spacingMs = 5_000) =>
    Array.from({ length: n }, (_, i) => ({
      ...ingestRefusalEvent(
        T0 + i * spacingMs,
        src(i),
        i < 10 ? 'unauthorized' : 'auth_rate_limited',
      ),
      agentId: 'console',
    }));

  it('19 refusals from one source in 10 min: nothing; the 20th: one detection, by source', () => {
    const engine = engineWith();
    const events = refusals(25, () => '203.0.113.9');
    expect(guessing(run(engine, events.slice(0, 19)))).toEqual([]);
    const found = guessing(run(engine, events.slice(19)));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'event_count',
      count: 20,
      group: { src_ip: '203.0.113.9' },
      mitre: ['T1110', 'T1110.001'],
      agentId: 'console',
      hostname: 'console',
    });
  });

  it('many sources once each, or one slow retry (one a minute), raise nothing', () => {
    expect(
      guessing(
        run(
          engineWith(),
          refusals(200, (i) => `10.9.${i >> 8}.${i & 255}`),
        ),
      ),
    ).toEqual([]);
    // an agent with a stale token, backing off to a retry a minute: 10 in any 10 min
    expect(
      guessing(
        run(
          engineWith(),
          refusals(120, () => '10.1.1.1', 60_000),
        ),
      ),
    ).toEqual([]);
  });
});

// An incident collecting thousands of alerts (a long attack's detections all land in the
// incident of the agent or region under attack) must not make every further alert's join
// look at every alert it already holds: that made detection alerts quadratic and held the
// event ingest back. Work is counted in alert-book lookups, not timed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertReport } from '../../electron/core/incidents/alert-book.js';
import { world, type World } from './support/incident-fixture.js';

const REGION = 'eu-west-1';

function detection(agentId: string, n: number, suppressed = false): AlertReport {
  return {
    ruleId: 'detect:brute-force',
    subjectKey: `src_ip=198.18.${n >> 8}.${n & 255}${suppressed ? ',quiet=1' : ''}`,
    subject: { kind: 'agent', agentId, regionId: REGION },
    severity: n % 2 === 0 ? 'critical' : 'warning',
    message: `SSH brute force from source ${n}`,
    metric: null,
    value: 10,
    threshold: null,
    sampleArrivedAt: null,
    arrivedMono: null,
    forMs: 0,
  };
}

describe('an alert joining a big incident', () => {
  let w: World | null = null;
  afterEach(async () => {
    await w?.close();
    await w?.remove();
    w = null;
  });

  it('looks up a bounded number of its alerts, and the incident stays correct', async () => {
    w = await world();
    const [agent] = w.connect(REGION, 4);
    for (let n = 0; n < 2_000; n++) w.alerts.report(detection(agent!, n));
    const [incident] = w.manager.list();
    expect(incident!.alerts).toHaveLength(2_000);

    const get = vi.spyOn(w.alerts, 'get');
    w.alerts.report(detection(agent!, 2_000));
    // Without the bound this was one lookup per alert of the incident (2,000 and more).
    expect(get.mock.calls.length).toBeLessThan(20);
    get.mockRestore();

    const after = w.manager.get(incident!.id)!;
    expect(after.alerts).toHaveLength(2_001);
    expect(after).toMatchObject({ severity: 'critical', suppressedBy: null, state: 'open' });
  });

  it('with effects in the incident (a region down) the join stays bounded too', async () => {
    w = await world();
    const agents = w.connect(REGION, 8);
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(1_000);
      w.down(id);
    }
    const [incident] = w.manager.list();
    expect(incident!.alerts.some((r) => r.effect)).toBe(true);
    // Detections on a host still up join the region's incident (same region, in the window).
    for (let n = 0; n < 2_000; n++) w.alerts.report(detection(agents[7]!, n));
    expect(w.manager.list()).toHaveLength(1);
    const get = vi.spyOn(w.alerts, 'get');
    w.alerts.report(detection(agents[7]!, 2_000));
    expect(get.mock.calls.length).toBeLessThan(20);
    get.mockRestore();
    expect(w.manager.get(incident!.id)).toMatchObject({ suppressedBy: null, severity: 'critical' });
  });
});

// Acceptance tests in the manner of Alertmanager's: a scripted timeline of agents coming and
// going and clock steps, with the incidents expected at each point. The real fleet, alert book,
// rule evaluator, silences, maintenance windows and incident log (files in a temp dir).
import { afterEach, describe, expect, it } from 'vitest';
import { world, type World } from './support/incident-fixture.js';

const REGION = 'ap-northeast-1';

describe('incidents (acceptance)', () => {
  let w: World | null = null;
  afterEach(async () => {
    await w?.close();
    await w?.remove();
    w = null;
  });

  it('a region losing 75 % of its agents is one incident: the region alert the cause, the offline alerts its effects', async () => {
    w = await world();
    const agents = w.connect(REGION, 8);
    w.connect('us-east-1', 4); // another region, untouched
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(1_000);
      w.down(id);
    }
    const incidents = w.manager.list();
    expect(incidents).toHaveLength(1);
    const [inc] = incidents as [(typeof incidents)[0]];
    const regionAlert = w.open('region_status')[0]!;
    const offline = w.open('agent_offline');
    expect(offline).toHaveLength(6);
    expect(inc).toMatchObject({
      grouping: 'region_cause',
      regionId: REGION,
      agentId: null,
      causeAlertId: regionAlert.id,
      state: 'open',
      // 2/8 online: failed, critical (the region alert is the only one that is no effect)
      severity: 'critical',
      title: regionAlert.message,
    });
    expect(
      inc.alerts
        .filter((r) => r.effect)
        .map((r) => r.alertId)
        .sort(),
    ).toEqual(offline.map((a) => a.id).sort());
    expect(inc.alerts.find((r) => r.alertId === regionAlert.id)?.effect).toBe(false);
    // Inhibited: every offline alert says which alert it is an effect of.
    for (const a of offline) {
      expect(a.inhibitedBy).toBe(regionAlert.id);
      expect(a.incidentId).toBe(inc.id);
    }
    // Opened once: the notification pipeline pages from one 'opened'.
    expect(w.changes.filter((c) => c.reason === 'opened')).toHaveLength(1);
    const joined = inc.timeline.filter((e) => e.kind === 'alert_joined' || e.kind === 'opened');
    expect(joined).toHaveLength(7);
    // The region recovers: all alerts resolve, and so does the incident.
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(1_000);
      w.up(id);
    }
    expect(w.manager.get(inc.id)).toMatchObject({ state: 'resolved', resolvedAt: w.clock.now() });
    expect(w.manager.list()).toHaveLength(1);
  });

  it('a single host dying is its own incident, not a region incident', async () => {
    w = await world();
    const agents = w.connect(REGION, 8);
    w.down(agents[0]!);
    const [inc] = w.manager.list();
    expect(inc).toMatchObject({
      grouping: 'single',
      agentId: agents[0],
      causeAlertId: null,
      severity: 'critical',
    });
    expect(w.open('agent_offline')[0]!.inhibitedBy ?? null).toBeNull();
  });

  it('a flapping alert stays one incident, marked flapping, resolved only after a quiet window', async () => {
    w = await world({ options: { flap: { maxFires: 3, windowMs: 10 * 60_000 } } });
    const [agent] = w.connect('eu-west-1', 10) as [string];
    for (let i = 0; i < 5; i++) {
      w.down(agent);
      w.clock.advance(30_000);
      w.up(agent);
      w.clock.advance(30_000);
    }
    const incidents = w.manager.list();
    expect(incidents).toHaveLength(1);
    const inc = incidents[0]!;
    expect(inc.flapping).toBe(true);
    expect(inc.alerts).toHaveLength(5);
    expect(inc.timeline.filter((e) => e.kind === 'flapping')).toHaveLength(1);
    expect(w.changes.filter((c) => c.reason === 'opened')).toHaveLength(1);
    // Quiet now, but not yet a whole window: still open.
    expect(inc.state).toBe('open');
    w.clock.advance(10 * 60_000);
    expect(w.manager.get(inc.id)!.state).toBe('resolved');
  });

  it('a silence: the alert is recorded with suppressedBy, the incident is marked suppressed, with a timeline entry', async () => {
    w = await world();
    const agents = w.connect('eu-west-1', 10);
    const silence = w.services.createSilence(
      {
        matchers: [
          { name: 'region', op: '=', value: 'eu-west-1' },
          { name: 'team', op: '=~', value: 'we.' },
        ],
        durationMinutes: 120,
        comment: 'rack move',
      },
      'alice',
    );
    expect(silence).toMatchObject({ state: 'active', createdBy: 'alice', comment: 'rack move' });
    w.down(agents[0]!); // team=web: silenced
    const alert = w.open('agent_offline')[0]!;
    expect(alert.suppressedBy).toBe(silence.id);
    const inc = w.manager.incidentOf(alert)!;
    expect(inc.suppressedBy).toBe(silence.id);
    expect(inc.timeline.some((e) => e.kind === 'silenced' && e.text.includes(silence.id))).toBe(
      true,
    );
    // The opened event already carries it: the pipeline never pages it.
    expect(w.changes.find((c) => c.reason === 'opened')!.incident.suppressedBy).toBe(silence.id);
    // team=db: not matched, pages as usual.
    w.down(agents[1]!);
    const other = w.open('agent_offline').find((a) => a.subject.agentId === agents[1])!;
    expect(other.suppressedBy ?? null).toBeNull();
    // Expired early: the silenced alert is no longer suppressed, and its incident says so.
    w.clock.advance(60_000);
    w.services.silences.expire(silence.id, 'bob');
    expect(alert.suppressedBy).toBeNull();
    expect(w.manager.incidentOf(alert)!.suppressedBy).toBeNull();
    expect(w.services.silences.get(silence.id)).toMatchObject({
      state: 'expired',
      expiredBy: 'bob',
    });
  });

  it('an alert firing again under the same silence leaves a timeline entry, and is not paged', async () => {
    w = await world();
    const agents = w.connect('eu-west-1', 10);
    const silence = w.services.createSilence(
      { matchers: [{ name: 'agent', op: '=', value: agents[0]! }], durationMinutes: 120 },
      'alice',
    );
    w.down(agents[0]!);
    const first = w.open('agent_offline')[0]!;
    const inc = w.manager.incidentOf(first)!;
    w.up(agents[0]!);
    w.clock.advance(1_000);
    w.down(agents[0]!);
    const again = w.open('agent_offline')[0]!;
    expect(again.suppressedBy).toBe(silence.id);
    expect(w.manager.incidentOf(again)!.id).toBe(inc.id);
    const entry = inc.timeline.find((e) => e.kind === 'silenced' && e.alertId === again.id);
    expect(entry?.text).toMatch(new RegExp(`suppressed by ${silence.id}, recorded, not notified`));
    expect(inc.suppressedBy).toBe(silence.id);
  });

  it('a silence made while an alert fires suppresses it at once; a reminder precedes its end', async () => {
    w = await world();
    const agents = w.connect('eu-west-1', 10);
    w.down(agents[0]!);
    const alert = w.open('agent_offline')[0]!;
    const preview = w.services.previewSilence({ alertId: alert.id, durationMinutes: 60 });
    expect(preview.alerts.map((a) => a.id)).toEqual([alert.id]);
    expect(preview.incidents).toEqual([alert.incidentId]);
    const reminders: string[] = [];
    w.events.on('silence.changed', (e) => e.change === 'expiring' && reminders.push(e.silence.id));
    const silence = w.services.createSilence({ alertId: alert.id, durationMinutes: 60 }, 'alice');
    expect(alert.suppressedBy).toBe(silence.id);
    const inc = w.manager.incidentOf(alert)!;
    expect(inc.suppressedBy).toBe(silence.id);
    w.clock.advance(45 * 60_000);
    expect(reminders).toEqual([silence.id]);
    expect(inc.timeline.some((e) => e.kind === 'silenced' && e.text.includes('ends at'))).toBe(
      true,
    );
    w.clock.advance(15 * 60_000);
    expect(alert.suppressedBy).toBeNull();
    expect(inc.suppressedBy).toBeNull();
  });

  it('a maintenance window: the region shows maintenance, its alerts are recorded and not paged', async () => {
    w = await world();
    const agents = w.connect(REGION, 8);
    const now = w.clock.now();
    const win = w.services.maintenance.create(
      {
        name: 'upgrade',
        regions: [REGION],
        schedule: { kind: 'once', startsAt: now, endsAt: now + 3_600_000 },
      },
      'alice',
    );
    expect(w.fleet.region(REGION)!.status).toBe('maintenance');
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(1_000);
      w.down(id);
    }
    expect(w.fleet.region(REGION)!.status).toBe('maintenance');
    const all = w.alerts.openAlerts();
    expect(all).toHaveLength(7); // six offline and the region's own, recorded
    for (const a of all) expect(a.suppressedBy).toBe(win.id);
    const [inc] = w.manager.list();
    expect(inc!.suppressedBy).toBe(win.id);
    expect(w.manager.list()).toHaveLength(1);
    // The window ends with the agents still down: the region is failed, the alerts page.
    w.clock.advance(3_600_000);
    expect(w.fleet.region(REGION)!.status).toBe('failed');
    for (const a of w.alerts.openAlerts()) expect(a.suppressedBy).toBeNull();
    expect(w.manager.get(inc!.id)!.suppressedBy).toBeNull();
  });

  it('incidents come back from the incident log after a restart', async () => {
    w = await world();
    const agents = w.connect(REGION, 8);
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(1_000);
      w.down(id);
    }
    const [before] = w.manager.list();
    w.manager.acknowledge(before!.id, 'alice', 'looking');
    w.manager.comment(before!.id, 'carrier fault in Tokyo', 'alice');
    const saved = w.saved();
    const snapshot = JSON.parse(JSON.stringify(w.manager.get(before!.id))) as typeof before;
    await w.close();
    const { dir, clock, ids } = w;
    w = await world({ dir, clock, ids, restore: saved });
    expect(w.manager.list()).toHaveLength(1);
    expect(w.manager.get(before!.id)).toEqual(snapshot);
    expect(w.manager.list({ text: 'carrier' }).map((i) => i.id)).toEqual([before!.id]);
    expect(w.manager.list({ agentId: agents[3] }).map((i) => i.id)).toEqual([before!.id]);
  });

  it('resolving an offline agent by hand while it is down: resolved under a silence with an end; it fires again after', async () => {
    w = await world();
    const agents = w.connect('us-west-2', 10);
    w.down(agents[0]!);
    const alert = w.open('agent_offline')[0]!;
    const { silence } = w.services.resolver.alert(alert.id, 'alice', 'known, rebuilding');
    expect(alert).toMatchObject({ state: 'resolved', resolvedBy: 'alice' });
    expect(silence).toMatchObject({
      state: 'active',
      createdBy: 'alice',
      endsAt: w.clock.now() + 60 * 60_000,
      fromAlertId: alert.id,
    });
    w.clock.advance(59 * 60_000);
    expect(w.open('agent_offline')).toHaveLength(0);
    w.clock.advance(60_000);
    const again = w.open('agent_offline');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ state: 'firing', suppressedBy: null });
    expect(again[0]!.subject.agentId).toBe(agents[0]);
  });

  it('resolving a threshold alert by hand makes no silence (its next sample decides)', async () => {
    w = await world();
    const [id] = w.connect('us-west-2', 1) as [string];
    const agent = w.fleet.agent(id)!;
    w.evaluator.onSample(agent, { name: 'cpu_usage', value: 99, ts: w.clock.now() }, 0, 0);
    const alert = w.open('cpu_usage')[0]!;
    const out = w.services.resolver.alert(alert.id, 'alice');
    expect(out.silence).toBeUndefined();
    expect(w.services.silences.list()).toHaveLength(0);
  });
});

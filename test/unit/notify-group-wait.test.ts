// Group wait (Alertmanager's group_wait): a new incident is held `groupWaitMs` before its first
// page, so the offline alerts that fire before a region crosses its quorum are paged as the
// region's incident, once. The real fleet, alert book, evaluator and incident manager (the
// acceptance world) feed the real notifier, which pages a real HTTP receiver and the desktop
// channel; the clock is a ManualClock.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock.js';
import { DEFAULT_NOTIFY_OPTIONS, type NotifyOptions } from '../../electron/core/notify/defaults.js';
import { waitFor } from '../helpers/core.js';
import { incident, notifyRig, startReceiver, type Receiver } from '../helpers/notify.js';
import { world, type World } from './support/incident-fixture.js';

const REGION = 'ap-northeast-1';
const MIN = 60_000;

let w: World | null = null;
const receivers: Receiver[] = [];
afterEach(async () => {
  await w?.close();
  await w?.remove();
  w = null;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** The acceptance world with a notifier on its events: webhook + desktop paged at once. */
async function pagedWorld(options: Partial<NotifyOptions> = {}) {
  w = await world();
  const hook = await startReceiver();
  receivers.push(hook);
  const rig = await notifyRig(w.clock, {
    events: w.events,
    options: { groupWaitMs: DEFAULT_NOTIFY_OPTIONS.groupWaitMs, ...options },
  });
  await rig.notifier.addChannel({ kind: 'webhook', id: 'hook', name: 'Hook', url: hook.url });
  await rig.notifier.replacePolicy('default', {
    name: 'criticals',
    match: { severities: ['critical'] },
    steps: [
      { afterMs: 0, channelIds: ['desktop', 'hook'] },
      { afterMs: 5 * MIN, channelIds: ['desktop'] },
    ],
    repeatAfterMs: null,
  });
  return { world: w, rig, hook };
}

const pages = (rig: Awaited<ReturnType<typeof notifyRig>>) =>
  rig.desktop.filter((n) => n.kind === 'page');

describe('group wait', () => {
  it('a 75 % region outage, agents going offline one by one: exactly one notification per channel', async () => {
    const { world: w, rig, hook } = await pagedWorld();
    const agents = w.connect(REGION, 8);
    // One every half second: the whole outage inside the (default) wait.
    for (const id of agents.slice(0, 6)) {
      w.clock.advance(500);
      w.down(id);
    }
    // Still within the wait: nothing paged yet.
    await rig.notifier.idle();
    expect(pages(rig)).toEqual([]);
    expect(hook.received).toEqual([]);
    w.clock.advance(10_000);
    await waitFor(() => hook.received.length === 1, undefined, 'the page');
    w.clock.advance(2 * MIN);
    await rig.notifier.idle();
    const [inc] = w.manager.list();
    expect(w.manager.list()).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    const body = hook.received[0]!.json as { incident: { id: string; title: string } };
    expect(body.incident).toMatchObject({ id: inc!.id, title: inc!.title });
    expect(inc!.grouping).toBe('region_cause');
    expect(pages(rig)).toHaveLength(1);
    expect(pages(rig)[0]!.title).toContain(inc!.title);
    // Escalation keeps the incident's own clock: 5:00 after it opened, not after the wait.
    const opened = inc!.openedAt;
    w.clock.advance(opened + 5 * MIN - 1 - w.clock.now());
    expect(rig.desktop.filter((n) => n.kind === 'escalation')).toEqual([]);
    w.clock.advance(1);
    expect(rig.desktop.filter((n) => n.kind === 'escalation')).toHaveLength(1);
  });
});

describe('what the wait ends in', () => {
  const WAIT = 10_000;
  async function heldRig() {
    const clock = new ManualClock();
    const rig = await notifyRig(clock, { options: { groupWaitMs: WAIT } });
    return { clock, rig };
  }
  const open = { state: 'open' as const, severity: 'critical' as const };

  it('opened and left alone: one page when the wait ends, with what joined meanwhile', async () => {
    const { clock, rig } = await heldRig();
    const inc = incident();
    rig.emit(inc, 'opened');
    expect(rig.escalation.get('inc-1')).toEqual({ step: null, nextAt: clock.now() + WAIT });
    clock.advance(WAIT - 1);
    expect(rig.desktop).toEqual([]);
    const grown = {
      ...inc,
      title: 'grown',
      alerts: [...inc.alerts, { ...inc.alerts[0]!, alertId: 'alr-2' }],
    };
    rig.emit(grown, 'alert_joined', open);
    clock.advance(1);
    expect(rig.desktop.map((n) => [n.kind, n.alertCount])).toEqual([['page', 2]]);
    expect(rig.desktop[0]!.title).toContain('grown');
  });

  it('a severity rise during the wait pages once, at its end, at the new severity', async () => {
    const { clock, rig } = await heldRig();
    await rig.notifier.addPolicy({
      id: 'warnings',
      name: 'warnings',
      match: { severities: ['warning'] },
      steps: [{ afterMs: 0, channelIds: ['desktop'] }],
      repeatAfterMs: null,
    });
    const warn = incident({ severity: 'warning' });
    rig.emit(warn, 'opened');
    expect(rig.escalation.get('inc-1')).toEqual({ step: null, nextAt: clock.now() + WAIT });
    // An info incident no policy pages says no first page is due.
    rig.emit(incident({ id: 'inc-i', severity: 'info' }), 'opened');
    expect(rig.escalation.get('inc-i')).toEqual({ step: null, nextAt: null });
    clock.advance(3_000);
    rig.emit({ ...warn, severity: 'critical' }, 'severity', { state: 'open', severity: 'warning' });
    expect(rig.desktop).toEqual([]);
    clock.advance(WAIT);
    expect(rig.desktop.map((n) => `${n.kind}:${n.title.split(' ')[0]}`)).toEqual(['page:CRITICAL']);
  });

  it('suppressed, acknowledged or resolved during the wait: never paged', async () => {
    const { clock, rig } = await heldRig();
    rig.emit(incident({ id: 'inc-s' }), 'opened');
    rig.emit(incident({ id: 'inc-a' }), 'opened');
    rig.emit(incident({ id: 'inc-r' }), 'opened');
    clock.advance(2_000);
    rig.emit(incident({ id: 'inc-s', suppressedBy: 'silence sil-1' }), 'updated', open);
    rig.emit(incident({ id: 'inc-a', state: 'acknowledged' }), 'state', open);
    rig.emit(incident({ id: 'inc-r', state: 'resolved', resolvedAt: clock.now() }), 'state', open);
    clock.advance(30 * MIN);
    await rig.notifier.idle();
    expect(rig.desktop).toEqual([]);
    expect(rig.escalation.get('inc-r')).toEqual({ step: null, nextAt: null });
    expect(rig.timeline.get('inc-s')!.map((e) => e.kind)).toEqual(['silenced']);
  });

  it('an incident whose every alert became an effect of a cause elsewhere is not paged', async () => {
    const { clock, rig } = await heldRig();
    const inc = incident({ grouping: 'same_region', causeAlertId: null });
    rig.emit(inc, 'opened');
    clock.advance(1_000);
    const effects = { ...inc, alerts: inc.alerts.map((a) => ({ ...a, effect: true })) };
    rig.emit(effects, 'updated', open);
    clock.advance(30 * MIN);
    expect(rig.desktop).toEqual([]);
  });
});

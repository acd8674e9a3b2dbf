// Alertmanager-style timelines: incident events and clock steps in, notifications out at
// exactly the expected times. Channels are the in-process desktop sink and real HTTP
// receivers on loopback; the clock is a ManualClock.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock.js';
import {
  incident,
  notifyRig,
  startReceiver,
  withAlerts,
  type Receiver,
} from '../helpers/notify.js';
import { waitFor } from '../helpers/core.js';

const MIN = 60_000;
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

describe('escalation timelines', () => {
  it('an incident opened → one notification per channel; 3 more alerts → no new page, the count updates', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const [a, b] = [await receiver(), await receiver()];
    await rig.notifier.addChannel({ kind: 'webhook', id: 'hook-a', name: 'A', url: a.url });
    await rig.notifier.addChannel({ kind: 'slack', id: 'hook-b', name: 'B', url: b.url });
    await rig.notifier.replacePolicy('default', {
      name: 'criticals',
      match: { severities: ['critical'] },
      steps: [{ afterMs: 0, channelIds: ['desktop', 'hook-a', 'hook-b'] }],
      repeatAfterMs: null,
    });
    let inc = incident();
    rig.emit(inc, 'opened');
    await rig.notifier.idle();
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(1);
    expect(rig.desktop).toHaveLength(1);
    expect(rig.desktop[0]!.title).toContain(inc.title);
    expect(rig.desktop[0]!.silent).toBe(false);

    for (let k = 0; k < 3; k++) {
      const prev = inc;
      inc = withAlerts(inc, 1);
      rig.emit(inc, 'alert_joined', { state: prev.state, severity: prev.severity });
    }
    clock.advance(2_000);
    await rig.notifier.idle();
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(1);
    // One quiet update for the three, naming the new count, on the same tag.
    expect(rig.desktop).toHaveLength(2);
    expect(rig.desktop[1]).toMatchObject({ silent: true, alertCount: 4, tag: rig.desktop[0]!.tag });
    const notified = rig.timeline.get(inc.id)!.filter((e) => e.kind === 'notified');
    expect(notified.map((e) => e.channelId).sort()).toEqual(['desktop', 'hook-a', 'hook-b']);
    expect(notified.every((e) => e.ok === true && typeof e.latencyMs === 'number')).toBe(true);
  });

  it('an unacknowledged critical escalates at exactly 5:00 to the next step, and repeats', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    await rig.notifier.addChannel({ kind: 'desktop', id: 'lead', name: 'Team lead desktop' });
    await rig.notifier.replacePolicy('default', {
      name: 'criticals',
      match: { severities: ['critical'] },
      steps: [
        { afterMs: 0, channelIds: ['desktop'] },
        { afterMs: 5 * MIN, channelIds: ['lead'] },
      ],
      repeatAfterMs: 5 * MIN,
    });
    const seen: string[] = [];
    rig.notifier.desktop.on((n) =>
      seen.push(`${n.kind}@${(clock.now() - 1_700_000_000_000) / 1000}`),
    );
    const opened = clock.now();
    rig.emit(incident({ openedAt: opened }), 'opened');
    expect(rig.escalation.get('inc-1')).toEqual({ step: 0, nextAt: opened + 5 * MIN });
    // The console can say who is next: "escalates to lead in 5:00".
    expect(rig.escalationTo.get('inc-1')).toEqual(['lead']);
    clock.advance(5 * MIN - 1);
    expect(seen).toEqual(['page@0']);
    clock.advance(1);
    expect(seen).toEqual(['page@0', 'escalation@300']);
    expect(rig.escalation.get('inc-1')).toEqual({ step: 1, nextAt: opened + 10 * MIN });
    expect(rig.escalationTo.get('inc-1')).toEqual(['desktop']);
    clock.advance(10 * MIN);
    expect(seen).toEqual(['page@0', 'escalation@300', 'escalation@600', 'escalation@900']);
    await rig.notifier.idle();
    const escalated = rig.timeline.get('inc-1')!.filter((e) => e.kind === 'escalated');
    expect(escalated.map((e) => e.at - opened)).toEqual([5 * MIN, 10 * MIN, 15 * MIN]);
    expect(escalated[0]!.text).toContain('notifying lead');
  });

  it('the default policy: a critical not acknowledged within 5 minutes escalates', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    rig.emit(incident(), 'opened');
    clock.advance(5 * MIN - 1);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page']);
    clock.advance(1);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page', 'escalation']);
    // A warning is not paged by the default policy.
    rig.emit(incident({ id: 'inc-2', severity: 'warning' }), 'opened');
    clock.advance(30 * MIN);
    expect(rig.desktop.filter((n) => n.incidentId === 'inc-2')).toEqual([]);
  });

  it('an ack stops escalation; a re-fire restarts it from step 1', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const inc = incident();
    rig.emit(inc, 'opened');
    clock.advance(2 * MIN);
    const acked = { ...inc, state: 'acknowledged' as const, acknowledgedAt: clock.now() };
    rig.emit(acked, 'state', { state: 'open', severity: 'critical' });
    expect(rig.escalation.get('inc-1')).toEqual({ step: 0, nextAt: null });
    clock.advance(60 * MIN);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page']);
    // Fires again: a page at once, and the next escalation 5 min after it.
    rig.emit({ ...inc, state: 'open' }, 'state', { state: 'acknowledged', severity: 'critical' });
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page', 'page']);
    const restarted = clock.now();
    expect(rig.escalation.get('inc-1')).toEqual({ step: 0, nextAt: restarted + 5 * MIN });
    clock.advance(5 * MIN);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page', 'page', 'escalation']);
    const kinds = rig.timeline.get('inc-1')!.map((e) => e.kind);
    expect(kinds).toContain('escalated');
  });

  it('a severity rise restarts escalation: the new severity pages at once, its timer starts over', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    await rig.notifier.addPolicy({
      id: 'warnings',
      name: 'warnings, slowly',
      match: { severities: ['warning'] },
      steps: [{ afterMs: 0, channelIds: ['desktop'] }],
      repeatAfterMs: null,
    });
    const warn = incident({ severity: 'warning' });
    rig.emit(warn, 'opened');
    clock.advance(4 * MIN);
    rig.emit({ ...warn, severity: 'critical' }, 'severity', { state: 'open', severity: 'warning' });
    expect(rig.desktop.map((n) => `${n.kind}:${n.title.split(' ')[0]}`)).toEqual([
      'page:WARNING',
      'page:CRITICAL',
    ]);
    const rose = clock.now();
    expect(rig.escalation.get('inc-1')).toEqual({ step: 0, nextAt: rose + 5 * MIN });
    clock.advance(5 * MIN - 1);
    expect(rig.desktop).toHaveLength(2);
    clock.advance(1);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['page', 'page', 'escalation']);
    expect(rig.timeline.get('inc-1')!.some((e) => e.text.startsWith('severity rose'))).toBe(true);
  });

  it('a suppressed incident is never notified but gets a timeline entry; pages once the silence ends', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const hook = await receiver();
    await rig.notifier.addChannel({ kind: 'webhook', id: 'hook', name: 'Hook', url: hook.url });
    await rig.notifier.replacePolicy('default', {
      name: 'criticals',
      match: { severities: ['critical'] },
      steps: [{ afterMs: 0, channelIds: ['desktop', 'hook'] }],
    });
    const silenced = incident({ suppressedBy: 'silence sil-1' });
    rig.emit(silenced, 'opened');
    rig.emit(withAlerts(silenced, 5), 'alert_joined', { state: 'open', severity: 'critical' });
    clock.advance(30 * MIN);
    await rig.notifier.idle();
    expect(rig.desktop).toEqual([]);
    expect(hook.received).toEqual([]);
    const entries = rig.timeline.get('inc-1')!;
    expect(entries.map((e) => e.kind)).toEqual(['silenced']);
    expect(entries[0]!.text).toContain('sil-1');
    // The silence expires: now it pages.
    rig.emit({ ...silenced, suppressedBy: null }, 'updated', {
      state: 'open',
      severity: 'critical',
    });
    await rig.notifier.idle();
    expect(rig.desktop).toHaveLength(1);
    await waitFor(() => hook.received.length === 1, undefined, 'the page after the silence');
  });

  it('a resolved incident tells the channels that were paged (sendResolved) and stops', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const hook = await receiver();
    await rig.notifier.addChannel({ kind: 'alertmanager', id: 'am', name: 'AM', url: hook.url });
    await rig.notifier.replacePolicy('default', {
      name: 'criticals',
      steps: [{ afterMs: 0, channelIds: ['am'] }],
    });
    const inc = incident();
    rig.emit(inc, 'opened');
    clock.advance(MIN);
    rig.emit({ ...inc, state: 'resolved', resolvedAt: clock.now() }, 'state', { state: 'open' });
    await rig.notifier.idle();
    expect(hook.received.map((r) => (r.json as { status: string }).status)).toEqual([
      'firing',
      'resolved',
    ]);
    clock.advance(60 * MIN);
    await rig.notifier.idle();
    expect(hook.received).toHaveLength(2);
  });

  it('escalateNow (a recovery failed): the next step runs at once with the reason and output, and the policy carries on from there', async () => {
    const clock = new ManualClock();
    const incidents = new Map<string, ReturnType<typeof incident>>();
    const rig = await notifyRig(clock, { incident: (id) => incidents.get(id) });
    const hook = await receiver();
    await rig.notifier.addChannel({
      kind: 'webhook',
      id: 'oncall',
      name: 'On call',
      url: hook.url,
    });
    await rig.notifier.replacePolicy('default', {
      name: 'criticals',
      match: { severities: ['critical'] },
      steps: [
        { afterMs: 0, channelIds: ['desktop'] },
        { afterMs: 5 * MIN, channelIds: ['oncall'] },
      ],
      repeatAfterMs: null,
    });
    const inc = incident({ openedAt: clock.now() });
    incidents.set(inc.id, inc);
    rig.emit(inc, 'opened');
    clock.advance(MIN);
    expect(rig.notifier.escalateNow('inc-1', 'recovery Free disk failed', 'removed 0 files')).toBe(
      true,
    );
    await rig.notifier.idle();
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.json).toMatchObject({
      kind: 'escalation',
      step: 1,
      note: { text: 'recovery Free disk failed', output: 'removed 0 files' },
    });
    const entry = rig.timeline
      .get('inc-1')!
      .filter((e) => e.kind === 'escalated')
      .at(-1)!;
    expect(entry.text).toBe('recovery Free disk failed: step 2 of criticals, notifying oncall');
    expect(entry.output).toBe('removed 0 files');
    // Its step 2 ran: the one due at 5:00 does not page again.
    clock.advance(10 * MIN);
    await rig.notifier.idle();
    expect(hook.received).toHaveLength(1);
    // Past the last step, a second failure pages the last step again (a new round).
    expect(rig.notifier.escalateNow('inc-1', 'recovery failed again')).toBe(true);
    await rig.notifier.idle();
    expect(hook.received).toHaveLength(2);
  });

  it('escalateNow cuts a group wait short, pages an acknowledged incident once, and never a resolved one', async () => {
    const clock = new ManualClock();
    const incidents = new Map<string, ReturnType<typeof incident>>();
    const rig = await notifyRig(clock, {
      incident: (id) => incidents.get(id),
      options: { groupWaitMs: 30_000 },
    });
    const held = incident({ openedAt: clock.now() });
    incidents.set(held.id, held);
    rig.emit(held, 'opened');
    expect(rig.desktop).toHaveLength(0);
    expect(rig.notifier.escalateNow('inc-1', 'recovery failed')).toBe(true);
    expect(rig.desktop.map((n) => n.kind)).toEqual(['escalation']);
    clock.advance(30_000);
    expect(rig.desktop).toHaveLength(1);

    const acked = incident({ id: 'inc-2', state: 'acknowledged', openedAt: clock.now() });
    incidents.set(acked.id, acked);
    expect(rig.notifier.escalateNow('inc-2', 'recovery failed')).toBe(true);
    expect(rig.desktop.filter((n) => n.incidentId === 'inc-2')).toHaveLength(1);
    clock.advance(60 * MIN);
    expect(rig.desktop.filter((n) => n.incidentId === 'inc-2')).toHaveLength(1);

    const done = incident({ id: 'inc-3', state: 'resolved', resolvedAt: clock.now() });
    incidents.set(done.id, done);
    expect(rig.notifier.escalateNow('inc-3', 'recovery failed')).toBe(false);
    expect(rig.notifier.escalateNow('no-such', 'recovery failed')).toBe(false);
  });
});

// Each channel against a real receiver: HTTP servers and an SMTP server (smtp-server) on
// loopback ephemeral ports. Retries run on a ManualClock; the network is real.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../shared/notify.js';
import { ManualClock } from '../../electron/core/clock.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { ConsoleAlerts } from '../../electron/core/console-alerts.js';
import { verifySignature } from '../../electron/core/notify/signature.js';
import { CHANNEL_FAILING_RULE } from '../../electron/core/notify/record.js';
import { waitFor } from '../helpers/core.js';
import {
  incident,
  notifyRig,
  startReceiver,
  startSmtp,
  withAlerts,
  type NotifyRig,
  type Receiver,
} from '../helpers/notify.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  closers.push(() => r.close());
  return r;
}

/** A policy paging `channelIds` at once, nothing after. */
async function pageOnly(rig: NotifyRig, channelIds: string[]): Promise<void> {
  await rig.notifier.replacePolicy('default', {
    name: 'page once',
    steps: [{ afterMs: 0, channelIds }],
    repeatAfterMs: null,
  });
}

describe('webhook channels', () => {
  it('signs the body: the receiver verifies X-Meridian-Signature with the shared secret', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const hook = await receiver();
    const secret = 'a-long-shared-secret';
    await rig.notifier.addChannel({
      kind: 'webhook',
      id: 'ops',
      name: 'Ops',
      url: hook.url,
      secret,
    });
    await pageOnly(rig, ['ops']);
    rig.emit(withAlerts(incident(), 2), 'opened');
    const [got] = await waitFor(
      () => hook.received.length === 1 && hook.received,
      undefined,
      'the webhook',
    );
    const ts = got!.headers[TIMESTAMP_HEADER.toLowerCase()] as string;
    const sig = got!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    // What a receiver does, from docs/notifications.md alone: HMAC-SHA256 of "<timestamp>.<body>".
    const expected = createHmac('sha256', secret).update(`${ts}.${got!.body}`).digest('hex');
    expect(sig).toBe(`sha256=${expected}`);
    expect(Number(ts)).toBe(Math.floor(clock.now() / 1000));
    expect(verifySignature(secret, got!.body, ts, sig, clock.now())).toBe(true);
    // A changed body, another key or a stale timestamp do not verify.
    expect(
      verifySignature(secret, got!.body.replace('critical', 'info'), ts, sig, clock.now()),
    ).toBe(false);
    expect(verifySignature('another-secret-key', got!.body, ts, sig, clock.now())).toBe(false);
    expect(verifySignature(secret, got!.body, ts, sig, clock.now() + 10 * 60_000)).toBe(false);
    expect(got!.json).toMatchObject({
      version: 'meridian.notify/1',
      kind: 'page',
      step: 0,
      incident: { id: 'inc-1', severity: 'critical', state: 'open', alertCount: 3 },
    });
  });

  it('sends Alertmanager version 4 payloads: firing, then resolved', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const hook = await receiver();
    await rig.notifier.addChannel({
      kind: 'alertmanager',
      id: 'am',
      name: 'am-receiver',
      url: hook.url,
    });
    await pageOnly(rig, ['am']);
    const inc = withAlerts(incident(), 2);
    rig.emit(inc, 'opened');
    await waitFor(() => hook.received.length === 1, undefined, 'the firing payload');
    const firing = hook.received[0]!.json as Record<string, unknown>;
    expect(firing).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'am-receiver',
      groupKey: '{}:{incident="inc-1"}',
      truncatedAlerts: 0,
      groupLabels: { incident: 'inc-1' },
      commonLabels: { incident: 'inc-1', region: 'ap-northeast-1', severity: 'critical' },
      commonAnnotations: { summary: inc.title },
    });
    const alerts = firing.alerts as Record<string, unknown>[];
    expect(alerts).toHaveLength(3);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'region_status', alert_id: 'alr-1', incident: 'inc-1' },
      endsAt: '0001-01-01T00:00:00Z',
    });
    expect(alerts[1]!.labels).toMatchObject({ alertname: 'agent_offline', effect: 'true' });
    for (const a of alerts) {
      expect(Date.parse(a.startsAt as string)).not.toBeNaN();
      expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }
    clock.advance(60_000);
    rig.emit({ ...inc, state: 'resolved', resolvedAt: clock.now() }, 'state', { state: 'open' });
    await waitFor(() => hook.received.length === 2, undefined, 'the resolved payload');
    const resolved = hook.received[1]!.json as { status: string; alerts: { endsAt: string }[] };
    expect(resolved.status).toBe('resolved');
    expect(resolved.alerts[0]!.endsAt).toBe(new Date(clock.now()).toISOString());
  });

  it('sends Slack incoming-webhook bodies ({text, blocks}) with mrkdwn escaped', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    const hook = await receiver();
    await rig.notifier.addChannel({ kind: 'slack', id: 'chat', name: 'Chat', url: hook.url });
    await pageOnly(rig, ['chat']);
    rig.emit(incident({ title: 'disk <full> on db-1 & db-2' }), 'opened');
    await waitFor(() => hook.received.length === 1, undefined, 'the slack message');
    const body = hook.received[0]!.json as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(body.text).toBe('[CRITICAL] disk <full> on db-1 & db-2');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[1]!.text!.text).toContain('disk &lt;full&gt; on db-1 &amp; db-2');
  });

  it('a receiver answering 500 is retried with exponential backoff, then the failure is recorded; N failed messages raise a console alert', async () => {
    const clock = new ManualClock();
    const events = new CoreEvents();
    const book = new AlertBook({ clock, ids: counterIds(), events, maxResolved: 100 });
    const rig = await notifyRig(clock, {
      consoleAlerts: new ConsoleAlerts(book),
      options: { maxAttempts: 4, backoffMs: 1_000, maxBackoffMs: 30_000, failingAfter: 2 },
    });
    const hook = await receiver();
    hook.status = () => 500;
    await rig.notifier.addChannel({ kind: 'webhook', id: 'flaky', name: 'Flaky', url: hook.url });
    await pageOnly(rig, ['flaky']);
    const t0 = clock.now();
    rig.emit(incident(), 'opened');
    // Each retry waits on the clock: 1 s, 2 s, 4 s after the failures before it.
    for (const [n, wait] of [
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
    ] as const) {
      await waitFor(
        () => rig.notifier.deliveries({ limit: 10 }).length === n,
        undefined,
        `attempt ${n}`,
      );
      const last = rig.notifier.deliveries({ limit: 1 })[0]!;
      expect(last).toMatchObject({
        attempt: n,
        ok: false,
        status: 500,
        retryAt: clock.now() + wait,
      });
      // The retry waits on the clock (idle() would wait for it too): not yet sent.
      clock.advance(wait - 1);
      expect(hook.received).toHaveLength(n);
      clock.advance(1);
    }
    await waitFor(
      () => rig.notifier.deliveries({ limit: 10 }).length === 4,
      undefined,
      'attempt 4',
    );
    const final = rig.notifier.deliveries({ limit: 1 })[0]!;
    expect(final).toMatchObject({
      attempt: 4,
      ok: false,
      retryAt: null,
      error: expect.stringContaining('HTTP 500'),
    });
    expect(clock.now() - t0).toBe(7_000);
    const failed = rig.timeline.get('inc-1')!.filter((e) => e.kind === 'notify_failed');
    expect(failed).toHaveLength(4);
    expect(rig.notifier.channel('flaky').consecutiveFailures).toBe(1);
    expect(book.openAlerts().filter((a) => a.ruleId === CHANNEL_FAILING_RULE)).toEqual([]);

    // A second failed message reaches failingAfter (2): the channel's own alert.
    rig.emit(incident({ id: 'inc-2' }), 'opened');
    for (const wait of [1_000, 2_000, 4_000]) {
      const before = hook.received.length;
      await waitFor(
        () => rig.notifier.deliveries({ limit: 100, incidentId: 'inc-2' }).length === before - 3,
        undefined,
        'a retry',
      );
      clock.advance(wait);
    }
    await waitFor(
      () => book.openAlerts().find((a) => a.ruleId === CHANNEL_FAILING_RULE),
      undefined,
      'the failing-channel alert',
    );
    const alert = book.openAlerts().find((a) => a.ruleId === CHANNEL_FAILING_RULE)!;
    expect(alert.message).toContain('Flaky');
    expect(alert.message).toContain('HTTP 500');
    expect(
      await rig.registry.getSingleMetricAsString('meridian_notify_channels_failing'),
    ).toContain('meridian_notify_channels_failing 1');

    // The receiver recovers: a test send succeeds and the alert resolves by itself.
    hook.status = () => 200;
    const test = await rig.notifier.testChannel('flaky');
    expect(test.ok).toBe(true);
    expect(book.openAlerts().filter((a) => a.ruleId === CHANNEL_FAILING_RULE)).toEqual([]);
  });

  it('a 4xx is not retried; a dead port and a receiver that never answers are retryable errors', async () => {
    const clock = new ManualClock();
    const rig = await notifyRig(clock, { options: { maxAttempts: 2, timeoutMs: 300 } });
    const hook = await receiver();
    hook.status = () => 404;
    await rig.notifier.addChannel({ kind: 'webhook', id: 'gone', name: 'Gone', url: hook.url });
    expect(await rig.notifier.testChannel('gone')).toMatchObject({
      ok: false,
      status: 404,
      retryAt: null,
    });

    const dead = await receiver();
    await dead.close();
    await rig.notifier.addChannel({ kind: 'webhook', id: 'dead', name: 'Dead', url: dead.url });
    const refused = await rig.notifier.testChannel('dead');
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toMatch(/ECONNREFUSED/);

    // Accepts the connection, never answers: the timeout ends the attempt.
    const { createServer } = await import('node:net');
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    await rig.notifier.addChannel({
      kind: 'webhook',
      id: 'mute',
      name: 'Mute',
      url: `http://127.0.0.1:${port}/`,
    });
    const timedOut = await rig.notifier.testChannel('mute');
    expect(timedOut).toMatchObject({ ok: false, status: null, error: 'no answer within 300 ms' });
  });
});

describe('email over SMTP (real smtp-server)', () => {
  it('a page is accepted by the SMTP server, subject naming the incident', async () => {
    const smtp = await startSmtp();
    closers.push(() => smtp.close());
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    await rig.notifier.addChannel({
      kind: 'email',
      id: 'oncall',
      name: 'On-call mail',
      host: '127.0.0.1',
      port: smtp.port,
      from: 'meridian@example.test',
      to: ['oncall@example.test', 'lead@example.test'],
    });
    await pageOnly(rig, ['oncall']);
    rig.emit(incident({ title: 'eu-west-1 degraded' }), 'opened');
    await waitFor(() => smtp.mails.length === 1, undefined, 'the mail');
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe('[CRITICAL] eu-west-1 degraded');
    expect(mail.to).toEqual(['oncall@example.test', 'lead@example.test']);
    expect(mail.raw).toContain('X-Meridian-Incident: inc-1');
    await rig.notifier.idle();
    expect(rig.notifier.deliveries({ limit: 1 })[0]).toMatchObject({
      ok: true,
      status: 250,
      channelKind: 'email',
    });
  });

  it('a 4xx SMTP reply is retried, a 5xx is not', async () => {
    const smtp = await startSmtp({
      reject: (n) => (n === 1 ? { code: 451, message: 'try again later' } : null),
    });
    closers.push(() => smtp.close());
    const clock = new ManualClock();
    const rig = await notifyRig(clock);
    await rig.notifier.addChannel({
      kind: 'email',
      id: 'mail',
      name: 'Mail',
      host: '127.0.0.1',
      port: smtp.port,
      from: 'meridian@example.test',
      to: ['oncall@example.test'],
    });
    await pageOnly(rig, ['mail']);
    rig.emit(incident(), 'opened');
    await waitFor(
      () => rig.notifier.deliveries({ limit: 5 }).length === 1,
      undefined,
      'the first try',
    );
    expect(rig.notifier.deliveries({ limit: 1 })[0]).toMatchObject({ ok: false, status: 451 });
    clock.advance(1_000);
    await waitFor(() => smtp.mails.length === 1, undefined, 'the retried mail');

    const hard = await startSmtp({ reject: () => ({ code: 550, message: 'no such mailbox' }) });
    closers.push(() => hard.close());
    await rig.notifier.replaceChannel('mail', {
      kind: 'email',
      name: 'Mail',
      host: '127.0.0.1',
      port: hard.port,
      from: 'meridian@example.test',
      to: ['nobody@example.test'],
    });
    const result = await rig.notifier.testChannel('mail');
    expect(result).toMatchObject({ ok: false, status: 550, retryAt: null });
  });
});

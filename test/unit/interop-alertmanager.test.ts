// The Alertmanager payload and the forwarder's cadence, queue and backoff. Time is a
// ManualClock (a fake clock); the HTTP side is a recording poster (a fake standing in for the
// real POST, which test/integration/alertmanager-forward.test.ts makes to a real Alertmanager).
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { Alert } from '../../shared/model.js';
import { silentLogger } from '../../electron/core/logger.js';
import {
  firingEndsAt,
  postableAlert,
  type PostableAlert,
} from '../../electron/core/interop/alertmanager-payload.js';
import {
  AlertmanagerForwarder,
  DEFAULT_FORWARDER_OPTIONS,
  type ForwarderOptions,
} from '../../electron/core/interop/alertmanager-forwarder.js';
import { backoffMs, type PostResult } from '../../electron/core/interop/alertmanager-target.js';

const T0 = 1_700_000_000_000;
const iso = (ms: number) => new Date(ms).toISOString();

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'alt-1',
    ruleId: 'cpu_usage',
    subjectKey: 'agt-1',
    subject: { kind: 'agent', regionId: 'eu-west-1', agentId: 'agt-1' },
    severity: 'critical',
    state: 'firing',
    message: 'CPU usage above 95% on web-1',
    metric: 'cpu_usage',
    value: 97,
    threshold: 95,
    lastValue: 97,
    sampleArrivedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    resolvedAt: null,
    resolvedBy: null,
    history: [{ at: T0, from: null, to: 'firing', by: 'rule' }],
    incidentId: 'inc-9',
    ...over,
  };
}

const agent = (id: string) =>
  id === 'agt-1' ? { hostname: 'web-1', regionId: 'eu-west-1' } : undefined;

describe('the Alertmanager payload', () => {
  const ctx = {
    now: T0 + 5_000,
    resendDelayMs: 60_000,
    consoleUrl: 'http://127.0.0.1:4780',
    agent,
  };

  it('maps a firing alert to Alertmanager’s labels, annotations and times', () => {
    const p = postableAlert(alert({ labels: { src_ip: '10.0.0.9', 'mitre.id': 'T1110' } }), ctx);
    expect(p).toEqual<PostableAlert>({
      labels: {
        alertname: 'cpu_usage',
        severity: 'critical',
        alert_id: 'alt-1',
        agent: 'agt-1',
        hostname: 'web-1',
        region: 'eu-west-1',
        metric: 'cpu_usage',
        incident: 'inc-9',
        src_ip: '10.0.0.9',
        mitre_id: 'T1110',
      },
      annotations: {
        summary: 'CPU usage above 95% on web-1',
        description: 'CPU usage above 95% on web-1: cpu_usage = 97 (threshold 95)',
      },
      startsAt: iso(T0),
      // As Prometheus: 4 resend delays after the post.
      endsAt: iso(T0 + 5_000 + 240_000),
      generatorURL: 'http://127.0.0.1:4780/#/alerts/alt-1',
    });
  });

  it('a resolved alert ends at its resolve time; the alert’s own labels never replace ours', () => {
    const p = postableAlert(
      alert({
        state: 'resolved',
        resolvedAt: T0 + 3_000,
        labels: { severity: 'low', alertname: 'x' },
      }),
      ctx,
    );
    expect(p.endsAt).toBe(iso(T0 + 3_000));
    expect(p.labels).toMatchObject({ severity: 'critical', alertname: 'cpu_usage' });
  });

  it('startsAt is when it began firing (after a pending time), not when it became pending', () => {
    const a = alert({
      createdAt: T0,
      history: [
        { at: T0, from: null, to: 'pending', by: 'rule' },
        { at: T0 + 30_000, from: 'pending', to: 'firing', by: 'rule' },
      ],
    });
    expect(postableAlert(a, ctx).startsAt).toBe(iso(T0 + 30_000));
  });

  it('a region alert has no agent or hostname; no console URL yet means no generatorURL', () => {
    const p = postableAlert(
      alert({
        subject: { kind: 'region', regionId: 'ap-south-1', agentId: null },
        metric: null,
        value: null,
      }),
      { ...ctx, consoleUrl: '' },
    );
    expect(p.labels).not.toHaveProperty('agent');
    expect(p.labels).not.toHaveProperty('hostname');
    expect(p.labels.region).toBe('ap-south-1');
    expect(p.annotations.description).toBe(p.annotations.summary);
    expect(p.generatorURL).toBe('');
  });

  it('endsAt of a firing alert is 4 resend delays out', () => {
    expect(firingEndsAt(1000, 60_000)).toBe(241_000);
  });
});

describe('the forwarder (fake clock, recording poster)', () => {
  interface Post {
    at: number;
    url: string;
    headers: Record<string, string>;
    alerts: PostableAlert[];
  }
  let clock: ManualClock;
  let posts: Post[];
  let answers: PostResult[];
  let registry: Registry;

  beforeEach(() => {
    clock = new ManualClock(T0);
    posts = [];
    answers = [];
    registry = new Registry();
  });

  function forwarder(
    configs = [{ url: 'http://am-1:9093/' }],
    opts: Partial<ForwarderOptions> = {},
  ): AlertmanagerForwarder {
    return new AlertmanagerForwarder(
      configs,
      {
        clock,
        logger: silentLogger,
        registry,
        consoleUrl: () => 'http://127.0.0.1:4780',
        agent,
        post: (url, body, headers) => {
          posts.push({
            at: clock.now(),
            url,
            headers,
            alerts: JSON.parse(body) as PostableAlert[],
          });
          return Promise.resolve(answers.shift() ?? { ok: true, error: null, retryable: false });
        },
      },
      { ...DEFAULT_FORWARDER_OPTIONS, ...opts },
    );
  }

  /** Let timers due now run and the posts' promises settle. */
  async function settle(ms = 0) {
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    clock.advance(0);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  async function metric(name: string): Promise<number> {
    const m = (await registry.getSingleMetric(name)!.get()).values[0];
    return m?.value ?? 0;
  }

  it('posts on firing, every resend delay while open, and 3 times once resolved', async () => {
    const f = forwarder();
    f.start([]);
    const a = alert();
    f.alertChanged(a, 'pending');
    await settle();
    expect(posts.map((p) => p.at)).toEqual([T0]);
    expect(posts[0]!.url).toBe('http://am-1:9093/api/v2/alerts');
    expect(posts[0]!.alerts[0]!.endsAt).toBe(iso(T0 + 240_000));

    await settle(60_000);
    await settle(60_000);
    expect(posts.map((p) => p.at - T0)).toEqual([0, 60_000, 120_000]);
    expect(posts[2]!.alerts[0]!.endsAt).toBe(iso(T0 + 120_000 + 240_000));

    // Acknowledging changes nothing for Alertmanager: still firing, no extra post.
    f.alertChanged({ ...a, state: 'acknowledged' }, 'firing');
    await settle();
    expect(posts).toHaveLength(3);

    clock.advance(10_000);
    Object.assign(a, { state: 'resolved', resolvedAt: clock.now() });
    f.alertChanged(a, 'firing');
    await settle();
    for (let i = 0; i < 5; i++) await settle(60_000);
    const resolvedPosts = posts.slice(3);
    expect(resolvedPosts.map((p) => p.at - T0)).toEqual([130_000, 180_000, 240_000]);
    for (const p of resolvedPosts) expect(p.alerts[0]!.endsAt).toBe(iso(T0 + 130_000));
    expect(await metric('meridian_alertmanager_sent_total')).toBe(6);
    f.stop();
  });

  it('an escalation ends the alert at its old severity and posts it at the new one', async () => {
    const f = forwarder();
    f.start([]);
    const a = alert({ severity: 'warning' });
    f.alertChanged(a, 'pending');
    await settle();
    clock.advance(5_000);
    a.severity = 'critical';
    f.alertChanged(a, 'firing');
    await settle();
    expect(posts).toHaveLength(2);
    const sent = posts[1]!.alerts.map((p) => [p.labels.severity, p.endsAt]);
    expect(sent).toEqual([
      ['warning', iso(T0 + 5_000)],
      ['critical', iso(T0 + 5_000 + 240_000)],
    ]);
    f.stop();
  });

  it('never tells Alertmanager of a pending alert, nor of resolving one it never heard of', async () => {
    const f = forwarder();
    f.start([]);
    f.alertChanged(alert({ state: 'pending' }), null);
    f.alertChanged(alert({ state: 'resolved', resolvedAt: T0 }), 'pending');
    await settle(120_000);
    expect(posts).toEqual([]);
    f.stop();
  });

  it('posts the alerts already open at start, batched; several Alertmanagers each get them', async () => {
    const f = forwarder([{ url: 'http://am-1:9093' }, { url: 'http://am-2:9093' }], {
      batchSize: 2,
    });
    f.start([
      alert({ id: 'a' }),
      alert({ id: 'b' }),
      alert({ id: 'c' }),
      alert({ id: 'd', state: 'pending' }),
    ]);
    await settle();
    await settle();
    const to = (host: string) =>
      posts.filter((p) => p.url.includes(host)).map((p) => p.alerts.map((x) => x.labels.alert_id));
    expect(to('am-1')).toEqual([['a', 'b'], ['c']]);
    expect(to('am-2')).toEqual([['a', 'b'], ['c']]);
    f.stop();
  });

  it('retries a failed post with exponential backoff, then records the success', async () => {
    answers = [
      { ok: false, error: 'ECONNREFUSED', retryable: true },
      { ok: false, error: 'HTTP 503', retryable: true },
      { ok: false, error: 'no answer within 10000 ms', retryable: true },
    ];
    const f = forwarder([{ url: 'http://am-1:9093' }], { resendDelayMs: 3_600_000 });
    f.start([]);
    f.alertChanged(alert(), 'pending');
    await settle();
    expect(f.status()[0]).toMatchObject({
      errors: 1,
      queued: 1,
      retryAt: T0 + 1_000,
      lastError: { at: T0, message: 'ECONNREFUSED' },
    });
    await settle(1_000);
    await settle(2_000);
    await settle(4_000);
    expect(posts.map((p) => p.at - T0)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(f.status()[0]).toMatchObject({
      sent: 1,
      errors: 3,
      dropped: 0,
      queued: 0,
      lastSuccessAt: T0 + 7_000,
      retryAt: null,
    });
    expect(await metric('meridian_alertmanager_errors_total')).toBe(3);
    f.stop();
  });

  it('backoff doubles from 1 s and stops at the maximum', () => {
    const o = { backoffBaseMs: 1_000, backoffMaxMs: 60_000 };
    expect([1, 2, 3, 4, 6, 7, 50].map((n) => backoffMs(n, o))).toEqual([
      1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('a full queue drops its oldest alerts and counts them; a refused batch is dropped', async () => {
    answers = [{ ok: false, error: 'ECONNREFUSED', retryable: true }];
    const f = forwarder([{ url: 'http://am-1:9093' }], { maxQueue: 3, resendDelayMs: 3_600_000 });
    f.start([]);
    f.alertChanged(alert({ id: 'a' }), 'pending');
    await settle(); // 'a' failed: back in the queue, retry in 1 s
    for (const id of ['b', 'c', 'd', 'e']) f.alertChanged(alert({ id }), 'pending');
    expect(f.status()[0]).toMatchObject({ queued: 3, dropped: 2 });
    expect(await metric('meridian_alertmanager_dropped_total')).toBe(2);
    expect(await metric('meridian_alertmanager_queue_length')).toBe(3);

    answers = [{ ok: false, error: 'HTTP 400: bad alert', retryable: false }];
    await settle(1_000);
    expect(posts[1]!.alerts.map((a) => a.labels.alert_id)).toEqual(['c', 'd', 'e']);
    expect(f.status()[0]).toMatchObject({ queued: 0, dropped: 5, errors: 2 });
    f.stop();
  });

  it('sends the configured credentials', async () => {
    const f = forwarder([
      { url: 'http://am-1:9093', basicAuth: { username: 'meridian', password: 's3cret' } },
      { url: 'http://am-2:9093', bearer: 'tok' },
    ] as never);
    f.start([alert()]);
    await settle();
    expect(posts.find((p) => p.url.includes('am-1'))!.headers.Authorization).toBe(
      `Basic ${Buffer.from('meridian:s3cret').toString('base64')}`,
    );
    expect(posts.find((p) => p.url.includes('am-2'))!.headers.Authorization).toBe('Bearer tok');
    f.stop();
  });
});

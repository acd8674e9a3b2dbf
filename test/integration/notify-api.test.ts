// /api/v1/channels, /policies, /deliveries and the test send, through the real core's HTTP API.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../shared/api.js';
import type { ChannelView, DeliveryAttempt, EscalationPolicy } from '../../shared/notify.js';
import { ManualClock } from '../../electron/core/clock.js';
import {
  connectAgent,
  metricsFrame,
  startTestCore,
  tempDir,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { incident, startReceiver, type Receiver } from '../helpers/notify.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((c) => c()));
});

async function core(dataDir?: string): Promise<TestCore> {
  const c = await startTestCore(dataDir ? { dataDir } : {});
  cleanup.push(() => c.stop());
  return c;
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanup.push(() => r.close());
  return r;
}

const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
const put = (body: unknown) => ({ method: 'PUT', body: JSON.stringify(body) });

describe('channels and policies API', () => {
  it('creates, lists, tests and deletes a webhook channel; secrets never come back', async () => {
    const c = await core();
    const hook = await receiver();
    const created = await c.api<{ channel: ChannelView }>(
      '/api/v1/channels',
      post({ kind: 'webhook', name: 'Ops hook', url: hook.url, secret: 'a-long-shared-secret' }),
    );
    expect(created.status).toBe(200);
    expect(created.body.channel).toMatchObject({
      id: 'ops-hook',
      kind: 'webhook',
      hasSecret: true,
    });
    const list = await c.api<{ channels: ChannelView[] }>('/api/v1/channels');
    expect(list.body.channels.map((ch) => ch.id)).toEqual(['desktop', 'ops-hook']);
    expect(JSON.stringify(list.body)).not.toContain('a-long-shared-secret');

    const test = await c.api<{ delivery: DeliveryAttempt }>('/api/v1/channels/ops-hook/test', {
      method: 'POST',
    });
    expect(test.body.delivery).toMatchObject({
      ok: true,
      status: 200,
      kind: 'test',
      channelId: 'ops-hook',
    });
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.headers['x-meridian-signature']).toMatch(/^sha256=/);

    // PUT without the secret keeps it.
    const edited = await c.api<{ channel: ChannelView }>(
      '/api/v1/channels/ops-hook',
      put({ kind: 'webhook', name: 'Ops hook (edited)', url: hook.url }),
    );
    expect(edited.body.channel).toMatchObject({ name: 'Ops hook (edited)', hasSecret: true });

    const deliveries = await c.api<{ deliveries: DeliveryAttempt[] }>(
      '/api/v1/deliveries?channel=ops-hook',
    );
    expect(deliveries.body.deliveries).toHaveLength(1);
    expect(
      await c.metric('meridian_notify_attempts_total', { channel_kind: 'webhook', result: 'ok' }),
    ).toBe(1);

    const gone = await c.api('/api/v1/channels/ops-hook', { method: 'DELETE' });
    expect(gone).toEqual({ status: 200, body: { deleted: 'ops-hook' } });
    expect((await c.api('/api/v1/channels/ops-hook')).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field, counted on /metrics', async () => {
    const c = await core();
    const bad = async (path: string, init: RequestInit) => {
      const res = await c.api<ApiError>(path, init);
      expect(res.status).toBe(400);
      return res.body.error;
    };
    expect(
      await bad(
        '/api/v1/channels',
        post({ kind: 'webhook', name: 'x', url: 'file:///etc/passwd' }),
      ),
    ).toMatchObject({
      code: 'invalid_url',
      field: 'url',
    });
    expect(
      await bad(
        '/api/v1/channels',
        post({ kind: 'webhook', name: 'x', url: 'ftp://example.test/x' }),
      ),
    ).toMatchObject({
      field: 'url',
    });
    expect(await bad('/api/v1/channels', post({ kind: 'pager', name: 'x' }))).toMatchObject({
      field: 'kind',
    });
    expect(
      await bad(
        '/api/v1/channels',
        post({
          kind: 'email',
          name: 'm',
          host: 'smtp.example.test',
          port: 99999,
          from: 'a@b',
          to: ['c@d'],
        }),
      ),
    ).toMatchObject({ field: 'port' });
    expect(
      await bad(
        '/api/v1/policies',
        post({ name: 'p', steps: [{ afterMs: 0, channelIds: ['desktop', 'nope'] }] }),
      ),
    ).toMatchObject({ code: 'unknown_channel', field: 'steps/0/channelIds/1' });
    expect(await bad('/api/v1/policies', post({ name: 'p', steps: [] }))).toMatchObject({
      field: 'steps',
    });
    expect(await c.metric('meridian_api_requests_rejected_total', { reason: 'invalid_url' })).toBe(
      2,
    );
    expect(await c.metric('meridian_notify_config_rejected_total', { field: 'steps' })).toBe(2);
    // A channel a policy uses cannot go.
    const used = await c.api<ApiError>('/api/v1/channels/desktop', { method: 'DELETE' });
    expect(used.status).toBe(409);
    expect(used.body.error.message).toContain('default');
  });

  it('policies and channels survive a restart (notify.json, 0600)', async () => {
    const first = await startTestCore();
    const hook = await receiver();
    await first.api(
      '/api/v1/channels',
      post({ kind: 'alertmanager', id: 'am', name: 'AM', url: hook.url }),
    );
    const made = await first.api<{ policy: EscalationPolicy }>(
      '/api/v1/policies',
      post({
        id: 'db',
        name: 'Databases',
        match: { rules: ['disk_full'] },
        steps: [
          { afterMs: 0, channelIds: ['am'] },
          { afterMs: 300_000, channelIds: ['desktop'] },
        ],
      }),
    );
    expect(made.body.policy).toMatchObject({ id: 'db', repeatAfterMs: 300_000 });
    await first.stop({ keepDir: true });
    const file = join(first.dataDir, 'notify.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(
      JSON.parse(await readFile(file, 'utf8')).policies.map((p: EscalationPolicy) => p.id),
    ).toEqual(['default', 'db']);
    const second = await core(first.dataDir);
    const policies = await second.api<{ policies: EscalationPolicy[] }>('/api/v1/policies');
    expect(policies.body.policies.map((p) => p.id)).toEqual(['db', 'default']);
    expect(
      (await second.api<{ channels: ChannelView[] }>('/api/v1/channels')).body.channels.map(
        (ch) => ch.id,
      ),
    ).toEqual(['desktop', 'am']);
  });

  it('an incident.changed in the running core pages the policy channels after the group wait, recorded in /deliveries', async () => {
    const clock = new ManualClock(Date.now());
    const c = await startTestCore({ notifyGroupWaitMs: 10_000 }, { clock });
    cleanup.push(() => c.stop());
    const hook = await receiver();
    // Changes are audited (audit.ndjson), whose group commit runs on the core's clock: step it
    // while a request waits, as time would pass.
    const advancing = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.finally(() => (done = true));
      while (!done) {
        clock.advance(5);
        await new Promise((r) => setTimeout(r, 5));
      }
      return p;
    };
    await advancing(
      c.api('/api/v1/channels', post({ kind: 'webhook', id: 'hook', name: 'Hook', url: hook.url })),
    );
    await advancing(
      c.api(
        '/api/v1/policies/default',
        put({
          name: 'criticals',
          match: { severities: ['critical'] },
          steps: [{ afterMs: 0, channelIds: ['hook', 'desktop'] }],
        }),
      ),
    );
    c.core.events.emit('incident.changed', {
      incident: incident({ openedAt: c.core.clock.now() }),
      previousState: null,
      previousSeverity: null,
      reason: 'opened',
    });
    // Held in the group wait (config notifyGroupWaitMs), then paged once.
    await c.core.notifier.idle();
    expect(hook.received).toHaveLength(0);
    clock.advance(10_000);
    await c.core.notifier.idle();
    expect(hook.received).toHaveLength(1);
    const res = await c.api<{ deliveries: DeliveryAttempt[] }>('/api/v1/deliveries?incident=inc-1');
    expect(res.body.deliveries.map((d) => d.channelId).sort()).toEqual(['desktop', 'hook']);
  });

  it('a corrupt notify.json: the defaults load, the bad file is kept, a console alert says so', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'notify.json'), '{"version":1,"channels":[{"kind":"webhook"');
    const c = await core(dir);
    const policies = await c.api<{ policies: EscalationPolicy[] }>('/api/v1/policies');
    expect(policies.body.policies.map((p) => p.id)).toEqual(['default']);
    const alert = c.core.alerts.openAlerts().find((a) => a.ruleId === 'notify_config_recovered');
    expect(alert?.message).toMatch(
      /notify\.json was unusable .*started from the defaults.*notify\.json\.corrupt-/,
    );
  });

  it('an incident in a maintenance window is recorded, not paged, and no listener fails (no loop between the notifier and the incident)', async () => {
    const c = await core();
    const failures: string[] = [];
    c.core.events.onListenerError = (err, name) => failures.push(`${name}: ${String(err)}`);
    const now = c.core.clock.now();
    const made = await c.api(
      '/api/v1/maintenance',
      post({
        name: 'patching',
        regions: ['us-east-1'],
        schedule: { kind: 'once', startsAt: now - 1_000, endsAt: now + 600_000 },
      }),
    );
    expect(made.status).toBe(200);
    const agent = await connectAgent(c.addr.ingestUrl);
    cleanup.push(() => agent.close());
    agent.send(metricsFrame([{ name: 'disk_usage', value: 99 }]));
    const inc = await waitFor(
      () => c.core.incidents.manager.list().find((i) => i.suppressedBy !== null),
      undefined,
      'the suppressed incident',
    );
    // A comment is one more change the notifier hears.
    await c.api(`/api/v1/incidents/${inc.id}/comment`, post({ text: 'noted', by: 'alice' }));
    await c.core.notifier.idle();
    expect(failures).toEqual([]);
    const notNotified = inc.timeline.filter((e) => e.text.startsWith('not notified'));
    expect(notNotified).toHaveLength(1);
    expect(await c.api('/api/v1/deliveries?incident=' + inc.id)).toMatchObject({
      body: { deliveries: [] },
    });
  });
});

// The audit log beyond rules, through the real core: agents over real WebSockets, every
// operator action over HTTP, one audit entry each with the right `by`, filtered by target.
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/api.js';
import type { Incident } from '../../shared/incidents.js';
import type { Alert } from '../../shared/model.js';
import type { ChannelView, EscalationPolicy } from '../../shared/notify.js';
import type { SilenceView } from '../../shared/silences.js';
import {
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { startReceiver, type Receiver } from '../helpers/notify.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
const put = (body: unknown) => ({ method: 'PUT', body: JSON.stringify(body) });

async function ok<T>(r: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('audit log of operator actions', () => {
  it('silences, incident and alert actions, channel and policy changes: one entry each, by whom', async () => {
    // Several operators: `by` is required, so each entry names the one who acted.
    const t: TestCore = await startTestCore({
      operators: ['alice', 'bob', 'carol'],
      heartbeatIntervalMs: 60_000,
    });
    cleanup.push(() => t.stop());
    const hook: Receiver = await startReceiver();
    cleanup.push(() => hook.close());
    const agents: TestAgent[] = [];
    cleanup.push(async () => {
      for (const a of agents) await a.close().catch(() => {});
    });
    for (let i = 0; i < 10; i++)
      agents.push(
        await connectAgent(t.addr.ingestUrl, { hostname: `eu-west-1-${i}`, region: 'eu-west-1' }),
      );
    await agents[0]!.close();
    const inc = await waitFor(async () => {
      const list = (await t.api<{ incidents: Incident[] }>('/api/v1/incidents')).body.incidents;
      return list.length === 1 ? list[0]! : null;
    });
    const alert = (await t.api<{ alerts: Alert[] }>('/api/v1/alerts')).body.alerts[0]!;
    const audit = async (target: string) =>
      (await ok(t.api<{ entries: AuditEntry[] }>(`/api/v1/audit?target=${target}`))).entries;
    const actions = (entries: AuditEntry[]) => entries.map((e) => [e.action, e.by]).reverse();

    // Incident and alert actions.
    await ok(t.api(`/api/v1/incidents/${inc.id}/assign`, post({ owner: 'alice', by: 'carol' })));
    await ok(t.api(`/api/v1/incidents/${inc.id}/comment`, post({ text: 'looking', by: 'bob' })));
    await ok(t.api(`/api/v1/alerts/${alert.id}/ack`, post({ by: 'bob' })));
    // Acking its one alert leaves the incident open: it is acked on its own.
    await ok(t.api(`/api/v1/incidents/${inc.id}/ack`, post({ by: 'alice' })));
    await ok(
      t.api(`/api/v1/alerts/${alert.id}/resolve`, post({ by: 'carol', silenceMinutes: 60 })),
    );
    const incEntries = await audit(inc.id);
    expect(actions(incEntries)).toEqual([
      ['incident.assign', 'carol'],
      ['incident.comment', 'bob'],
      ['incident.ack', 'alice'],
    ]);
    expect(incEntries.at(-1)).toMatchObject({
      before: { owner: null },
      after: { owner: 'alice' },
    });
    expect(incEntries[0]).toMatchObject({
      before: { state: 'open' },
      after: { state: 'acknowledged', acknowledgedBy: 'alice' },
    });
    const alertEntries = await audit(alert.id);
    expect(actions(alertEntries)).toEqual([
      ['alert.ack', 'bob'],
      ['alert.resolve', 'carol'],
    ]);
    expect(alertEntries[0]).toMatchObject({
      before: { state: 'acknowledged' },
      after: { state: 'resolved', resolvedBy: 'carol' },
    });

    // Silences: one made by the resolve of a still-offline agent, one by hand, then expired.
    const made = (await ok(t.api<{ silences: SilenceView[] }>('/api/v1/silences'))).silences;
    expect(made).toHaveLength(1);
    expect(actions(await audit(made[0]!.id))).toEqual([['silence.create', 'carol']]);
    const { silence } = await ok(
      t.api<{ silence: SilenceView }>(
        '/api/v1/silences',
        post({
          matchers: [{ name: 'region', op: '=', value: 'eu-west-1' }],
          durationMinutes: 30,
          by: 'alice',
        }),
      ),
    );
    await ok(t.api(`/api/v1/silences/${silence.id}?by=bob`, { method: 'DELETE' }));
    const silenceEntries = await audit(silence.id);
    expect(actions(silenceEntries)).toEqual([
      ['silence.create', 'alice'],
      ['silence.expire', 'bob'],
    ]);
    expect(silenceEntries[0]).toMatchObject({
      before: { state: 'active' },
      after: { state: 'expired', expiredBy: 'bob' },
    });

    // Channels: `by` in the body or the query.
    const { channel } = await ok(
      t.api<{ channel: ChannelView }>(
        '/api/v1/channels',
        post({ kind: 'webhook', name: 'Ops hook', url: hook.url, by: 'alice' }),
      ),
    );
    await ok(
      t.api(
        `/api/v1/channels/${channel.id}?by=bob`,
        put({ kind: 'webhook', name: 'Ops hook', url: hook.url, maxPerMinute: 5 }),
      ),
    );
    await ok(t.api(`/api/v1/channels/${channel.id}/test?by=carol`, { method: 'POST' }));
    await ok(t.api(`/api/v1/channels/${channel.id}?by=alice`, { method: 'DELETE' }));
    const channelEntries = await audit(channel.id);
    expect(actions(channelEntries)).toEqual([
      ['channel.create', 'alice'],
      ['channel.update', 'bob'],
      ['channel.test', 'carol'],
      ['channel.delete', 'alice'],
    ]);
    expect(channelEntries[2]).toMatchObject({
      before: { maxPerMinute: channel.maxPerMinute },
      after: { maxPerMinute: 5 },
    });
    expect(channelEntries[0]).toMatchObject({ before: { id: channel.id }, after: null });

    // Policies.
    const steps = [{ afterMs: 0, channelIds: ['desktop'] }];
    const { policy } = await ok(
      t.api<{ policy: EscalationPolicy }>(
        '/api/v1/policies?by=carol',
        post({ name: 'Night', steps }),
      ),
    );
    await ok(
      t.api(`/api/v1/policies/${policy.id}`, put({ name: 'Night shift', steps, by: 'bob' })),
    );
    await ok(t.api(`/api/v1/policies/${policy.id}?by=alice`, { method: 'DELETE' }));
    const policyEntries = await audit(policy.id);
    expect(actions(policyEntries)).toEqual([
      ['policy.create', 'carol'],
      ['policy.update', 'bob'],
      ['policy.delete', 'alice'],
    ]);
    expect(policyEntries[1]).toMatchObject({
      before: { name: 'Night' },
      after: { name: 'Night shift' },
    });

    // Without `by` (several operators) a change is refused with the field named, not audited.
    const refused = await t.api<{ error: { field?: string } }>(
      '/api/v1/policies',
      post({ name: 'Nobody', steps }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('by');
    const all = (await ok(t.api<{ entries: AuditEntry[] }>('/api/v1/audit'))).entries;
    // Operator actions name the operator; sign-in and start are the session's and console's.
    const acts = all.filter((e) => !/^(session|console)\./.test(e.action));
    expect(acts.some((e) => e.by === undefined || e.by === 'operator')).toBe(false);
    expect(all.filter((e) => e.action === 'policy.create')).toHaveLength(1);
  });
});

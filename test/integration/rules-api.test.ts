// The rules routes through the real core: REST on its port, samples over a real WebSocket,
// state.json and audit.ndjson in a temp dir, a restart on the same directory.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, AuditEntry, RulePreview, RuleStatus } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
import type { Rule, ThresholdRule } from '../../shared/rules.js';
import {
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  WAIT_MS,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const latency: ThresholdRule = {
  id: 'queue_deep',
  kind: 'threshold',
  enabled: true,
  description: 'Queue deep',
  metric: 'queue_depth',
  comparator: 'gt',
  unit: '',
  warning: 100,
  critical: 500,
  hysteresis: 10,
  forMs: 0,
  runbookUrl: 'https://runbooks.example/queue',
};

const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  body: JSON.stringify(body),
});

describe('rules over the REST API', () => {
  let t: TestCore | null = null;
  let agent: TestAgent | null = null;
  afterEach(async () => {
    await agent?.close();
    await t?.stop();
    t = agent = null;
  });

  async function send(name: string, value: number) {
    agent!.send(metricsFrame([{ name, value }]));
    await agent!.next('ack');
  }
  const openOf = async (ruleId: string) =>
    (await t!.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts.filter(
      (a) => a.ruleId === ruleId,
    );

  it('a created rule fires on real ingest; disabling it resolves its alert; all audited', async () => {
    t = await startTestCore();
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'mq-1' });
    const created = await t.api<{ rule: Rule }>(
      '/api/v1/rules',
      json({ rule: latency, by: 'alice' }),
    );
    expect(created.status).toBe(200);
    expect(created.body.rule).toEqual(latency);

    await send('queue_depth', 640);
    const [alert] = await openOf('queue_deep');
    expect(alert).toMatchObject({ severity: 'critical', state: 'firing', value: 640 });
    const listed = await t.api<{ rules: Rule[]; status: Record<string, RuleStatus> }>(
      '/api/v1/rules',
    );
    expect(listed.body.rules.map((r) => r.id)).toContain('queue_deep');
    expect(listed.body.status.queue_deep).toEqual({ firing: 1, pending: 0 });

    const disabled = await t.api<{ rule: Rule }>(
      '/api/v1/rules/queue_deep',
      json({ rule: { ...latency, enabled: false }, by: 'bob' }, 'PUT'),
    );
    expect(disabled.status).toBe(200);
    const after = await t.api<{ alert: Alert }>(`/api/v1/alerts/${alert!.id}`);
    expect(after.body.alert.state).toBe('resolved');
    expect(after.body.alert.history.at(-1)).toMatchObject({ by: 'rule', comment: 'rule disabled' });
    await send('queue_depth', 900);
    expect(await openOf('queue_deep')).toHaveLength(0);

    // Enabled again, then deleted: the new alert resolves as "rule removed".
    await t.api('/api/v1/rules/queue_deep', json({ rule: latency }, 'PUT'));
    await send('queue_depth', 900);
    const [again] = await openOf('queue_deep');
    expect(again).toBeDefined();
    const removed = await t.api<{ rule: Rule }>('/api/v1/rules/queue_deep?by=carol', {
      method: 'DELETE',
    });
    expect(removed.status).toBe(200);
    const gone = await t.api<{ alert: Alert }>(`/api/v1/alerts/${again!.id}`);
    expect(gone.body.alert.history.at(-1)).toMatchObject({ comment: 'rule removed' });
    expect((await t.api('/api/v1/rules/queue_deep?by=carol', { method: 'DELETE' })).status).toBe(
      404,
    );

    const audit = await t.api<{ entries: AuditEntry[] }>('/api/v1/audit?target=queue_deep');
    expect(audit.body.entries.map((e) => [e.action, e.by])).toEqual([
      ['rule.delete', 'carol'],
      ['rule.update', 'operator'],
      ['rule.update', 'bob'],
      ['rule.create', 'alice'],
    ]);
    expect(audit.body.entries[2]).toMatchObject({
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(audit.body.entries[0]).toMatchObject({ after: null, before: { id: 'queue_deep' } });
  });

  it('a bad rule gets 400 naming every field and is not saved; a duplicate id gets 409', async () => {
    t = await startTestCore();
    const bad = await t.api<ApiError>(
      '/api/v1/rules',
      json({
        rule: { ...latency, id: 'Queue!', metric: '', warning: 600, critical: 500, forMs: -5 },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_rule');
    expect(bad.body.error.field).toBeDefined();
    expect(bad.body.errors!.map((e) => e.field).sort()).toEqual(['forMs', 'id', 'metric']);
    // Schema-valid but the levels are the wrong way round.
    const levels = await t.api<ApiError>(
      '/api/v1/rules',
      json({ rule: { ...latency, warning: 600, critical: 500 } }),
    );
    expect(levels.status).toBe(400);
    expect(levels.body.errors).toEqual([
      { field: 'critical', message: 'must be above the warning level (600)' },
    ]);
    const rules = await t.api<{ rules: Rule[] }>('/api/v1/rules');
    expect(rules.body.rules.some((r) => r.id === 'queue_deep' || r.id === 'Queue!')).toBe(false);
    expect(
      (await t.api<{ entries: AuditEntry[] }>('/api/v1/audit?action=rule.')).body.entries,
    ).toEqual([]);

    expect((await t.api('/api/v1/rules', json({ rule: latency }))).status).toBe(200);
    const dup = await t.api<ApiError>('/api/v1/rules', json({ rule: latency }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('rule_exists');
    const reserved = await t.api<ApiError>(
      '/api/v1/rules',
      json({ rule: { ...latency, id: 'state_recovered' } }),
    );
    expect(reserved.status).toBe(409);
    const renamed = await t.api<ApiError>(
      '/api/v1/rules/queue_deep',
      json({ rule: { ...latency, id: 'other' } }, 'PUT'),
    );
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.field).toBe('id');
    expect(await t.metric('meridian_api_requests_rejected_total', { reason: 'invalid_rule' })).toBe(
      3,
    );
  });

  it('rules and the audit log survive a restart, and the preview counts stored history', async () => {
    t = await startTestCore();
    const dataDir = t.dataDir;
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'mq-2' });
    for (const v of [150, 20, 160, 20]) await send('queue_depth', v);
    const preview = await t.api<{ preview: RulePreview }>(
      '/api/v1/rules/preview',
      json({ rule: latency }),
    );
    expect(preview.status).toBe(200);
    // Both breaches fall in one minute (the preview's grain): one firing.
    expect(preview.body.preview).toMatchObject({ supported: true, series: 1, firings: 1 });
    const badPreview = await t.api<ApiError>(
      '/api/v1/rules/preview',
      json({ rule: { ...latency, comparator: 'ge' } }),
    );
    expect(badPreview.status).toBe(400);
    expect(badPreview.body.errors![0]!.field).toBe('comparator');

    await t.api('/api/v1/rules', json({ rule: latency, by: 'alice' }));
    await t.api('/api/v1/rules/cpu_usage', json({ rule: { enabled: false, ...cpuOff } }, 'PUT'));
    await agent.close();
    agent = null;
    await t.stop({ keepDir: true });

    t = await startTestCore({ dataDir });
    const rules = (await t.api<{ rules: Rule[] }>('/api/v1/rules')).body.rules;
    expect(rules.find((r) => r.id === 'queue_deep')).toEqual(latency);
    expect(rules.find((r) => r.id === 'cpu_usage')?.enabled).toBe(false);
    const audit = await t.api<{ entries: AuditEntry[] }>('/api/v1/audit?action=rule.');
    expect(audit.body.entries.map((e) => `${e.action} ${e.target}`)).toEqual([
      'rule.update cpu_usage',
      'rule.create queue_deep',
    ]);
    // The restored rule is in force.
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'mq-2' });
    await send('queue_depth', 700);
    await waitFor(async () => (await openOf('queue_deep')).length === 1, WAIT_MS, 'alert');
    await send('cpu_usage', 99);
    expect(await openOf('cpu_usage')).toHaveLength(0);
  });
});

const cpuOff: Omit<ThresholdRule, 'enabled'> = {
  id: 'cpu_usage',
  kind: 'threshold',
  description: 'CPU busy',
  metric: 'cpu_usage',
  comparator: 'gt',
  unit: '%',
  warning: 80,
  critical: 95,
  hysteresis: 5,
  forMs: 0,
};

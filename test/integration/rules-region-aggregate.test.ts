// A region_aggregate rule created over REST fires on samples from real agents (real WebSocket
// ingest, real store in a temp dir); a ManualClock steps the core to its next region check.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/clock.js';
import type { Alert } from '../../shared/model.js';
import type { RegionAggregateRule, Rule } from '../../shared/rules.js';
import {
  connectAgent,
  metricsFrame,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';
import { REGION_AGGREGATE_CHECK_MS } from '../../electron/core/rules/region-aggregate-watch.js';

const rule: RegionAggregateRule = {
  id: 'region_slow',
  kind: 'region_aggregate',
  enabled: true,
  description: 'Region responses slow',
  metric: 'response_time',
  agg: 'p95',
  comparator: 'gt',
  unit: 'ms',
  warning: 800,
  critical: 2000,
  hysteresis: 100,
  forMs: 0,
  windowMs: 120_000,
};

describe('region_aggregate rule through the real core', () => {
  let t: TestCore | null = null;
  let agents: TestAgent[] = [];
  afterEach(async () => {
    for (const a of agents) await a.close();
    await t?.stop();
    t = null;
    agents = [];
  });

  it('POSTed rule: a region whose p95 passes 800 ms gets one region alert, others none', async () => {
    const clock = new ManualClock(Date.now());
    t = await startTestCore({}, { clock });
    /**
     * What waits on the core's timers (the WAL flush behind an ack, the hello, the audit write behind a rule change) needs the manual
     * clock to move: step it a little while the promise is pending.
     */
    const stepped = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      const settled = p.finally(() => (done = true));
      await waitFor(() => {
        if (!done) clock.advance(5);
        return done;
      });
      return settled;
    };
    const created = await stepped(
      t.api<{ rule: Rule }>('/api/v1/rules', {
        method: 'POST',
        body: JSON.stringify({ rule, by: 'alice' }),
      }),
    );
    expect(created.status).toBe(200);
    const bad = await stepped(
      t.api<{ error: { field?: string } }>('/api/v1/rules', {
        method: 'POST',
        body: JSON.stringify({ rule: { ...rule, id: 'other', windowMs: 1000 }, by: 'alice' }),
      }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('windowMs');

    const acked = (a: TestAgent) => stepped(a.next('ack'));
    const connect = async (hostname: string, region: string) => {
      const a = await stepped(connectAgent(t!.addr.ingestUrl, { hostname, region }));
      agents.push(a);
      return a;
    };
    const east1 = await connect('api-e1', 'us-east-1');
    const east2 = await connect('api-e2', 'us-east-1');
    const west = await connect('api-w1', 'eu-west-1');
    // Ten seconds of samples: one us-east-1 host at 1.2 s, the rest at 300 ms.
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      for (const [a, v] of [
        [east1, 1200],
        [east2, 300],
        [west, 300],
      ] as const) {
        a.send(metricsFrame([{ name: 'response_time', value: v }], clock.now()));
        await acked(a);
      }
    }
    const openOf = async () =>
      (await t!.api<{ alerts: Alert[] }>('/api/v1/alerts?state=open')).body.alerts.filter(
        (a) => a.ruleId === rule.id,
      );
    // At least one region check after the last batch (earlier ones may have fired it already).
    clock.advance(REGION_AGGREGATE_CHECK_MS);
    const [alert, ...more] = await waitFor(async () => {
      const open = await openOf();
      return open.length > 0 ? open : null;
    });
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      severity: 'warning',
      state: 'firing',
      subject: { kind: 'region', regionId: 'us-east-1', agentId: null },
      metric: 'response_time',
    });
    expect(alert!.value).toBeGreaterThan(800);
  });
});

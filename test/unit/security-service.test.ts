// How a detection alert lives in the alert book: one alert per episode while the attack goes
// on, resolved once the rule's timespan has passed quietly (correlations) or after the quiet
// period (plain rules), and a new alert for the next episode. Real AlertBook, real rules, a
// ManualClock stepping the sweep.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.js';
import type { StoredEvent } from '../../shared/model.js';
import { CoreEvents } from '../../electron/core/events.js';
import { counterIds } from '../../electron/core/ids.js';
import { AlertBook } from '../../electron/core/incidents/alert-book.js';
import { silentLogger } from '../../electron/core/logger.js';
import { createSecurityMetrics } from '../../electron/core/security/security-metrics.js';
import { SecurityService } from '../../electron/core/security/security-service.js';

const BRUTE = 'detect:d611737a-a302-49f4-89b6-3f80eca73682';
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function setup() {
  dir = await mkdtemp(join(tmpdir(), 'meridian-sec-'));
  const clock = new ManualClock(1_764_490_000_000);
  const alerts = new AlertBook({
    clock,
    ids: counterIds(),
    events: new CoreEvents(),
    maxResolved: 100,
  });
  const service = new SecurityService(
    {
      clock,
      logger: silentLogger,
      alerts,
      hostnameOf: () => 'web-1',
      metrics: createSecurityMetrics(new Registry(), { evictions: () => ({}) }),
    },
    { operatorDir: join(dir, 'none'), sweepEveryMs: 10_000, plainQuietMs: 300_000, maxRecent: 50 },
  );
  await service.load();
  service.start();
  let n = 0;
  const event = (attrs: Record<string, string | boolean>): StoredEvent => ({
    id: `evt-${++n}`,
    agentId: 'agt-1',
    regionId: 'eu-west-1',
    ts: clock.now(),
    receivedAt: clock.now(),
    category: 'security',
    severity: 'warning',
    source: 'auth',
    message: 'line',
    attributes: { service: 'sshd', method: 'password', ...attrs },
  });
  const failure = () =>
    event({ 'event.type': 'auth_failure', attempt: true, user: 'admin', src_ip: '192.0.2.1' });
  return { clock, alerts, service, event, failure };
}

describe('detection alerts', () => {
  it('a brute force is one alert while it goes on, resolved after a quiet minute; the next is a new alert', async () => {
    const { clock, alerts, service, failure } = await setup();
    const burst = (count: number) => {
      for (let i = 0; i < count; i++) {
        service.onEvent(failure());
        clock.advance(2_000);
      }
    };
    burst(10);
    const first = alerts.openFor(BRUTE, 'agentId=agt-1,src_ip=192.0.2.1');
    expect(first?.state).toBe('firing');
    // The attack goes on for two more minutes, events 2 s apart: same episode, same alert.
    burst(60);
    expect(alerts.list({ state: 'open' }).filter((a) => a.ruleId === BRUTE)).toHaveLength(1);
    expect(service.detections({})).toHaveLength(1);
    // Quiet: after the 1 min timespan (and a sweep) the alert resolves by itself.
    clock.advance(50_000);
    expect(alerts.get(first!.id)?.state).toBe('firing');
    clock.advance(20_000);
    expect(alerts.get(first!.id)?.state).toBe('resolved');
    expect(alerts.get(first!.id)?.resolvedBy).toBe('auto');
    burst(10);
    const second = alerts.openFor(BRUTE, 'agentId=agt-1,src_ip=192.0.2.1');
    expect(second?.id).not.toBe(first!.id);
    expect(service.detections({})).toHaveLength(2);
  });

  it('a plain rule (root login) resolves after the quiet period', async () => {
    const { clock, alerts, service, event } = await setup();
    service.onEvent(event({ 'event.type': 'auth_success', user: 'root', src_ip: '192.0.2.9' }));
    const open = alerts.list({ state: 'open' });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: 'critical', labels: { mitre: 'T1078,T1078.003' } });
    clock.advance(290_000);
    expect(alerts.get(open[0]!.id)?.state).toBe('firing');
    clock.advance(20_000);
    expect(alerts.get(open[0]!.id)?.state).toBe('resolved');
    expect(open[0]!.ruleId.startsWith('detect:')).toBe(true);
  });
});

// What the console says about alerts: the open counts the KPI tiles and the nav badge share,
// and the alert detail's value line (units, a live "now", a region's online count).
import { describe, expect, it } from 'vitest';
import type { StreamSnapshot } from '../../shared/api.js';
import type { Agent, Alert, Region } from '../../shared/model.js';
import { FleetStore } from '../../renderer/src/api/store.js';
import { alertValueFact, liveValue } from '../../renderer/src/lib/alert-values.js';
import { alertBadge, selectAlertCounts } from '../../renderer/src/lib/alerts.js';

const agent = (over: Partial<Agent> = {}): Agent => ({
  id: 'agt-1',
  regionId: 'eu-west-1',
  hostname: 'web-1',
  ipAddress: '10.0.0.1',
  type: 'system',
  version: '1',
  labels: {},
  status: 'online',
  registeredAt: 0,
  lastHeartbeat: 0,
  statusChangedAt: 0,
  metricsCount: 0,
  alertsCount: 0,
  latest: { cpu_usage: 43.25 },
  ...over,
});

const region = (over: Partial<Region> = {}): Region => ({
  id: 'eu-west-1',
  name: 'EU West (Ireland)',
  latitude: 0,
  longitude: 0,
  status: 'failed',
  agentCount: 75,
  onlineCount: 0,
  serviceCount: 4,
  healthScore: 0,
  lastHeartbeat: null,
  ...over,
});

let n = 0;
const alert = (over: Partial<Alert> = {}): Alert => ({
  id: `alr-${++n}`,
  ruleId: 'cpu_usage',
  subjectKey: 'agt-1/cpu_usage',
  subject: { kind: 'agent', regionId: 'eu-west-1', agentId: 'agt-1' },
  severity: 'critical',
  state: 'firing',
  message: 'cpu',
  metric: 'cpu_usage',
  value: 97,
  threshold: 95,
  lastValue: 97,
  sampleArrivedAt: 0,
  createdAt: 0,
  updatedAt: 0,
  acknowledgedAt: null,
  acknowledgedBy: null,
  ackComment: null,
  resolvedAt: null,
  resolvedBy: null,
  history: [],
  ...over,
});

const snapshot = (alerts: Alert[]): StreamSnapshot => ({
  type: 'snapshot',
  seq: 0,
  serverTime: 0,
  regions: [],
  agents: [],
  alerts,
});

describe('alert counts: one selector for the KPI tiles and the nav badge', () => {
  it('counts open alerts by severity, acknowledged ones included, and the badge shows the worst', () => {
    const store = new FleetStore();
    store.apply(
      snapshot([
        alert(),
        alert({ state: 'acknowledged' }),
        alert({ state: 'pending' }),
        alert({ severity: 'warning' }),
        alert({ state: 'resolved' }),
      ]),
    );
    const counts = selectAlertCounts(store.getState());
    expect(counts).toMatchObject({ critical: 3, warning: 1, info: 0 });
    expect(counts.unacked).toEqual({ critical: 2, warning: 1, info: 0 });
    // The old badge counted only firing and pending alerts: 3 here, against a tile of 3
    // critical; with an acknowledged critical the two parted (59 against 58).
    expect(alertBadge(counts)).toEqual({
      count: 3,
      severity: 'critical',
      label: '3 critical, 1 warning open (3 unacknowledged)',
    });
    expect(alertBadge(selectAlertCounts({ alerts: new Map() }))).toEqual({
      count: 0,
      severity: null,
      label: 'no open alerts',
    });
    const warningsOnly = new Map([['w', alert({ severity: 'warning' })]]);
    expect(alertBadge(selectAlertCounts({ alerts: warningsOnly }))).toMatchObject({
      count: 1,
      severity: 'warning',
    });
  });

  it('gives every reader of the same state the same object, and a new one after a change', () => {
    const store = new FleetStore();
    store.apply(snapshot([alert()]));
    const first = selectAlertCounts(store.getState());
    expect(selectAlertCounts(store.getState())).toBe(first);
    store.upsertAlert(alert({ id: 'alr-new' }));
    const second = selectAlertCounts(store.getState());
    expect(second).not.toBe(first);
    expect(second.critical).toBe(2);
  });
});

describe('the alert detail value line', () => {
  it('shows value and threshold in the metric unit, and "now" from the agent’s live reading', () => {
    expect(alertValueFact(alert(), agent(), region())).toEqual({
      label: 'Value',
      text: '97.0% (threshold 95.0%, now 43.3%)',
    });
    expect(
      alertValueFact(
        alert({
          metric: 'response_time',
          subjectKey: 'agt-1/response_time',
          value: 1520,
          threshold: 1000,
        }),
        agent(),
        region(),
      ),
      // No live reading of response_time on the agent: no "now".
    ).toEqual({ label: 'Value', text: '1.52 s (threshold 1.00 s)' });
  });

  it('leaves "now" out for a resolved alert, an offline agent or a labelled series', () => {
    const text = (a: Alert, g: Agent) => alertValueFact(a, g, region())!.text;
    expect(text(alert({ state: 'resolved' }), agent())).toBe('97.0% (threshold 95.0%)');
    expect(text(alert(), agent({ status: 'offline' }))).toBe('97.0% (threshold 95.0%)');
    expect(liveValue(alert({ subjectKey: 'agt-1/cpu_usage{core=0}' }), agent())).toBeNull();
    expect(liveValue(alert(), agent({ latest: {} }))).toBeNull();
    expect(liveValue(alert(), agent())).toBe(43.25);
  });

  it('a region alert says how many agents are online now, against its threshold', () => {
    const regionAlert = alert({
      ruleId: 'region_status',
      subjectKey: 'eu-west-1',
      subject: { kind: 'region', regionId: 'eu-west-1', agentId: null },
      metric: 'region_health',
      value: 37 / 75,
      threshold: 0.5,
      lastValue: 37 / 75,
    });
    expect(alertValueFact(regionAlert, undefined, region())).toEqual({
      label: 'Online',
      text: '0/75 (threshold 50%)',
    });
    // Resolved: the health it last had, no live count.
    expect(alertValueFact({ ...regionAlert, state: 'resolved' }, undefined, region())).toEqual({
      label: 'Health',
      text: '49% (threshold 50%)',
    });
  });

  it('has no value line for an alert without a metric (agent offline)', () => {
    expect(alertValueFact(alert({ metric: null }), agent(), region())).toBeNull();
  });
});

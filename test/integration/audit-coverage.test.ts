// Every route that changes something leaves a record in the audit trail. The routes come from
// the router itself (ROUTE_KEYS): a new POST/PUT/PATCH/DELETE route fails this test until it has
// a scenario here that shows its record (or is listed as read-only, with the reason). Each
// scenario goes through the real core over HTTP, with real agents over WebSockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_KEYS } from '../../electron/core/api/router.js';
import type { AuditEntry, RouteKey } from '../../shared/api.js';
import type { Alert } from '../../shared/model.js';
import type { ChannelView, EscalationPolicy } from '../../shared/notify.js';
import type { RecoveryRun, Runbook } from '../../shared/recovery.js';
import type { SilenceView } from '../../shared/silences.js';
import { MemoryCredentialStore } from '../../agent/credential-file.js';
import { Uplink } from '../../agent/uplink.js';
import { systemClock } from '../../shared/clock.js';
import type { AgentKeyView } from '../../shared/credentials.js';
import { actionAgent, type ActionAgent } from '../helpers/action-agent.js';
import {
  AGENT_TOKEN,
  connectAgent,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { startReceiver, type Receiver } from '../helpers/notify.js';

/** Mutating by method, changing nothing: why each is not audited. */
const READ_ONLY: Partial<Record<RouteKey, string>> = {
  'POST /api/v1/rules/preview': 'replays a rule over stored history; saves nothing',
  'POST /api/v1/silences/preview': 'lists what a silence would match; saves nothing',
  'POST /api/v1/audit/verify': 'reads the audit trail; changes nothing',
};

const send = (method: string, body?: unknown): RequestInit => ({
  method,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

let t: TestCore;
let hook: Receiver;
const agents: { close(): Promise<void> }[] = [];
/** What the scenarios hand on to each other (ids made by earlier ones). */
const made: Record<string, string> = {};

async function call<T>(path: string, init: RequestInit): Promise<T> {
  const res = await t.api<T>(path, init);
  expect(res.status, `${init.method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

const runbook = {
  id: 'disk',
  name: 'Free disk',
  mode: 'approval',
  trigger: { ruleIds: ['disk_usage'] },
  steps: [
    { kind: 'action', action: 'clean_tmp', params: { dir: '/tmp' } },
    {
      kind: 'verify',
      condition: { type: 'metric', metric: 'disk_usage', comparator: '<', threshold: 85 },
      withinMs: 60_000,
    },
    { kind: 'escalate', text: 'disk still full after clean_tmp' },
  ],
};
const rule = {
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
};
const steps = [{ afterMs: 0, channelIds: ['desktop'] }];

async function heldRun(a: ActionAgent): Promise<RecoveryRun> {
  a.sample(98);
  return waitFor(async () => {
    const { runs } = (
      await t.api<{ runs: RecoveryRun[] }>(`/api/v1/recovery/runs?agent=${a.agentId}`)
    ).body;
    return runs.find((r) => r.state === 'awaiting_approval') ?? null;
  });
}

/** A reference agent's uplink that enrols (protocol 2) and keeps its key in memory. */
function enrolledUplink(hostname: string): Uplink {
  const u = new Uplink({
    url: t.addr.ingestUrl,
    token: AGENT_TOKEN,
    credentials: new MemoryCredentialStore(),
    clock: systemClock,
    random: Math.random,
    hello: { hostname, region: 'us-east-1', agentType: 'system', version: 'test' },
    onFatal: () => {},
  });
  u.start();
  agents.push({ close: async () => u.stop() });
  return u;
}

/**
 * In order (later ones use what earlier ones made); each returns the action it must record,
 * and the core it was recorded by when that is not the shared one.
 */
const SCENARIOS: [RouteKey, () => Promise<string | { action: string; core: TestCore }>][] = [
  [
    'POST /api/v1/rules',
    async () => (await call('/api/v1/rules', send('POST', { rule })), 'rule.create'),
  ],
  [
    'PUT /api/v1/rules/:id',
    async () => (
      await call('/api/v1/rules/queue_deep', send('PUT', { rule: { ...rule, warning: 200 } })),
      'rule.update'
    ),
  ],
  [
    'DELETE /api/v1/rules/:id',
    async () => (await call('/api/v1/rules/queue_deep', send('DELETE')), 'rule.delete'),
  ],
  [
    'POST /api/v1/silences',
    async () => {
      const { silence } = await call<{ silence: SilenceView }>(
        '/api/v1/silences',
        send('POST', {
          matchers: [{ name: 'region', op: '=', value: 'eu-west-1' }],
          durationMinutes: 30,
        }),
      );
      made.silence = silence.id;
      return 'silence.create';
    },
  ],
  [
    'DELETE /api/v1/silences/:id',
    async () => (await call(`/api/v1/silences/${made.silence}`, send('DELETE')), 'silence.expire'),
  ],
  [
    'POST /api/v1/maintenance',
    async () => {
      const now = t.core.clock.now();
      const { window } = await call<{ window: { id: string } }>(
        '/api/v1/maintenance',
        send('POST', {
          name: 'patching',
          regions: ['us-west-2'],
          schedule: { kind: 'once', startsAt: now + 3_600_000, endsAt: now + 7_200_000 },
        }),
      );
      made.window = window.id;
      return 'maintenance.create';
    },
  ],
  [
    'PUT /api/v1/maintenance/:id',
    async () => {
      const now = t.core.clock.now();
      await call(
        `/api/v1/maintenance/${made.window}`,
        send('PUT', {
          name: 'patching (moved)',
          regions: ['us-west-2'],
          schedule: { kind: 'once', startsAt: now + 7_200_000, endsAt: now + 9_000_000 },
        }),
      );
      return 'maintenance.update';
    },
  ],
  [
    'DELETE /api/v1/maintenance/:id',
    async () => (
      await call(`/api/v1/maintenance/${made.window}`, send('DELETE')),
      'maintenance.delete'
    ),
  ],
  [
    'POST /api/v1/channels',
    async () => {
      const { channel } = await call<{ channel: ChannelView }>(
        '/api/v1/channels',
        send('POST', { kind: 'webhook', name: 'Ops hook', url: hook.url }),
      );
      made.channel = channel.id;
      return 'channel.create';
    },
  ],
  [
    'PUT /api/v1/channels/:id',
    async () => (
      await call(
        `/api/v1/channels/${made.channel}`,
        send('PUT', { kind: 'webhook', name: 'Ops hook', url: hook.url, maxPerMinute: 5 }),
      ),
      'channel.update'
    ),
  ],
  [
    'POST /api/v1/channels/:id/test',
    async () => (await call(`/api/v1/channels/${made.channel}/test`, send('POST')), 'channel.test'),
  ],
  [
    'DELETE /api/v1/channels/:id',
    async () => (await call(`/api/v1/channels/${made.channel}`, send('DELETE')), 'channel.delete'),
  ],
  [
    'POST /api/v1/policies',
    async () => {
      const { policy } = await call<{ policy: EscalationPolicy }>(
        '/api/v1/policies',
        send('POST', { name: 'Night', steps }),
      );
      made.policy = policy.id;
      return 'policy.create';
    },
  ],
  [
    'PUT /api/v1/policies/:id',
    async () => (
      await call(`/api/v1/policies/${made.policy}`, send('PUT', { name: 'Night shift', steps })),
      'policy.update'
    ),
  ],
  [
    'DELETE /api/v1/policies/:id',
    async () => (await call(`/api/v1/policies/${made.policy}`, send('DELETE')), 'policy.delete'),
  ],
  [
    'POST /api/v1/runbooks',
    async () => (
      await call<{ runbook: Runbook }>('/api/v1/runbooks', send('POST', runbook)),
      'runbook.create'
    ),
  ],
  [
    'POST /api/v1/incidents/:id/approve',
    async () => {
      const a = await actionAgent(t.addr.ingestUrl, { hostname: 'web-1' });
      agents.push(a);
      const run = await heldRun(a);
      await call(`/api/v1/incidents/${run.incidentId}/approve`, send('POST', { runId: run.id }));
      return 'recovery.approve';
    },
  ],
  [
    'POST /api/v1/incidents/:id/decline',
    async () => {
      const b = await actionAgent(t.addr.ingestUrl, { hostname: 'web-2' });
      agents.push(b);
      const run = await heldRun(b);
      await call(`/api/v1/incidents/${run.incidentId}/decline`, send('POST', {}));
      return 'recovery.decline';
    },
  ],
  [
    'PUT /api/v1/runbooks/:id',
    async () => (
      await call('/api/v1/runbooks/disk', send('PUT', { ...runbook, description: 'frees /tmp' })),
      'runbook.update'
    ),
  ],
  [
    'POST /api/v1/runbooks/:id/mode',
    async () => (
      await call('/api/v1/runbooks/disk/mode', send('POST', { mode: 'dry_run' })),
      'runbook.mode'
    ),
  ],
  [
    'DELETE /api/v1/runbooks/:id',
    async () => (await call('/api/v1/runbooks/disk', send('DELETE')), 'runbook.delete'),
  ],
  [
    'POST /api/v1/alerts/:id/ack',
    async () => {
      const c = await connectAgent(t.addr.ingestUrl, {
        hostname: 'db-9',
        region: 'ap-northeast-1',
      });
      made.agent = c.agentId;
      await c.close();
      const alert = await waitFor(async () => {
        const { alerts } = (await t.api<{ alerts: Alert[] }>(`/api/v1/alerts?agent=${c.agentId}`))
          .body;
        return alerts.find((x) => x.state === 'firing') ?? null;
      });
      made.alert = alert.id;
      made.incident = alert.incidentId ?? '';
      await call(`/api/v1/alerts/${alert.id}/ack`, send('POST', {}));
      return 'alert.ack';
    },
  ],
  [
    'POST /api/v1/incidents/:id/assign',
    async () => (
      await call(`/api/v1/incidents/${made.incident}/assign`, send('POST', { owner: 'dana' })),
      'incident.assign'
    ),
  ],
  [
    'POST /api/v1/incidents/:id/comment',
    async () => (
      await call(`/api/v1/incidents/${made.incident}/comment`, send('POST', { text: 'on it' })),
      'incident.comment'
    ),
  ],
  [
    'POST /api/v1/incidents/:id/ack',
    async () => (
      await call(`/api/v1/incidents/${made.incident}/ack`, send('POST', {})),
      'incident.ack'
    ),
  ],
  [
    'POST /api/v1/alerts/:id/resolve',
    async () => (
      await call(`/api/v1/alerts/${made.alert}/resolve`, send('POST', { silenceMinutes: 60 })),
      'alert.resolve'
    ),
  ],
  [
    'POST /api/v1/incidents/:id/resolve',
    async () => (
      await call(
        `/api/v1/incidents/${made.incident}/resolve`,
        send('POST', { silenceMinutes: 60 }),
      ),
      'incident.resolve'
    ),
  ],
  [
    'POST /api/v1/agents/:id/decommission',
    async () => (
      await call(`/api/v1/agents/${made.agent}/decommission`, send('POST', { comment: 'retired' })),
      'agent.decommission'
    ),
  ],
  [
    'POST /api/v1/agents/:id/keys/:key/revoke',
    async () => {
      const u = enrolledUplink('keyed-1');
      await waitFor(() => u.connected && u.agentId !== null, undefined, 'enrolment');
      const { keys } = await call<{ keys: AgentKeyView[] }>(
        `/api/v1/agents/${u.agentId}/keys`,
        send('GET'),
      );
      await call(
        `/api/v1/agents/${u.agentId}/keys/${keys[0]!.keyId}/revoke`,
        send('POST', { by: 'ops' }),
      );
      return 'agent.key.revoke';
    },
  ],
  [
    'POST /api/v1/ingest/enrolment-secret/rotate',
    async () => {
      // The shared core's secret is fixed by its config (a rotation would be refused, 409): a
      // core that made its own secret rotates it.
      const own = await startTestCore({ agentToken: null });
      cores.push(own);
      const res = await own.api('/api/v1/ingest/enrolment-secret/rotate', send('POST', {}));
      expect(res.status).toBe(200);
      return { action: 'ingest.enrolment_secret.rotate', core: own };
    },
  ],
];
const cores: TestCore[] = [];

describe('every mutating route is audited', () => {
  beforeAll(async () => {
    t = await startTestCore({
      recoveryGraceMs: 0,
      notifyGroupWaitMs: 0,
      heartbeatIntervalMs: 60_000,
    });
    hook = await startReceiver();
  });
  afterAll(async () => {
    for (const a of agents) await a.close().catch(() => {});
    await hook?.close();
    for (const c of cores) await c.stop();
    await t?.stop();
  });

  it('each POST/PUT/PATCH/DELETE route has a scenario here or a reason it changes nothing', () => {
    const mutating = ROUTE_KEYS.filter((k) => !k.startsWith('GET '));
    const covered = new Set(SCENARIOS.map(([k]) => k));
    expect(mutating.filter((k) => !covered.has(k) && !READ_ONLY[k])).toEqual([]);
    expect(mutating.length).toBeGreaterThan(25);
  });

  for (const [key, scenario] of SCENARIOS) {
    it(`${key} leaves a durable record`, async () => {
      const before = t.core.audit.head().seq;
      const made = await scenario();
      const { action, core } = typeof made === 'string' ? { action: made, core: t } : made;
      const since = core === t ? before : 0;
      // Answered only once durable: the record is in the file, found by the API's file scan too.
      const { entries } = (
        await core.api<{ entries: AuditEntry[] }>(`/api/v1/audit?action=${action}&limit=5`)
      ).body;
      expect(
        entries.some((e) => e.seq > since),
        `${key}: no '${action}' record after seq ${since}`,
      ).toBe(true);
    });
  }
});

// Regional relays against a central console, all real: `meridian relay` processes, real
// WebSocket agents behind them, a real TCP proxy as the WAN (cut by dropping every byte, as a
// partition does), kill -9 of a relay process. Checked through the console's own API: agents
// registered with their relay, every acked sample stored exactly once, one "relay cut off"
// alert and incident and no agent offline during a 60 s cut, "relay down" after a kill.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRangeResult } from '../../shared/analysis.js';
import type { Agent, Alert } from '../../shared/model.js';
import type { Incident } from '../../shared/incidents.js';
import type { RelaysResponse, RelayView } from '../../shared/relays.js';
import { AGENT_TOKEN, startTestCore, tempDir, waitFor, type TestCore } from '../helpers/core.js';
import { PROBE_METRIC, ProbeAgent, spawnRelay, type RelayProcess } from '../helpers/relay.js';
import { WanProxy } from '../helpers/wan-proxy.js';

const RELAY_AGENT_TOKEN = 'relay-agents-secret';
/** How long the WAN stays cut: the 60 s, shorter only if asked (local runs). */
const CUT_MS = Number(process.env.MERIDIAN_RELAY_CUT_MS ?? 60_000);
const LONG = 120_000;

let central: TestCore;
const cleanup: (() => Promise<unknown> | unknown)[] = [];
const dirs: string[] = [];

async function dir(): Promise<string> {
  const d = await tempDir();
  dirs.push(d);
  return d;
}

async function relays(): Promise<RelayView[]> {
  return (await central.api<RelaysResponse>('/api/v1/relays')).body.relays;
}

async function relayNamed(name: string): Promise<RelayView | undefined> {
  return (await relays()).find((r) => r.name === name);
}

async function agents(): Promise<Agent[]> {
  return (await central.api<{ agents: Agent[] }>('/api/v1/agents?limit=1000')).body.agents;
}

/** How often each acked batch of a probe is stored at the console (1 is exactly once). */
async function storedCounts(probe: ProbeAgent): Promise<Map<number, number>> {
  const last = probe.sent + 2;
  const qs = new URLSearchParams({
    metric: PROBE_METRIC,
    agent: probe.agentId!,
    from: String(probe.base + 1000),
    to: String(probe.base + last * 1000),
    step: '1000',
    agg: 'count',
  });
  const { status, body } = await central.api<QueryRangeResult>(`/api/v1/query_range?${qs}`);
  if (status !== 200) throw new Error(`query_range: ${status} ${JSON.stringify(body)}`);
  const counts = new Map<number, number>();
  for (const [t, c] of body.series[0]?.points ?? [])
    if (c !== null) counts.set((t - probe.base) / 1000, c);
  return counts;
}

async function expectExactlyOnce(probe: ProbeAgent): Promise<void> {
  // Every acked batch arrives (the relay may still be draining its queue): wait for it.
  const counts = await waitFor(
    async () => {
      const c = await storedCounts(probe);
      return [...probe.acked].every((n) => c.get(n) === 1) ? c : null;
    },
    LONG,
    `every acked batch of ${probe.hostname} at the console`,
  );
  for (const n of probe.acked) expect(counts.get(n), `${probe.hostname} batch ${n}`).toBe(1);
  // Nothing is stored twice, acked or not.
  expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
}

function probes(relay: RelayProcess, region: string, prefix: string, n: number): ProbeAgent[] {
  // Two hours back, on a whole second: batch n is the step at base + n s.
  const base = Math.floor((Date.now() - 2 * 3_600_000) / 1000) * 1000;
  return Array.from({ length: n }, (_, i) => {
    const p = new ProbeAgent(relay.ingestUrl, RELAY_AGENT_TOKEN, `${prefix}-${i}`, region, base);
    p.start();
    cleanup.push(() => p.stop());
    return p;
  });
}

beforeAll(async () => {
  central = await startTestCore({
    // Pings slower than the status reports, as by default (10 s and 5 s): a silent link is
    // found within two pings, after relayed agents were last reported alive. They must be held
    // by then, not paged. A relayed agent lives 3 status reports + 2 pings past its last report
    // (12 s here): 6 s more than finding the cut takes, so a loaded machine's late timers do
    // not page (with 500 ms reports the margin was 1.5 s).
    pingIntervalMs: 3_000,
    relayStatusIntervalMs: 2_000,
  });
}, LONG);

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
  await central?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}, LONG);

describe('regional relays', () => {
  it('takes three relays and their agents, each agent labelled with its relay, and tells an agent down behind a healthy relay', async () => {
    const started: RelayProcess[] = [];
    const regions = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
    for (const [i, region] of regions.entries()) {
      const relay = await spawnRelay({
        upstream: central.addr.ingestUrl,
        token: AGENT_TOKEN,
        region,
        name: `relay-${i}`,
        stateDir: await dir(),
        agentToken: RELAY_AGENT_TOKEN,
      });
      cleanup.push(() => relay.stop());
      started.push(relay);
    }
    const fleets = started.map((r, i) => probes(r, regions[i]!, `host-${i}`, 3));
    await waitFor(
      async () => {
        const list = await relays();
        return (
          list.length === 3 && list.every((r) => r.state === 'connected' && r.agents.online === 3)
        );
      },
      LONG,
      'three connected relays with three agents online each',
    );
    await waitFor(
      () => fleets.flat().every((p) => p.acked.size >= 20),
      LONG,
      'twenty batches acked to every agent',
    );
    const registered = await agents();
    for (const [i, fleet] of fleets.entries()) {
      for (const p of fleet) {
        const agent = registered.find((a) => a.id === p.agentId);
        expect(agent?.labels.relay).toBe(`relay-${i}`);
        expect(agent?.regionId).toBe(regions[i]);
        expect(agent?.status).toBe('online');
      }
    }
    // One agent behind relay-1 stops: the relay says so; the relay itself stays healthy.
    const gone = fleets[1]![0]!;
    gone.stop();
    await waitFor(
      async () => (await agents()).find((a) => a.id === gone.agentId)?.status === 'offline',
      LONG,
      'the stopped agent offline at the console',
    );
    const relay1 = (await relayNamed('relay-1'))!;
    expect(relay1.state).toBe('connected');
    expect(relay1.agents).toEqual({ total: 3, online: 2, offline: 1 });
    for (const fleet of fleets) for (const p of fleet) if (p !== gone) p.pause();
    for (const fleet of fleets) for (const p of fleet) await expectExactlyOnce(p);
    // A relay stopped by its operator says so on the way out: the console tells it from a crash.
    await started[2]!.stop();
    await waitFor(
      async () => (await relayNamed('relay-2'))?.state === 'down',
      LONG,
      'relay-2 down',
    );
    const { body } = await central.api<{ alerts: Alert[] }>('/api/v1/alerts');
    const stopped = body.alerts.find(
      (a) => a.ruleId === 'relay_unreachable' && /relay-2/.test(a.message),
    );
    expect(stopped?.message).toMatch(/down: it said it was stopping/);
    for (const r of started) await r.stop();
  }, 240_000);

  it(`holds a relay's agents online through a ${CUT_MS / 1000} s WAN cut: one "cut off" alert and incident, no offline storm, no data lost`, async () => {
    const [host, port] = new URL(central.addr.ingestUrl).host.split(':') as [string, string];
    const wan = new WanProxy(host, Number(port));
    const wanPort = await wan.start();
    cleanup.push(() => wan.stop());
    const relay = await spawnRelay({
      upstream: `ws://127.0.0.1:${wanPort}`,
      token: AGENT_TOKEN,
      region: 'eu-west-1',
      name: 'relay-wan',
      stateDir: await dir(),
      agentToken: RELAY_AGENT_TOKEN,
    });
    cleanup.push(() => relay.stop());
    const fleet = probes(relay, 'eu-west-1', 'wan', 4);
    // Welcomed by the relay (the console may list them first: the relay reports an agent at
    // its hello, the welcome waits for the relay's registry write), and reported upstream.
    await waitFor(
      async () =>
        fleet.every((p) => p.agentId !== null && p.acked.size > 0) &&
        (await relayNamed('relay-wan'))?.agents.online === 4,
      LONG,
      'relay-wan connected with its four agents',
    );
    const ids = new Set(fleet.map((p) => p.agentId!));
    const ackedBefore = fleet.map((p) => p.acked.size);

    wan.cutLink();
    const cutAt = performance.now();
    await waitFor(
      async () => (await relayNamed('relay-wan'))?.state === 'cut_off',
      LONG,
      'cut_off',
    );
    // For the whole cut: the agents stay online at the console and the relay keeps acking them.
    while (performance.now() - cutAt < CUT_MS) {
      const behind = (await agents()).filter((a) => ids.has(a.id));
      expect(behind.map((a) => a.status)).toEqual(['online', 'online', 'online', 'online']);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    fleet.forEach((p, i) => expect(p.acked.size).toBeGreaterThan(ackedBefore[i]!));
    const { body: during } = await central.api<{ alerts: Alert[] }>('/api/v1/alerts');
    const relayAlerts = during.alerts.filter(
      (a) => a.ruleId === 'relay_unreachable' && /relay-wan/.test(a.message),
    );
    expect(relayAlerts).toHaveLength(1);
    expect(relayAlerts[0]!.message).toMatch(/relay-wan \(eu-west-1\) cut off/);
    expect(relayAlerts[0]!.message).toMatch(/4 of 4 agents behind it were healthy/);
    expect(during.alerts.filter((a) => a.subject.agentId && ids.has(a.subject.agentId))).toEqual(
      [],
    );

    wan.heal();
    const back = await waitFor(
      async () => {
        const r = await relayNamed('relay-wan');
        return r?.state === 'connected' ? r : null;
      },
      LONG,
      'relay-wan connected again',
    );
    expect(back.outages[0]).toMatchObject({ kind: 'cut_off', relayRestarted: false });
    expect(back.outages[0]!.endedAt).not.toBeNull();
    fleet.forEach((p) => p.pause());
    for (const p of fleet) await expectExactlyOnce(p);
    const { body: after } = await central.api<{ incidents: Incident[] }>('/api/v1/incidents');
    const relayIncidents = after.incidents.filter((i) =>
      i.alerts.some((a) => relayAlerts.some((r) => r.id === a.alertId)),
    );
    expect(relayIncidents).toHaveLength(1);
    await waitFor(
      async () =>
        (await central.api<{ alert: Alert }>(`/api/v1/alerts/${relayAlerts[0]!.id}`)).body.alert
          ?.state === 'resolved',
      LONG,
      'the relay alert resolved',
    );
    await relay.stop();
  }, 300_000);

  it('loses no acked sample when a relay is killed -9 mid-stream and restarted: each arrives exactly once, and the console says "down", then "restarted"', async () => {
    const stateDir = await dir();
    const args = {
      upstream: central.addr.ingestUrl,
      token: AGENT_TOKEN,
      region: 'us-east-1',
      name: 'relay-crash',
      stateDir,
      agentToken: RELAY_AGENT_TOKEN,
    };
    const first = await spawnRelay(args);
    const fleet = probes(first, 'us-east-1', 'crash', 4);
    await waitFor(
      async () => (await relayNamed('relay-crash'))?.agents.online === 4,
      LONG,
      'relay-crash with four agents',
    );
    await waitFor(() => fleet.every((p) => p.acked.size > 50), LONG, 'batches acked');
    await first.kill9();
    await waitFor(async () => (await relayNamed('relay-crash'))?.state === 'down', LONG, 'down');
    const { body } = await central.api<{ alerts: Alert[] }>('/api/v1/alerts');
    const alert = body.alerts.find(
      (a) => a.ruleId === 'relay_unreachable' && /relay-crash/.test(a.message),
    );
    expect(alert?.message).toMatch(/down: it closed its connection without a word/);

    const second = await spawnRelay({ ...args, listenPort: first.port });
    cleanup.push(() => second.stop());
    await waitFor(() => fleet.every((p) => p.connected), LONG, 'agents back on the relay');
    const sentAtRestart = fleet.map((p) => p.acked.size);
    await waitFor(
      () => fleet.every((p, i) => p.acked.size > sentAtRestart[i]! + 20),
      LONG,
      'batches acked after the restart',
    );
    const back = await waitFor(
      async () => {
        const r = await relayNamed('relay-crash');
        return r?.state === 'connected' ? r : null;
      },
      LONG,
      'relay-crash connected again',
    );
    expect(back.outages[0]).toMatchObject({ kind: 'down', relayRestarted: true });
    fleet.forEach((p) => p.pause());
    for (const p of fleet) await expectExactlyOnce(p);
    await second.stop();
  }, 300_000);

  it('a relay whose key is revoked is cut off at once and stops for good (exit 1, saying why) instead of retrying', async () => {
    const relay = await spawnRelay({
      upstream: central.addr.ingestUrl,
      token: AGENT_TOKEN,
      region: 'us-east-1',
      name: 'relay-revoked',
      stateDir: await dir(),
      agentToken: RELAY_AGENT_TOKEN,
    });
    cleanup.push(() => relay.stop());
    const view = await waitFor(
      async () => {
        const r = await relayNamed('relay-revoked');
        return r?.state === 'connected' ? r : null;
      },
      LONG,
      'relay-revoked connected',
    );
    const { body } = await central.api<{ keys: { keyId: string }[] }>(
      `/api/v1/agents/${view.id}/keys`,
    );
    const revoked = await central.api(
      `/api/v1/agents/${view.id}/keys/${body.keys[0]!.keyId}/revoke`,
      {
        method: 'POST',
        body: JSON.stringify({ by: 'ops' }),
      },
    );
    expect(revoked.status).toBe(200);
    expect(await relay.exited).toBe(1);
    expect(relay.out()).toMatch(/meridian relay: the console closed the relay link for good: 4013/);
    expect((await relayNamed('relay-revoked'))?.state).toBe('down');
  }, 120_000);

  it('a relay whose listen port is taken exits 1 naming its own flag, --listen-port', async () => {
    const taken = Number(new URL(central.addr.ingestUrl).port);
    const err = await spawnRelay({
      upstream: central.addr.ingestUrl,
      token: AGENT_TOKEN,
      region: 'us-east-1',
      name: 'relay-port-taken',
      stateDir: await dir(),
      agentToken: RELAY_AGENT_TOKEN,
      listenPort: taken,
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/meridian relay exited 1: .*EADDRINUSE/s);
    expect(err?.message).toContain('Pick another --listen-port.');
  }, 120_000);
});

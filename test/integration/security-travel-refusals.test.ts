// The two fleet-level detections through the real core:
// - impossible travel: two agents (raw WebSocket agents, events made by the agent's own sshd
//   parser) in us-east-1 and ap-northeast-1 report alice logging in from two addresses minutes
//   apart; the core's region map puts them 10,900 km apart: one alert, on the second host;
// - agent token guessing: 20 upgrades with wrong tokens from one address (the ingest answers
//   401, then 429 once it throttles) become one alert about the console, by source address.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { toAgentEvent } from '../../agent/security/auth-event.js';
import { parseAuthMessage } from '../../agent/security/auth-patterns.js';
import type { Alert } from '../../shared/model.js';
import type { AgentEvent } from '../../shared/protocol.js';
import {
  connectAgent,
  startTestCore,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const TRAVEL = '5c0e8f7a-4b7e-4f43-9d0f-2a1e6b3c9d71';
const GUESSING = '9e3a6f20-1c4d-4b8e-9f7a-5d2c8b1e0a63';

let t: TestCore | undefined;
const agents: TestAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
  await t?.stop();
  t = undefined;
});

let seq = 0;
function accepted(user: string, ip: string, ts: number): AgentEvent {
  const message = `Accepted password for ${user} from ${ip} port 51234 ssh2`;
  return toAgentEvent(parseAuthMessage('sshd', message)!, { ts, pid: 4100, message });
}

const alertsOf = async (tc: TestCore, ruleId: string) =>
  (await tc.api<{ alerts: Alert[] }>('/api/v1/alerts?limit=1000')).body.alerts.filter(
    (a) => a.ruleId === `detect:${ruleId}`,
  );

/** One upgrade with a wrong token; resolves with the HTTP status of the refusal. */
function wrongToken(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { Authorization: 'Bearer not-the-token' } });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => {});
  });
}

describe('fleet-level detections through the core', () => {
  it('alice logging in in Virginia and Tokyo minutes apart from two addresses is one impossible-travel alert', async () => {
    t = await startTestCore();
    const east = await connectAgent(t.addr.ingestUrl, {
      hostname: 'bastion-east',
      region: 'us-east-1',
    });
    agents.push(east);
    const tokyo = await connectAgent(t.addr.ingestUrl, {
      hostname: 'bastion-tokyo',
      region: 'ap-northeast-1',
    });
    agents.push(tokyo);
    const now = Date.now();
    // bob, from one workstation on both: not travel
    east.send({
      type: 'events',
      seq: ++seq,
      events: [accepted('bob', '198.51.100.20', now - 9 * 60_000)],
    });
    tokyo.send({
      type: 'events',
      seq: ++seq,
      events: [accepted('bob', '198.51.100.20', now - 8 * 60_000)],
    });
    east.send({
      type: 'events',
      seq: ++seq,
      events: [accepted('alice', '198.51.100.7', now - 7 * 60_000)],
    });
    tokyo.send({
      type: 'events',
      seq: ++seq,
      events: [accepted('alice', '203.0.113.50', now - 60_000)],
    });
    const [alert] = await waitFor(
      async () => {
        const open = await alertsOf(t!, TRAVEL);
        return open.length > 0 && open;
      },
      undefined,
      'the impossible-travel alert',
    );
    expect(alert).toMatchObject({
      subject: { kind: 'agent', agentId: tokyo.agentId, regionId: 'ap-northeast-1' },
      labels: { user: 'alice', distinct: 'us-east-1,ap-northeast-1', mitre: 'T1078' },
    });
    expect(alert!.message).toContain(
      'Impossible travel on bastion-tokyo: logins in us-east-1 and ap-northeast-1 360 s apart (user=alice)',
    );
    await waitFor(
      async () => (await t!.metric('meridian_detection_events_scanned_total')) >= 4,
      undefined,
      'all four logins scanned',
    );
    expect(await alertsOf(t, TRAVEL)).toHaveLength(1); // bob raised nothing
  });

  it('20 wrong agent tokens from one address are one token-guessing alert about the console', async () => {
    t = await startTestCore();
    const statuses: number[] = [];
    for (let i = 0; i < 19; i++) statuses.push(await wrongToken(t.addr.ingestUrl));
    // The default throttle: 10 wrong tokens, then 429 without the token being looked at.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(9).fill(429));
    expect(await alertsOf(t, GUESSING)).toEqual([]);
    await wrongToken(t.addr.ingestUrl);
    const [alert] = await waitFor(
      async () => {
        const open = await alertsOf(t!, GUESSING);
        return open.length > 0 && open;
      },
      undefined,
      'the token-guessing alert',
    );
    expect(alert).toMatchObject({
      subject: { kind: 'console', agentId: null, regionId: null },
      labels: { src_ip: '127.0.0.1', mitre: 'T1110,T1110.001', hostname: 'console' },
      value: 20,
    });
    expect(alert!.message).toContain('Agent token guessing at the ingest port on console');
  });
});

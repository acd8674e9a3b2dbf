// Detection end to end through the real core: a raw WebSocket agent sends `events` frames
// made by the agent's own parser (the lines a real sshd writes), the core stores them, the
// Sigma rules run, and a detection becomes an alert in the alert book that reaches an
// incident, with its rule, MITRE ids and group values; GET /api/v1/detections lists it.
// Operator rules come from <data-dir>/detections: a bad file is reported with file:line and
// counted, and the others still detect.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toAgentEvent } from '../../agent/security/auth-event.js';
import { parseAuthMessage } from '../../agent/security/auth-patterns.js';
import { Simulator } from '../../agent/simulator.js';
import { systemClock } from '../../shared/clock.js';
import type { Alert } from '../../shared/model.js';
import type { AgentEvent } from '../../shared/protocol.js';
import type { Incident } from '../../shared/incidents.js';
import type { DetectionView, DetectionRulesInfo } from '../../shared/security.js';
import {
  AGENT_TOKEN,
  connectAgent,
  startTestCore,
  tempDir,
  waitFor,
  type TestAgent,
  type TestCore,
} from '../helpers/core.js';

const BRUTE_FORCE = 'd611737a-a302-49f4-89b6-3f80eca73682';
const SHADOW_RULE = '4f1c2a9e-0000-4000-8000-00000000beef';

let t: TestCore | undefined;
let agent: TestAgent | undefined;
afterEach(async () => {
  await agent?.close();
  await t?.stop();
  agent = t = undefined;
});

/** An event exactly as the agent's parser makes it from an sshd/sudo message. */
function agentEvent(ident: string, message: string, ts: number, pid = 4242): AgentEvent {
  const m = parseAuthMessage(ident, message);
  if (!m) throw new Error(`not an auth line: ${message}`);
  return toAgentEvent(m, { ts, pid, message });
}

/** One sshd connection from `ip` with `tries` failed passwords (and the lines around them). */
function sshdConnection(ip: string, port: number, user: string, tries: number, ts: number) {
  return [
    agentEvent('sshd', `Invalid user ${user} from ${ip} port ${port}`, ts),
    agentEvent(
      'sshd',
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`,
      ts,
    ),
    ...Array.from({ length: tries }, (_, i) =>
      agentEvent(
        'sshd',
        `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`,
        ts + i * 1000,
      ),
    ),
    agentEvent(
      'sshd',
      `Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`,
      ts + tries * 1000,
    ),
  ];
}

/** `attempts` failed passwords from `ip` within 40 s, in connections of up to 3 tries. */
function attack(ip: string, attempts: number, start: number): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (let done = 0, n = 0; done < attempts; n++) {
    const tries = Math.min(3, attempts - done);
    out.push(...sshdConnection(ip, 40_000 + n, `user${n}`, tries, start + done * 4000));
    done += tries;
  }
  return out;
}

let seq = 0;
function sendEvents(a: TestAgent, events: AgentEvent[]): void {
  for (let i = 0; i < events.length; i += 100)
    a.send({ type: 'events', seq: ++seq, events: events.slice(i, i + 100) });
}

const alertsOf = async (tc: TestCore, ruleId: string) =>
  (await tc.api<{ alerts: Alert[] }>('/api/v1/alerts?limit=1000')).body.alerts.filter(
    (a) => a.ruleId === ruleId,
  );

describe('security detection through the core', () => {
  it('10 SSH failures from one source in a minute raise one brute-force alert that reaches an incident; 9 do not', async () => {
    t = await startTestCore();
    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'bastion-1', region: 'eu-west-1' });
    const now = Date.now();
    // 9 attempts from one source (with their Invalid user / PAM / preauth lines: 18 failure
    // events), then 10 from another.
    const nine = attack('198.51.100.9', 9, now - 50_000);
    const ten = attack('203.0.113.7', 10, now - 45_000);
    sendEvents(agent, nine);
    sendEvents(agent, ten);
    const ruleId = `detect:${BRUTE_FORCE}`;
    const [alert] = await waitFor(
      async () => {
        const open = await alertsOf(t!, ruleId);
        return open.length > 0 && open;
      },
      undefined,
      'the brute-force alert',
    );
    expect(alert).toMatchObject({
      severity: 'critical',
      subject: { kind: 'agent', agentId: agent.agentId, regionId: 'eu-west-1' },
      labels: {
        sigma_id: BRUTE_FORCE,
        mitre: 'T1110,T1110.001',
        src_ip: '203.0.113.7',
        agentId: agent.agentId,
        hostname: 'bastion-1',
      },
    });
    expect(alert!.message).toContain('SSH brute force on bastion-1');
    expect(alert!.message).toContain('T1110.001');
    // Every event of both sources was scanned before this point: the 9 never fired.
    await waitFor(
      async () =>
        (await t!.metric('meridian_detection_events_scanned_total')) >= nine.length + ten.length,
      undefined,
      'all events scanned',
    );
    const all = await alertsOf(t, ruleId);
    expect(all.map((a) => a.labels?.src_ip)).toEqual(['203.0.113.7']);
    expect(await t.metric('meridian_detections_total', { rule: BRUTE_FORCE })).toBe(1);

    const incident = await waitFor(
      async () => {
        const list = (await t!.api<{ incidents: Incident[] }>('/api/v1/incidents')).body.incidents;
        return list.find((i) => i.alerts.some((r) => r.alertId === alert!.id));
      },
      undefined,
      'an incident holding the detection alert',
    );
    expect(incident.severity).toBe('critical');

    const { body } = await t.api<{ detections: DetectionView[]; rules: DetectionRulesInfo }>(
      '/api/v1/detections',
    );
    expect(body.rules.errors).toEqual([]);
    expect(body.detections).toHaveLength(1);
    expect(body.detections[0]).toMatchObject({
      ruleId: BRUTE_FORCE,
      alertRuleId: ruleId,
      alertId: alert!.id,
      title: 'SSH brute force',
      severity: 'critical',
      mitre: ['T1110', 'T1110.001'],
      kind: 'event_count',
      count: 10,
      group: { agentId: agent.agentId, src_ip: '203.0.113.7' },
      agentId: agent.agentId,
      hostname: 'bastion-1',
      regionId: 'eu-west-1',
    });
    expect(body.detections[0]!.lastTs - body.detections[0]!.firstTs).toBeLessThanOrEqual(60_000);
  });

  it('a bad operator rule file is reported with file:line and counted; the other operator rules detect', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'detections');
    await mkdir(dir);
    // Line 6 has a bad modifier: the whole file is refused.
    await writeFile(
      join(dir, 'bad.yml'),
      [
        'title: Broken rule',
        'id: 0b0b0b0b-0000-4000-8000-000000000001',
        'logsource: { category: security, service: sudo }',
        'detection:',
        '  selection:',
        '    command|base64: cat',
        '  condition: selection',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'shadow.yml'),
      [
        'title: Shadow file read through sudo',
        `id: ${SHADOW_RULE}`,
        'level: high',
        'tags: [attack.credential_access, attack.t1003.008]',
        'logsource: { category: security, service: sudo }',
        'detection:',
        '  selection:',
        '    event.type: sudo',
        '    command|contains: /etc/shadow',
        '  condition: selection',
        '',
      ].join('\n'),
    );
    t = await startTestCore({ dataDir });
    const { body: before } = await t.api<{ rules: DetectionRulesInfo }>('/api/v1/detections');
    expect(before.rules.errors).toEqual([
      { file: join(dir, 'bad.yml'), line: 6, reason: expect.stringContaining('base64') },
    ]);
    expect(await t.metric('meridian_detection_rule_file_errors')).toBe(1);

    agent = await connectAgent(t.addr.ingestUrl, { hostname: 'db-1', region: 'us-east-1' });
    sendEvents(agent, [
      agentEvent(
        'sudo',
        'root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/cat /etc/shadow',
        Date.now(),
      ),
    ]);
    const [alert] = await waitFor(
      async () => {
        const open = await alertsOf(t!, `detect:${SHADOW_RULE}`);
        return open.length > 0 && open;
      },
      undefined,
      "the operator rule's alert",
    );
    expect(alert).toMatchObject({
      severity: 'critical',
      labels: { sigma_id: SHADOW_RULE, mitre: 'T1003.008', hostname: 'db-1' },
    });
    const { body } = await t.api<{ detections: DetectionView[] }>(
      `/api/v1/detections?rule=${SHADOW_RULE}`,
    );
    expect(body.detections).toMatchObject([
      { ruleId: SHADOW_RULE, kind: 'detection', count: 1, agentId: agent.agentId },
    ]);
  });

  it("the simulator's bruteForce hook is one detection on that agent", async () => {
    t = await startTestCore();
    const sim = new Simulator({
      url: t.addr.ingestUrl,
      token: AGENT_TOKEN,
      agents: 2,
      seed: 3,
      clock: systemClock,
      fillingDiskEvery: 0,
    });
    try {
      await sim.start();
      expect(sim.connectedCount()).toBe(2);
      sim.bruteForce(1, { attempts: 12, sourceIp: '192.0.2.200' });
      const [alert] = await waitFor(
        async () => {
          const open = await alertsOf(t!, `detect:${BRUTE_FORCE}`);
          return open.length > 0 && open;
        },
        undefined,
        'the brute-force alert from the simulator',
      );
      expect(alert!.labels).toMatchObject({
        src_ip: '192.0.2.200',
        agentId: sim.agents[1]!.uplink.agentId,
        mitre: 'T1110,T1110.001',
      });
    } finally {
      sim.stop();
    }
  });

  it('a bad query is a 400 naming the field', async () => {
    t = await startTestCore();
    const res = await t.api<{ error: { code: string; field?: string } }>(
      '/api/v1/detections?limit=lots',
    );
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('limit');
  });
});

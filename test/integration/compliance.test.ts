// Posture facts through the real ingest WebSocket into the real core, and the compliance API
// over real HTTP: scorecards, per-agent posture, the evidence export in three formats, bad
// input refused and counted, facts kept across a restart. The reference agent's posture
// collectors run on a fixture host (no sshd, nft or LUKS disk can be set up here), named as such.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostAgent } from '../../agent/agent.js';
import type { CommandOutcome, HostAccess } from '../../agent/security/posture/host-access.js';
import type { AgentPosture, ComplianceReport } from '../../shared/compliance.js';
import { systemClock } from '../../shared/clock.js';
import { FACT_IDS, type PostureFact } from '../../shared/posture.js';
import {
  AGENT_TOKEN,
  connectAgent,
  startTestCore,
  waitFor,
  type TestCore,
} from '../helpers/core.js';
import { startFakeConsole, type FakeConsole } from '../helpers/fake-console.js';

let tc: TestCore | undefined;
let agent: HostAgent | undefined;
let fake: FakeConsole | undefined;
afterEach(async () => {
  agent?.stop();
  await fake?.stop();
  await tc?.stop();
  tc = agent = fake = undefined;
});

const fact = (
  id: string,
  value: PostureFact['value'],
  raw = `${id} ${String(value)}`,
): PostureFact => ({
  id,
  value,
  status: 'collected',
  evidence: { source: 'sshd -T', raw },
  collectedAt: Date.now(),
});

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

async function report(q = ''): Promise<ComplianceReport> {
  const res = await tc!.api<ComplianceReport>(`/api/v1/compliance${q}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('posture facts and compliance', () => {
  it('facts over a real WebSocket fail a control; an old agent without facts is unknown', async () => {
    tc = await startTestCore();
    const modern = await connectAgent(tc.addr.ingestUrl, { protocol: 2, hostname: 'web-root' });
    const old = await connectAgent(tc.addr.ingestUrl, { protocol: 1, hostname: 'web-old' });
    modern.send({
      type: 'facts',
      full: true,
      facts: [
        fact(FACT_IDS.sshdPermitRootLogin, 'yes', 'permitrootlogin yes'),
        fact(FACT_IDS.passwordMaxDays, 99999),
      ],
    });
    const r = await waitFor(
      async () => {
        const rep = await report();
        const c = rep.controls.find((x) => x.id === 'ssh-root-login-disabled');
        return c && c.fail === 1 ? rep : null;
      },
      undefined,
      'the root-login control failing',
    );
    // Failing first, with the evidence.
    expect(r.controls[0]!.fail).toBeGreaterThan(0);
    const root = r.controls.find((x) => x.id === 'ssh-root-login-disabled')!;
    expect(root.results[0]).toMatchObject({
      agentId: modern.agentId,
      hostname: 'web-root',
      result: 'fail',
      evidence: { value: 'yes', source: 'sshd -T', raw: 'permitrootlogin yes' },
    });
    const oldRow = root.results.find((x) => x.agentId === old.agentId)!;
    expect(oldRow.result).toBe('unknown');
    expect(oldRow.evidence.reason).toContain('sends no posture facts');
    // The old agent's batches still work as before.
    old.send({
      type: 'metrics',
      seq: 1,
      samples: [{ name: 'cpu_usage', value: 5, ts: Date.now() }],
    });
    expect(await old.next<{ seq: number }>('ack')).toMatchObject({ seq: 1 });
    const pci = r.frameworks.find((f) => f.framework === 'pci-dss')!;
    expect(pci.failingControls).toBeGreaterThanOrEqual(2);
    // Today's trend point is this evaluation, not the one stored at start (before any facts).
    expect(r.trend.at(-1)!.ratios['pci-dss']).toBe(pci.ratio);
    const onlyGdpr = await report('?framework=gdpr');
    expect(onlyGdpr.trend.at(-1)!.ratios['pci-dss']).toBe(pci.ratio);
    const region = r.regions.find((x) => x.regionId === 'us-east-1')!;
    expect(region.failingAgents).toBe(1);
    // Per-agent posture (the drawer's).
    const posture = await tc.api<AgentPosture>(`/api/v1/compliance/agents/${modern.agentId}`);
    expect(posture.body.facts.map((f) => f.id)).toEqual([
      FACT_IDS.passwordMaxDays,
      FACT_IDS.sshdPermitRootLogin,
    ]);
    expect(posture.body.controls.find((c) => c.id === 'password-max-age')?.result).toBe('fail');
    expect((await tc.api(`/api/v1/compliance/agents/agt-nope`)).status).toBe(404);
    expect(await tc.metric('meridian_posture_facts_received_total', { outcome: 'changed' })).toBe(
      2,
    );

    // A change arrives: the control passes, and the change is in the history.
    modern.send({ type: 'facts', full: false, facts: [fact(FACT_IDS.sshdPermitRootLogin, 'no')] });
    await waitFor(
      async () =>
        (await report()).controls.find((x) => x.id === 'ssh-root-login-disabled')?.pass === 1,
      undefined,
      'the root-login control passing',
    );
    const history = tc.core.compliance.facts.history(modern.agentId, FACT_IDS.sshdPermitRootLogin);
    expect(history.map((h) => h.fact.value)).toEqual(['yes', 'no']);
    await modern.close();
    await old.close();
  });

  it('a malformed facts frame is closed 4001 naming the field, and counted', async () => {
    tc = await startTestCore();
    const a = await connectAgent(tc.addr.ingestUrl, { protocol: 2 });
    a.send({
      type: 'facts',
      full: true,
      facts: [{ ...fact('sshd.permit_root_login', 'no'), status: 'maybe' }],
    });
    const closed = await a.closed;
    expect(closed.code).toBe(4001);
    expect(closed.reason).toContain('/facts/0/status');
    expect(await tc.metric('meridian_frames_rejected_total', { reason: 'schema_violation' })).toBe(
      1,
    );
    expect((await report()).controls.every((c) => c.fail === 0)).toBe(true);
  });

  it('export: HTML self-contained with the audit head, JSON, CSV that parses; recorded in the audit log; bad format 400', async () => {
    tc = await startTestCore();
    const a = await connectAgent(tc.addr.ingestUrl, { protocol: 2, hostname: 'db-1' });
    a.send({
      type: 'facts',
      full: true,
      facts: [fact(FACT_IDS.sshdPermitRootLogin, 'yes', 'line one\nline "two", <b>three</b>')],
    });
    await waitFor(async () => (await report()).controls.some((c) => c.fail > 0));
    const get = (q: string) =>
      fetch(`${tc!.addr.apiUrl}/api/v1/compliance/export?${q}`, {
        headers: { Authorization: 'Bearer test-session-token' },
      });

    const html = await get('format=html&by=alice');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-disposition')).toMatch(
      /attachment; filename="meridian-compliance-.*\.html"/,
    );
    const page = await html.text();
    expect(page).toContain('Audit chain head');
    expect(page).toContain('&lt;b&gt;three&lt;/b&gt;');
    expect(page).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\//i);

    const json = (await (await get('format=json&framework=pci-dss')).json()) as ComplianceReport;
    expect(json.filter).toEqual({ framework: 'pci-dss', region: null });
    expect(json.audit).toMatchObject({ enabled: true });

    const csv = await (await get('format=csv')).text();
    const rows = parseCsv(csv);
    expect(rows[0]![0]).toBe('control_id');
    expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
    const full = await report();
    expect(rows.length - 1).toBe(full.controls.reduce((n, c) => n + c.results.length, 0));
    const rootRow = rows.find((r) => r[0] === 'ssh-root-login-disabled' && r[8] === 'db-1')!;
    expect(rootRow[10]).toBe('fail');
    expect(rootRow[14]).toBe('line one\nline "two", <b>three</b>');

    const audit = await tc.api<{
      entries: { action: string; by: string; after: { format: string } }[];
    }>('/api/v1/audit?action=compliance.export');
    expect(audit.body.entries.map((e) => [e.by, e.after.format]).sort()).toEqual([
      ['alice', 'html'],
      ['operator', 'csv'],
      ['operator', 'json'],
    ]);

    const bad = await tc.api<{ error: { code: string; field?: string } }>(
      '/api/v1/compliance/export?format=pdf',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_query', field: 'format' });
    const badFw = await tc.api<{ error: { field?: string } }>('/api/v1/compliance?framework=hipaa');
    expect(badFw.status).toBe(400);
    expect(badFw.body.error.field).toBe('framework');
    expect(
      await tc.metric('meridian_api_requests_rejected_total', { reason: 'invalid_query' }),
    ).toBe(2);
    await a.close();
  });

  it('facts survive a restart (facts.ndjson), past a damaged line and a torn tail', async () => {
    tc = await startTestCore();
    const a = await connectAgent(tc.addr.ingestUrl, { protocol: 2 });
    a.send({ type: 'facts', full: true, facts: [fact(FACT_IDS.firewallActive, false)] });
    await waitFor(() => tc!.core.compliance.facts.latest(a.agentId).size === 1);
    await tc.core.compliance.facts.flush();
    await a.close();
    const dataDir = tc.dataDir;
    await tc.stop({ keepDir: true });
    // A line damaged on disk and a write torn by a crash: skipped, the rest replayed.
    await appendFile(
      join(dataDir, 'facts.ndjson'),
      'deadbeef ["p","c99",{"oops":1}]\n00000000 ["p","c1',
    );
    tc = await startTestCore({ dataDir });
    const posture = await tc.api<AgentPosture>(`/api/v1/compliance/agents/${a.agentId}`);
    expect(posture.status).toBe(200);
    // The day's trend point is taken at start (compliance-trend.ndjson).
    const trend = await waitFor(async () => {
      const t = (await report()).trend;
      return t.length > 0 ? t : null;
    });
    expect(trend.at(-1)!.day).toBe(new Date(trend.at(-1)!.at).toISOString().slice(0, 10));
    expect(trend.at(-1)!.ratios['pci-dss']).toBeTypeOf('number');
    expect(posture.body.facts).toMatchObject([{ id: FACT_IDS.firewallActive, value: false }]);
    expect(posture.body.controls.find((c) => c.id === 'host-firewall-active')?.result).toBe('fail');
  });

  it('the reference agent collects on a fixture host and sends facts; to a protocol-1 console it sends none', async () => {
    const outputs: Record<string, CommandOutcome> = {
      'sshd -T': {
        code: 0,
        stdout: 'permitrootlogin yes\npasswordauthentication no\n',
        stderr: '',
      },
    };
    const fixtureHost: HostAccess = {
      run: async (argv) =>
        outputs[argv.join(' ')] ?? { code: null, stdout: '', stderr: '', failure: 'not_found' },
      fs: { readFile: async () => null, readDir: async () => null },
    };
    const start = (url: string) => {
      agent = new HostAgent({
        url,
        token: AGENT_TOKEN,
        region: 'us-east-1',
        agentType: 'system',
        hostname: 'posture-1',
        version: 'test',
        clock: systemClock,
        intervals: { headline: 600_000, network: 600_000, filesystems: 600_000 },
        log: () => {},
        security: false,
        posture: { host: fixtureHost, platform: 'linux', watchPaths: [], firstDelayMs: 0 },
        onFatal: () => {},
      });
      agent.start();
      return agent;
    };
    tc = await startTestCore();
    const a = start(tc.addr.ingestUrl);
    const id = await waitFor(() => a.uplink.agentId);
    const posture = await waitFor(async () => {
      const p = await tc!.api<AgentPosture>(`/api/v1/compliance/agents/${id}`);
      return p.body.facts.length === Object.keys(FACT_IDS).length ? p.body : null;
    });
    expect(posture.controls.find((c) => c.id === 'ssh-root-login-disabled')).toMatchObject({
      result: 'fail',
      evidence: { source: 'sshd -T', raw: 'permitrootlogin yes' },
    });
    expect(posture.controls.find((c) => c.id === 'host-firewall-active')).toMatchObject({
      result: 'unknown',
    });
    a.stop();

    // An older console (its welcome says protocol 1) would close on an unknown type: no facts.
    fake = await startFakeConsole({});
    const b = start(fake.url);
    await waitFor(() => b.uplink.connected);
    await b.posture!.collect();
    // A metrics batch sent after the collection is the marker that the agent has spoken since.
    b.uplink.sendMetrics([{ name: 'cpu_usage', value: 1, ts: Date.now() }]);
    await waitFor(() => fake!.frames.some((f) => f.type === 'metrics'));
    expect(fake.frames.filter((f) => f.type === 'facts')).toEqual([]);
  });
});

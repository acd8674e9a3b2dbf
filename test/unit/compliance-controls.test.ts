// The control catalogue (the real controls.yml), the pass rules, the scorecards and the CSV
// and HTML exports, on a fleet of facts built here.
import { describe, expect, it } from 'vitest';
import { FACT_IDS, type PostureFact } from '../../shared/posture.js';
import {
  CatalogueError,
  loadCatalogue,
  parseCatalogue,
} from '../../electron/core/compliance/catalogue.js';
import { readConsoleState } from '../../electron/core/compliance/console-state.js';
import { judge } from '../../electron/core/compliance/evaluate.js';
import { complianceCsv, csvField } from '../../electron/core/compliance/export-csv.js';
import { complianceHtml } from '../../electron/core/compliance/export-html.js';
import { buildReport, type AgentInScope } from '../../electron/core/compliance/scorecards.js';

const NOW = 1_764_500_000_000;
const fact = (
  id: string,
  value: PostureFact['value'],
  over: Partial<PostureFact> = {},
): PostureFact => ({
  id,
  value,
  status: 'collected',
  evidence: { source: 'sshd -T', raw: `${id} ${String(value)}` },
  collectedAt: NOW - 1000,
  ...over,
});

const agent = (
  id: string,
  regionId: string,
  facts: PostureFact[],
  reported = true,
): AgentInScope => ({
  id,
  hostname: `host-${id}`,
  regionId,
  facts: new Map(facts.map((f) => [f.id, f])),
  reported,
});

const state = (over: Partial<Parameters<typeof readConsoleState>[0]> = {}) =>
  readConsoleState({
    now: () => NOW,
    auditStatus: () => ({ enabled: true, verified: true, headHash: 'ab'.repeat(32), headSeq: 42 }),
    eventRetentionDays: () => 400,
    detectionRule: () => ({ loaded: true, status: 'stable' }),
    timeSync: () => ({ synced: true, source: 'timedatectl', raw: 'yes' }),
    ...over,
  });

describe('control catalogue', () => {
  it('controls.yml loads: host and console controls, each with framework references', async () => {
    const controls = await loadCatalogue();
    expect(controls.length).toBeGreaterThanOrEqual(12);
    const ids = controls.map((c) => c.id);
    expect(ids).toContain('ssh-root-login-disabled');
    expect(ids).toContain('console-event-retention');
    const pciRefs = controls.flatMap((c) => c.refs['pci-dss'] ?? []);
    for (const ref of ['2.2', '8.3.4', '8.3.6', '10.2.1', '10.4.1', '10.5.1', '10.6.1'])
      expect(pciRefs).toContain(ref);
    const gdpr = controls.flatMap((c) => c.refs.gdpr ?? []);
    for (const ref of ['5(1)(f)', '32', '33']) expect(gdpr).toContain(ref);
    const sox = new Set(controls.flatMap((c) => c.refs.sox ?? []));
    expect([...sox].sort()).toEqual(['access', 'change-management', 'operations']);
    // Every host control reads a fact the agent can send.
    for (const c of controls.filter((x) => x.scope === 'host'))
      expect(Object.values(FACT_IDS)).toContain(c.reads);
  });

  it('a bad catalogue is refused whole, naming the control and field', () => {
    const base = `controls:\n  - id: a-b\n    title: T\n    scope: host\n    fact: x.y\n    refs: { gdpr: ['32'] }\n`;
    expect(() => parseCatalogue(`${base}    pass: { equals: 'no' }\n`)).not.toThrow();
    expect(() => parseCatalogue(`${base}    pass: { below: 3 }\n`)).toThrow(
      /control 'a-b' field 'pass': unknown rule 'below'/,
    );
    expect(() => parseCatalogue(`${base}    pass: { lte: 'ten' }\n`)).toThrow(
      /'pass'.lte: a number/,
    );
    expect(() =>
      parseCatalogue(base.replace("gdpr: ['32']", "hipaa: ['1']") + '    pass: { exists: true }\n'),
    ).toThrow(/field 'refs'.hipaa: unknown framework/);
    expect(() => parseCatalogue('controls: [\n')).toThrow(CatalogueError);
  });
});

describe('pass rules', () => {
  it('equals, in, lte, gte, exists; a wrong type is a reason, not a verdict', () => {
    expect(judge({ op: 'equals', value: 'no' }, 'no')).toBe('pass');
    expect(judge({ op: 'equals', value: 'no' }, 'yes')).toBe('fail');
    expect(judge({ op: 'in', values: ['no', 'prohibit-password'] }, 'prohibit-password')).toBe(
      'pass',
    );
    expect(judge({ op: 'lte', value: 90 }, 90)).toBe('pass');
    expect(judge({ op: 'lte', value: 90 }, 99999)).toBe('fail');
    expect(judge({ op: 'gte', value: 365 }, 364)).toBe('fail');
    expect(judge({ op: 'exists' }, false)).toBe('pass');
    expect(judge({ op: 'lte', value: 90 }, '90')).toMatch(/not a number/);
    expect(judge({ op: 'equals', value: true }, null)).toBe('no value');
  });
});

describe('compliance report', () => {
  it('scorecards per framework and region; failing controls first; unknown with its reason', async () => {
    const catalogue = await loadCatalogue();
    const agents = [
      agent('a1', 'us-east-1', [fact(FACT_IDS.sshdPermitRootLogin, 'no')]),
      agent('a2', 'us-east-1', [fact(FACT_IDS.sshdPermitRootLogin, 'yes')]),
      agent('a3', 'eu-west-1', [
        fact(FACT_IDS.sshdPermitRootLogin, null, {
          status: 'not_collected',
          reason: 'sshd is not installed',
        }),
      ]),
      agent('a4', 'eu-west-1', [], false),
    ];
    const report = buildReport({
      now: NOW,
      catalogue,
      agents,
      regionIds: ['us-east-1', 'eu-west-1'],
      state: state({ eventRetentionDays: () => undefined }),
      framework: null,
      region: null,
      trend: [],
      audit: { enabled: true, verified: true, headHash: 'h', headSeq: 1 },
    });
    const root = report.controls.find((c) => c.id === 'ssh-root-login-disabled')!;
    expect([root.pass, root.fail, root.unknown]).toEqual([1, 1, 2]);
    expect(root.results[0]).toMatchObject({ agentId: 'a2', result: 'fail' });
    expect(root.results[0]!.evidence).toMatchObject({
      value: 'yes',
      source: 'sshd -T',
      collectedAt: NOW - 1000,
    });
    const a3 = root.results.find((r) => r.agentId === 'a3')!;
    expect(a3).toMatchObject({ result: 'unknown', evidence: { reason: 'sshd is not installed' } });
    const a4 = root.results.find((r) => r.agentId === 'a4')!;
    expect(a4.evidence.reason).toContain('sends no posture facts');
    // Failing controls first.
    expect(report.controls[0]!.fail).toBeGreaterThan(0);
    const firstNotFailing = report.controls.findIndex((c) => c.fail === 0);
    expect(report.controls.slice(firstNotFailing).every((c) => c.fail === 0)).toBe(true);
    // Retention not configured: unknown, never a pass.
    const retention = report.controls.find((c) => c.id === 'console-event-retention')!;
    expect(retention.results[0]).toMatchObject({ result: 'unknown' });
    expect(retention.results[0]!.evidence.reason).toContain('eventRetentionDays');
    const pci = report.frameworks.find((f) => f.framework === 'pci-dss')!;
    expect(pci.fail).toBeGreaterThan(0);
    expect(pci.ratio).toBeCloseTo(pci.pass / (pci.pass + pci.fail));
    const east = report.regions.find((r) => r.regionId === 'us-east-1')!;
    expect(east).toMatchObject({ agents: 2, failingAgents: 1 });

    const onlyEu = buildReport({
      now: NOW,
      catalogue,
      agents,
      regionIds: ['us-east-1', 'eu-west-1'],
      state: state(),
      framework: 'sox',
      region: 'eu-west-1',
      trend: [],
      audit: { enabled: true, verified: true, headHash: 'h', headSeq: 1 },
    });
    expect(onlyEu.frameworks.map((f) => f.framework)).toEqual(['sox']);
    expect(onlyEu.controls.every((c) => c.refs.sox)).toBe(true);
    expect(onlyEu.regions.map((r) => r.regionId)).toEqual(['eu-west-1']);
    expect(onlyEu.controls.flatMap((c) => c.results).some((r) => r.agentId === 'a2')).toBe(false);
  });

  it('console controls: audit not verified, brute-force rule missing, clock unknown', () => {
    const s = state({
      auditStatus: () => ({ enabled: true, verified: null, headHash: null, headSeq: 3 }),
      detectionRule: () => ({ loaded: false, status: null }),
      timeSync: () => ({
        synced: null,
        source: 'timedatectl',
        raw: '',
        reason: 'timedatectl is not installed',
      }),
    });
    expect(s.get('audit.verified')).toMatchObject({ value: null });
    expect(s.get('audit.verified')?.reason).toContain('not been verified');
    expect(s.get('detection.ssh_brute_force')).toMatchObject({ value: false, raw: 'not loaded' });
    expect(s.get('console.time_synchronized')?.reason).toBe('timedatectl is not installed');
    const deprecated = state({ detectionRule: () => ({ loaded: true, status: 'deprecated' }) });
    expect(deprecated.get('detection.ssh_brute_force')?.value).toBe(false);
  });

  it('CSV: quoted where needed, formulas neutralised; HTML: self-contained with the head hash', async () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    const report = buildReport({
      now: NOW,
      catalogue: await loadCatalogue(),
      agents: [
        agent('a1', 'us-east-1', [
          fact(FACT_IDS.sshdPermitRootLogin, 'yes', {
            evidence: { source: 'sshd -T', raw: 'line1\nline2, "quoted" <b>' },
          }),
        ]),
      ],
      regionIds: ['us-east-1'],
      state: state(),
      framework: null,
      region: null,
      trend: [],
      audit: { enabled: true, verified: true, headHash: 'c0ffee'.repeat(10), headSeq: 7 },
    });
    const csv = complianceCsv(report);
    expect(csv.split('\r\n')[0]).toMatch(/^control_id,control_title,scope,pci_dss/);
    expect(csv).toContain('"line1\nline2, ""quoted"" <b>"');
    const html = complianceHtml(report);
    expect(html).toContain('c0ffee'.repeat(10));
    expect(html).toContain(new Date(NOW).toISOString());
    expect(html).toContain('&lt;b&gt;');
    expect(html).not.toMatch(/<script|<link|src=|url\(|https?:\/\//i);
  });
});

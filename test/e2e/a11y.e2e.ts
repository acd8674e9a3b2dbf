// Accessibility: axe-core on every page, in both themes, finds no serious or critical
// violation (WCAG 2.x A/AA, colour contrast included). The fleet: 40 simulated agents with
// firing alerts, a degraded region and agents with an hour of history (for trends and charts);
// and the first-run page of a console with no agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { CapacityReport } from '../../shared/forecast.js';
import { axeViolations, describeFindings } from './axe.js';
import { startProbe, type Probe } from './history.js';
import { SHOT_PROBES } from './shot-probes.js';
import { startStack, type Stack } from './stack.js';
import { alertsIn, byTestId, eventually, openConsole, waitForText } from './ui.js';

const THEMES = ['dark', 'light'] as const;
type Theme = (typeof THEMES)[number];

/** Open `hash` in `theme` (the console keeps the choice in localStorage) and wait for `ready`. */
async function openIn(stack: Stack, theme: Theme, hash: string, ready: string): Promise<Page> {
  const page = await openConsole(stack, hash);
  await page.evaluate(`localStorage.setItem('meridian.theme', '${theme}')`);
  await page.reload();
  await page.waitForSelector(`html[data-theme="${theme}"]`);
  await page.waitForSelector(ready);
  return page;
}

/**
 * Tab from the top of the page through its controls (until focus comes round again), and for
 * each stop whether focus shows: the stop is drawn differently focused than not (a ring, an
 * outline, a background; for a map marker its ring, for a region card's link the card's ring).
 * Blurring and refocusing keeps keyboard modality, so :focus-visible applies both times.
 */
async function tabStops(page: Page, max = 150): Promise<{ id: string; shows: boolean }[]> {
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  await page.evaluate('window.scrollTo(0, 0)');
  const stops: { id: string; shows: boolean }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate<{ key: string; id: string; shows: boolean } | null>(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const look = () => {
        const s = (e) => (e ? getComputedStyle(e) : null);
        const me = s(el), parent = s(el.parentElement), card = s(el.closest('.region-card'));
        const ring = el.querySelector('.marker__ring');
        const cell = el.tagName === 'TR' ? s(el.querySelector('td')) : null;
        return JSON.stringify([
          me.boxShadow, me.outlineStyle, me.outlineWidth, me.outlineColor, me.backgroundColor,
          me.borderColor, parent && parent.boxShadow, card && card.boxShadow,
          ring && getComputedStyle(ring).opacity, cell && cell.backgroundColor, cell && cell.boxShadow,
        ]);
      };
      const focused = look();
      el.blur();
      const plain = look();
      el.focus({ preventScroll: true });
      const r = el.getBoundingClientRect();
      return {
        key: el.outerHTML.slice(0, 200) + r.left + ',' + r.top,
        id: el.getAttribute('data-testid') || el.getAttribute('aria-label') || el.tagName + ':' + (el.textContent || '').trim().slice(0, 30),
        shows: focused !== plain,
      };
    })()`);
    if (!stop) continue;
    if (seen.has(stop.key)) break;
    seen.add(stop.key);
    stops.push({ id: stop.id, shows: stop.shows });
  }
  return stops;
}

/** The serious and critical violations on the page now, as report lines ('' for none). */
async function report(page: Page, what: string): Promise<string> {
  const findings = await axeViolations(page, 'serious');
  return findings.length ? `${what}:\n${describeFindings(findings)}` : '';
}

describe('accessibility: the first run (no agents)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({});
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(THEMES)('the empty state, %s theme', async (theme) => {
    const page = await openIn(stack, theme, '#/overview', byTestId('empty-state'));
    expect(await report(page, `empty state (${theme})`)).toBe('');
  });
});

describe('accessibility: every page with a fleet', () => {
  let stack: Stack;
  let probes: Probe[] = [];
  let alertId = '';
  let agentId = '';
  /** An agent with a disk series (for a forecast). */
  let diskAgentId = '';
  let incidentId = '';

  beforeAll(async () => {
    // Agents' capacity series are forecast hourly by default: often here, so the Capacity
    // page has its table rows to check.
    stack = await startStack({
      agents: 40,
      seed: 3,
      config: { forecastAgentsEveryMs: 15_000, forecastRegionsEveryMs: 15_000 },
    });
    const sim = stack.sim!;
    // A runbook in dry run on the cpu spike below: the Recovery page and the incident's
    // Recovery section then have a runbook and a run to check.
    const created = await stack.api('/api/v1/runbooks', {
      method: 'POST',
      body: JSON.stringify({
        id: 'a11y-restart',
        name: 'Restart the busy service',
        trigger: { ruleIds: ['cpu_usage'] },
        steps: [
          { kind: 'action', action: 'restart_service', params: { unit: 'app.service' } },
          {
            kind: 'verify',
            condition: { type: 'metric', metric: 'cpu_usage', comparator: '<', threshold: 80 },
            withinMs: 60_000,
          },
          { kind: 'escalate' },
        ],
      }),
    });
    expect(created.status).toBeLessThan(300);
    const page = await openConsole(stack, '#/overview');
    await waitForText(page, 'kpi-agents-total', '40');
    sim.spike(0, 99, 10 * 60_000);
    for (const a of sim.agents.filter((x) => x.region === 'ap-northeast-1').slice(0, 3))
      sim.kill(a.index);
    probes = await Promise.all(SHOT_PROBES.map((spec) => startProbe(stack, spec)));
    const open = await eventually(async () => {
      const alerts = await alertsIn(stack, 'open');
      expect(alerts.filter((a) => a.ruleId === 'agent_offline').length).toBeGreaterThanOrEqual(3);
      return alerts;
    });
    // One acknowledged, so the queue shows every state.
    const acked = open.find((a) => a.ruleId === 'agent_offline')!;
    await stack.api(`/api/v1/alerts/${acked.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'replacing the host' }),
    });
    alertId = open.find((a) => a.id !== acked.id)!.id;
    agentId = probes[0]!.agentId;
    diskAgentId = probes[SHOT_PROBES.findIndex((p) => 'disk_usage' in p.metrics)]!.agentId;
    // The triage pages with something in them: an incident, a silence, a maintenance window.
    incidentId = await eventually(async () => {
      const res = await stack.api<{ incidents: { id: string }[] }>('/api/v1/incidents');
      expect(res.body.incidents.length).toBeGreaterThan(0);
      return res.body.incidents[0]!.id;
    });
    await stack.api('/api/v1/silences', {
      method: 'POST',
      body: JSON.stringify({
        matchers: [{ name: 'region', op: '=', value: 'ap-northeast-1' }],
        durationMinutes: 120,
        comment: 'a11y',
      }),
    });
    await stack.api('/api/v1/maintenance', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Patch night',
        regions: ['eu-west-1'],
        schedule: {
          kind: 'weekly',
          days: ['sun'],
          time: '02:00',
          durationMinutes: 120,
          timeZone: 'Europe/Berlin',
        },
      }),
    });
    await eventually(async () => {
      const res = await stack.api<CapacityReport>('/api/v1/capacity');
      expect(res.body.agents.length).toBeGreaterThan(0);
    }, 60_000);
  }, 150_000);
  afterAll(async () => {
    await Promise.all(probes.map((p) => p.stop()));
    await stack?.stop();
  });

  const pages = () => [
    { name: 'incidents', hash: '#/incidents', ready: byTestId('incident-row') },
    {
      name: 'incident detail',
      hash: `#/incidents/${incidentId}`,
      ready: byTestId('incident-alert'),
    },
    { name: 'silences', hash: '#/silences', ready: byTestId('silence-row') },
    { name: 'maintenance', hash: '#/maintenance', ready: byTestId('maintenance-entry') },
    { name: 'overview', hash: '#/overview', ready: byTestId('world-map') },
    { name: 'agents', hash: '#/agents', ready: byTestId('agent-row') },
    { name: 'agent drawer', hash: `#/agents/${agentId}`, ready: byTestId('agent-drawer') },
    // No relay in this fleet: the page that says how to start one (relays.e2e.ts checks the
    // table with a relay connected and down).
    { name: 'relays', hash: '#/relays', ready: byTestId('relays-empty') },
    { name: 'alerts', hash: '#/alerts', ready: byTestId('alert-row') },
    { name: 'alert detail', hash: `#/alerts/${alertId}`, ready: byTestId('alert-detail') },
    {
      name: 'explore',
      hash: `#/explore?metric=cpu_usage&scope=agent:${agentId}&agg=avg&range=1h`,
      ready: `${byTestId('explore-chart')}[data-status="ready"]`,
    },
    { name: 'trends', hash: '#/trends', ready: byTestId('trend-row') },
    {
      // A forecast opened (or its "needs 24 points"), above the capacity table.
      name: 'capacity',
      hash: `#/capacity/${encodeURIComponent(`agent:${diskAgentId}:disk_usage`)}`,
      ready: `${byTestId('forecast-chart')}, ${byTestId('forecast-insufficient')}`,
    },
    {
      name: 'settings',
      hash: '#/settings',
      ready: `${byTestId('storage-panel')}, ${byTestId('channels-panel')}`,
    },
    { name: 'rules', hash: '#/rules', ready: byTestId('rule-row-cpu_usage') },
    { name: 'recovery', hash: '#/recovery', ready: byTestId('runbook-a11y-restart') },
    { name: 'compliance', hash: '#/compliance', ready: byTestId('compliance-control') },
    {
      name: 'region',
      hash: '#/regions/ap-northeast-1',
      ready: `${byTestId('region-history-chart')}`,
    },
  ];

  it('every page: Tab reaches its controls, and each shows that it has focus', async () => {
    const mustReach: Record<string, string[]> = {
      overview: ['kpi-agents', 'region-marker-ap-northeast-1', 'region-card-link-us-east-1'],
      agents: ['fleet-nav-relays', 'agent-search', 'sort-cpu', 'agent-row'],
      relays: ['fleet-nav-agents', 'relay-command-region', 'copy-relay-command'],
      alerts: ['alert-row-select', 'alert-row-ack', 'alert-row-resolve', 'alert-filter-text'],
      incidents: ['triage-silences', 'incidents-tab-open', 'incident-row'],
      silences: ['silence-expire', 'silence-matchers', 'silence-hours'],
      maintenance: ['maintenance-delete', 'maintenance-name'],
      trends: ['trends-refresh', 'trend-row'],
      region: ['region-range-6h', 'region-explore-cpu_usage', 'region-alert', 'region-top-host'],
      capacity: ['forecast-close', 'capacity-row'],
      rules: ['rule-new', 'rule-toggle-cpu_usage', 'rule-edit-cpu_usage', 'rule-delete-cpu_usage'],
      recovery: [
        'runbook-new',
        'runbook-mode-a11y-restart-approval',
        'runbook-edit-a11y-restart',
        'runbook-delete-a11y-restart',
      ],
    };
    const problems: string[] = [];
    for (const p of pages()) {
      const page = await openIn(stack, 'dark', p.hash, p.ready);
      const stops = await tabStops(page);
      for (const s of stops) if (!s.shows) problems.push(`${p.name}: no visible focus on ${s.id}`);
      for (const id of mustReach[p.name] ?? [])
        if (!stops.some((s) => s.id === id)) problems.push(`${p.name}: Tab never reaches ${id}`);
    }
    expect(problems).toEqual([]);
  });

  it('keyboard alone opens an agent, a trend and an alert', async () => {
    let page = await openIn(stack, 'dark', '#/agents', byTestId('agent-row'));
    await page.focus(`${byTestId('agent-row')} >> nth=0`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(byTestId('agent-drawer'));

    page = await openIn(stack, 'dark', '#/trends', byTestId('trend-row'));
    await page.focus(`${byTestId('trend-row')} >> nth=0`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(byTestId('view-explore'));

    page = await openIn(stack, 'dark', '#/alerts', byTestId('alert-row'));
    await page.keyboard.press('j');
    await page.waitForSelector(byTestId('alert-detail'));
  });

  it.each(THEMES)('no serious or critical violations on any page, %s theme', async (theme) => {
    // Every page is checked before the verdict, so that one run reports them all.
    const reports: string[] = [];
    for (const p of pages()) {
      const page = await openIn(stack, theme, p.hash, p.ready);
      reports.push(await report(page, `${p.name} (${theme})`));
    }
    expect(reports.filter(Boolean).join('\n\n')).toBe('');
  });
});
